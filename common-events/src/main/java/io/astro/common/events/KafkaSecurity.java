package io.astro.common.events;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a service's Kafka clients reach the brokers: {@code PLAINTEXT} (the default, for dev mode and
 * a broker on a private network only), {@code SSL} (TLS, the broker's certificate verified against
 * the trust store and its host name), or {@code SASL_SSL} (the same, and a SCRAM user: Strimzi's
 * {@code KafkaUser} with {@code authentication: scram-sha-512}). Unauthenticated or plaintext SASL
 * is not offered.
 *
 * <ul>
 *   <li>{@code ASTRO_KAFKA_SECURITY_PROTOCOL} — {@code PLAINTEXT} | {@code SSL} | {@code SASL_SSL}
 *   <li>{@code ASTRO_KAFKA_SASL_MECHANISM} — {@code SCRAM-SHA-512} (default) | {@code
 *       SCRAM-SHA-256}
 *   <li>{@code ASTRO_KAFKA_USERNAME}, {@code ASTRO_KAFKA_PASSWORD} (or {@code _FILE})
 *   <li>{@code ASTRO_KAFKA_TRUSTSTORE} — the CA certificates (PEM, e.g. Strimzi's {@code ca.crt})
 *       or a PKCS12 store; {@code ASTRO_KAFKA_TRUSTSTORE_TYPE} {@code PEM} (default) | {@code
 *       PKCS12}; {@code ASTRO_KAFKA_TRUSTSTORE_PASSWORD} (or {@code _FILE}) for PKCS12. Unset: the
 *       JVM's default trust
 * </ul>
 */
public record KafkaSecurity(
    String protocol,
    String saslMechanism,
    String username,
    String password,
    String truststore,
    String truststoreType,
    String truststorePassword) {

  /** No TLS, no authentication. */
  public static final KafkaSecurity PLAINTEXT =
      new KafkaSecurity("PLAINTEXT", null, null, null, null, null, null);

  private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_SSL");
  private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256");
  private static final Set<String> STORE_TYPES = Set.of("PEM", "PKCS12");

  public static KafkaSecurity fromEnv(Env env) {
    String protocol =
        env.string("ASTRO_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol)) {
      throw new ConfigException(
          "ASTRO_KAFKA_SECURITY_PROTOCOL: expected PLAINTEXT, SSL or SASL_SSL, got " + protocol);
    }
    if (protocol.equals("PLAINTEXT")) {
      return PLAINTEXT;
    }
    String mechanism = null;
    String username = null;
    String password = null;
    if (protocol.equals("SASL_SSL")) {
      mechanism =
          env.string("ASTRO_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512").trim().toUpperCase(Locale.ROOT);
      if (!MECHANISMS.contains(mechanism)) {
        throw new ConfigException(
            "ASTRO_KAFKA_SASL_MECHANISM: expected SCRAM-SHA-512 or SCRAM-SHA-256, got "
                + mechanism);
      }
      username = env.string("ASTRO_KAFKA_USERNAME", "");
      password = env.secret("ASTRO_KAFKA_PASSWORD");
      if (username.isBlank() || password == null || password.isEmpty()) {
        throw new ConfigException(
            "ASTRO_KAFKA_USERNAME and ASTRO_KAFKA_PASSWORD (or ASTRO_KAFKA_PASSWORD_FILE) are"
                + " required with ASTRO_KAFKA_SECURITY_PROTOCOL=SASL_SSL");
      }
    }
    String truststore = env.string("ASTRO_KAFKA_TRUSTSTORE", null);
    String type = env.string("ASTRO_KAFKA_TRUSTSTORE_TYPE", "PEM").trim().toUpperCase(Locale.ROOT);
    if (!STORE_TYPES.contains(type)) {
      throw new ConfigException("ASTRO_KAFKA_TRUSTSTORE_TYPE: expected PEM or PKCS12, got " + type);
    }
    return new KafkaSecurity(
        protocol,
        mechanism,
        username,
        password,
        truststore == null || truststore.isBlank() ? null : truststore,
        type,
        env.secret("ASTRO_KAFKA_TRUSTSTORE_PASSWORD"));
  }

  /** The client properties that say so (none for {@code PLAINTEXT}). */
  public Map<String, String> properties() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("security.protocol", protocol);
    if (protocol.equals("PLAINTEXT")) {
      return props;
    }
    // the broker's host name is checked against its certificate (Kafka's default, said anyway)
    props.put("ssl.endpoint.identification.algorithm", "https");
    if (truststore != null) {
      props.put("ssl.truststore.location", truststore);
      props.put("ssl.truststore.type", truststoreType);
      if (truststorePassword != null && truststoreType.equals("PKCS12")) {
        props.put("ssl.truststore.password", truststorePassword);
      }
    }
    if (protocol.equals("SASL_SSL")) {
      props.put("sasl.mechanism", saslMechanism);
      props.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + quoted(username)
              + "\" password=\""
              + quoted(password)
              + "\";");
    }
    return props;
  }

  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  // never printed: the password would show in logs and exceptions
  @Override
  public String toString() {
    return "KafkaSecurity["
        + protocol
        + (username == null ? "" : ", user " + username)
        + (truststore == null ? "" : ", truststore " + truststore)
        + "]";
  }
}
