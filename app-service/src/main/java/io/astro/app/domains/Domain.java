package io.astro.app.domains;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A custom domain of an app: the token its TXT record must hold, where verification stands, and
 * when it was last looked at. {@code reason} is what the last check saw when it was not the token.
 */
public record Domain(
    String domain,
    String appId,
    long userId,
    String token,
    DomainStatus status,
    String reason,
    int attempts,
    Instant nextCheckAt,
    Instant checkedAt,
    Instant verifiedAt,
    Instant createdAt) {

  /** Where the token goes: {@code _astro-challenge.<domain>}. */
  public static final String CHALLENGE_PREFIX = "_astro-challenge.";

  /** A new claim of {@code domain} for an app: pending, checked from {@code now} on. */
  public static Domain claim(String domain, String appId, long userId, String token, Instant now) {
    return new Domain(
        domain,
        appId,
        userId,
        token,
        DomainStatus.PENDING_VERIFICATION,
        null,
        0,
        now,
        null,
        null,
        now);
  }

  public String challengeName() {
    return CHALLENGE_PREFIX + domain;
  }

  /**
   * Whether the domain is a zone's apex, where a CNAME cannot stand: taken as a name of two labels
   * ({@code example.org}), as Astro keeps no list of public suffixes.
   */
  public boolean apex() {
    return domain.indexOf('.') == domain.lastIndexOf('.');
  }

  /**
   * What the API shows: the domain, its status and the DNS records to create: the TXT proof, and a
   * CNAME to {@code host} (the app's own host) or, at an apex, A/AAAA records of {@code addresses}
   * (the ingress controller's, from the operator; none known: the addresses {@code host} resolves
   * to, named by {@code same_as}).
   */
  public JsonObject toJson(String host, List<String> addresses) {
    JsonArray records =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("type", "TXT")
                    .put("name", challengeName())
                    .put("value", token));
    if (!apex()) {
      records.add(new JsonObject().put("type", "CNAME").put("name", domain).put("value", host));
    } else if (addresses.isEmpty()) {
      records.add(
          new JsonObject()
              .put("type", "A")
              .put("name", domain)
              .putNull("value")
              .put("same_as", host));
      records.add(
          new JsonObject()
              .put("type", "AAAA")
              .put("name", domain)
              .putNull("value")
              .put("same_as", host));
    } else {
      for (String address : addresses) {
        records.add(
            new JsonObject()
                .put("type", address.contains(":") ? "AAAA" : "A")
                .put("name", domain)
                .put("value", address));
      }
    }
    return new JsonObject()
        .put("domain", domain)
        .put("status", status.value())
        .put("reason", reason)
        .put("dns_records", records)
        .put("checked_at", text(checkedAt))
        .put("verified_at", text(verifiedAt))
        .put("created_at", text(createdAt));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
