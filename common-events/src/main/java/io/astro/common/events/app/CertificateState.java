package io.astro.common.events.app;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the TLS certificate of one of an app's hosts stands, as {@code io.astro.app.status.v2}
 * ({@code certificates[].state}) and the REST API ({@code certificate}) show it; the JSON and
 * database value is the lower-case word. Read from cert-manager's Certificate for the host's TLS
 * Secret (docs/apps.md, Certificates).
 */
public enum CertificateState {
  /** Asked for, not issued yet (or its Certificate is not there yet). */
  PENDING,
  /** cert-manager holds a valid certificate for it (condition {@code Ready=True}). */
  ISSUED,
  /** The last issuance failed; cert-manager retries with its own back-off. */
  FAILED;

  private final String value = name().toLowerCase(Locale.ROOT);

  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }

  /** The state of this word, or empty when it is none. */
  public static Optional<CertificateState> parse(String value) {
    return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
  }
}
