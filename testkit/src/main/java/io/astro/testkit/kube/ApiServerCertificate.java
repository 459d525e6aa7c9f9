package io.astro.testkit.kube;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS identity every {@link FakeCluster} in this JVM serves: a self-signed EC certificate for
 * {@code 127.0.0.1} and {@code localhost}, made at first use, that kubeconfigs carry as their
 * certificate authority. Made at run time so that no private key lives in the repository.
 *
 * <p>Why TLS at all: kubectl (client-go) does not send a bearer token over plain HTTP, and every
 * real cluster is HTTPS with a CA in the kubeconfig — so code reading kubeconfigs gets exercised as
 * in production.
 */
final class ApiServerCertificate {

  private static final ApiServerCertificate INSTANCE = generate();

  final String certPem;
  final String keyPem;

  private ApiServerCertificate(String certPem, String keyPem) {
    this.certPem = certPem;
    this.keyPem = keyPem;
  }

  static ApiServerCertificate get() {
    return INSTANCE;
  }

  byte[] certBytes() {
    return certPem.getBytes(StandardCharsets.US_ASCII);
  }

  /** For {@code certificate-authority-data} in a kubeconfig. */
  String certBase64() {
    return Base64.getEncoder().encodeToString(certBytes());
  }

  private static ApiServerCertificate generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=astro-fake-kube-apiserver");
      Instant now = Instant.now();
      X509CertificateHolder holder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  BigInteger.valueOf(now.toEpochMilli()),
                  Date.from(now.minus(Duration.ofDays(1))),
                  Date.from(now.plus(Duration.ofDays(3650))),
                  subject,
                  pair.getPublic())
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                      }))
              // its own CA, so a kubeconfig can name it as certificate-authority-data
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
      return new ApiServerCertificate(
          pem("CERTIFICATE", cert.getEncoded()),
          pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make the fake API server's certificate", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
