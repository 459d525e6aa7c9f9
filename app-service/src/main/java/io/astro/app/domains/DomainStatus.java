package io.astro.app.domains;

import java.util.Arrays;

/** Where a custom domain stands: waiting for its DNS proof, proved, or given up on. */
public enum DomainStatus {
  /** The TXT record has not been seen yet; the verifier keeps looking, with back-off. */
  PENDING_VERIFICATION("pending_verification"),
  /** The TXT record held the domain's token: the app's Ingress answers for the domain. */
  VERIFIED("verified"),
  /** The verifier gave up; {@code reason} says what it last saw. */
  FAILED("failed");

  private final String value;

  DomainStatus(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }

  public static DomainStatus of(String value) {
    return Arrays.stream(values())
        .filter(s -> s.value.equals(value))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown domain status " + value));
  }
}
