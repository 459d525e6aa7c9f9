package io.astro.testkit.kube;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The TLS identity every {@link FakeCluster} serves: a self-signed EC certificate for {@code 127.0.0.1} and
 * {@code localhost}, valid 2000–2123, that the kubeconfig carries as its certificate authority.
 *
 * <p>Why TLS at all: kubectl (client-go) does not send a bearer token over plain HTTP, and every real cluster is
 * HTTPS with a CA in the kubeconfig — so code reading kubeconfigs gets exercised as in production. The private key
 * is public on purpose: it protects nothing but loopback test traffic. Made with
 * {@code keytool -genkeypair -keyalg EC -groupname secp256r1 -startdate 2000/01/01 -validity 45000
 * -ext SAN=dns:localhost,ip:127.0.0.1 -ext BC:c=ca:true ...}.
 */
final class ApiServerCertificate {

  static final String CERT_PEM = """
      -----BEGIN CERTIFICATE-----
      MIIBtTCCAVqgAwIBAgIJAOIbK7f2au1AMAoGCCqGSM49BAMCMCQxIjAgBgNVBAMT
      GWFzdHJvLWZha2Uta3ViZS1hcGlzZXJ2ZXIwIBcNMDAwMTAxMjI0MzUwWhgPMjEy
      MzAzMTcyMjQzNTBaMCQxIjAgBgNVBAMTGWFzdHJvLWZha2Uta3ViZS1hcGlzZXJ2
      ZXIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARmmhCq5+pADRRvKWaXRoRLiBhx
      vtvdibcPvGcXS3fNcjFbPIl7qDpJPvojyLGrkwrhF4FvKV5idXf+sPi1KJYKo3Mw
      cTAdBgNVHQ4EFgQUoVM+MLNu7x9PfshxOR/WrNIXQmEwDgYDVR0PAQH/BAQDAgKE
      MBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATAPBgNVHRMBAf8EBTADAQH/MBMG
      A1UdJQQMMAoGCCsGAQUFBwMBMAoGCCqGSM49BAMCA0kAMEYCIQD8kcLDWAZ3bZuz
      PkZYlkB8KxY7uS/8LU+bOBQhqGO9agIhAJSpnXAoFdknerVHqLiOuBbUi1zPZBMF
      7nWd90wYl5KF
      -----END CERTIFICATE-----
      """;

  static final String KEY_PEM = """
      -----BEGIN PRIVATE KEY-----
      MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCDLVP4R5pu2od7f6Moc
      f1ioNBK5NRCXSy3Udn3EMWaY2Q==
      -----END PRIVATE KEY-----
      """;

  private ApiServerCertificate() {}

  static byte[] certBytes() {
    return CERT_PEM.getBytes(StandardCharsets.US_ASCII);
  }

  /** For {@code certificate-authority-data} in a kubeconfig. */
  static String certBase64() {
    return Base64.getEncoder().encodeToString(certBytes());
  }
}
