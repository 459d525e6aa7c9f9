package io.astro.common.events.audit;

import static io.astro.common.events.EventFields.UUID;
import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.object;
import static io.astro.common.events.EventFields.optionalObject;
import static io.astro.common.events.EventFields.optionalRange;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code io.astro.audit.v1} (schema: {@code docs/events/io.astro.audit.v1.json}): one line of the
 * audit trail — who did what to what through the API, and how it ended. Produced by user-service
 * and app-service (each through its own outbox) on {@code astro.audit}, key = the actor's uuid
 * ({@link #key()}), consumed by app-service into its append-only audit table, idempotent by {@code
 * id}. It carries no request or answer body: names of things, never passwords, tokens, kubeconfigs
 * or secret values.
 */
public record AuditEvent(
    String id,
    Instant at,
    String service,
    Actor actor,
    String action,
    Target target,
    Outcome outcome,
    String requestId,
    String clientIp) {

  public static final String TYPE = "io.astro.audit.v1";

  /** The key of events without an actor (a failed login, a registration). */
  public static final String ANONYMOUS = "anonymous";

  /** Dotted lower-case words: {@code app.create}, {@code user.password.change}. */
  public static final Pattern ACTION = Pattern.compile("[a-z]+(\\.[a-z]+){1,3}");

  /** The services that write the trail, also the CloudEvent source {@code /astro/<service>}. */
  public static final Set<String> SERVICES = Set.of("user-service", "app-service");

  /** Longest text kept of a name, an id, a request id or an address. */
  public static final int MAX_TEXT = 255;

  /** How the actor's call was authenticated: a login token or one exchanged for a personal one. */
  public enum TokenKind {
    SESSION("session"),
    PAT("pat");

    private final String value;

    TokenKind(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }

    static TokenKind parse(String word) {
      for (TokenKind kind : values()) {
        if (kind.value.equals(word)) {
          return kind;
        }
      }
      throw new InvalidEventException("actor.tokenKind " + word + " is unknown");
    }
  }

  /**
   * Who acted: the account's uuid and numeric id, its role, and the kind of token; for a personal
   * API token also its id and name. A login names the account that logged in, without a token; null
   * actor: nobody known (a failed login, a registration).
   */
  public record Actor(
      String uuid,
      Long userId,
      String role,
      TokenKind tokenKind,
      String tokenId,
      String tokenName) {

    JsonObject toData() {
      return new JsonObject()
          .put("uuid", uuid)
          .put("userId", userId)
          .put("role", role)
          .put("tokenKind", tokenKind == null ? null : tokenKind.value())
          .put("tokenId", tokenId)
          .put("tokenName", tokenName);
    }

    static Actor fromData(JsonObject data) {
      String kind = string(data, "tokenKind");
      return new Actor(
          matching(data, "uuid", UUID, 36),
          optionalRange(data, "userId", 1, Long.MAX_VALUE),
          text(data, "role"),
          kind == null ? null : TokenKind.parse(kind),
          text(data, "tokenId"),
          text(data, "tokenName"));
    }
  }

  /** What was acted on: a type ({@code app}, {@code cluster}, {@code user} …), id and name. */
  public record Target(String type, String id, String name) {

    JsonObject toData() {
      return new JsonObject().put("type", type).put("id", id).put("name", name);
    }

    static Target fromData(JsonObject data) {
      String type = text(data, "type");
      if (type == null || type.isBlank()) {
        throw new InvalidEventException("target.type is missing");
      }
      return new Target(type, text(data, "id"), text(data, "name"));
    }
  }

  /** How it ended: the HTTP status, and the envelope's error code when it was refused. */
  public record Outcome(int status, Integer code) {

    JsonObject toData() {
      return new JsonObject().put("status", status).put("code", code);
    }

    static Outcome fromData(JsonObject data) {
      Long code = optionalRange(data, "code", 0, 99_999);
      return new Outcome(
          (int) range(data, "status", 100, 599), code == null ? null : code.intValue());
    }
  }

  /** The Kafka key: the actor's uuid, or {@link #ANONYMOUS}. */
  public String key() {
    return actor == null ? ANONYMOUS : actor.uuid();
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("id", id)
        .put("at", at.toString())
        .put("service", service)
        .put("actor", actor == null ? null : actor.toData())
        .put("action", action)
        .put("target", target.toData())
        .put("outcome", outcome.toData())
        .put("requestId", requestId)
        .put("clientIp", clientIp);
  }

  /** The record value: the CloudEvent as JSON text, subject = the key. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, "/astro/" + service, key(), toData()));
  }

  /** Reads and checks a record value; anything off the contract is an invalid (poison) event. */
  public static AuditEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static AuditEvent fromData(JsonObject data) {
    String service = string(data, "service");
    if (!SERVICES.contains(service)) {
      throw new InvalidEventException("service " + service + " is unknown");
    }
    JsonObject actor = optionalObject(data, "actor");
    return new AuditEvent(
        matching(data, "id", UUID, 36),
        instant(data, "at"),
        service,
        actor == null ? null : Actor.fromData(actor),
        matching(data, "action", ACTION, 64),
        Target.fromData(object(data, "target")),
        Outcome.fromData(object(data, "outcome")),
        text(data, "requestId"),
        text(data, "clientIp"));
  }

  private static String text(JsonObject data, String field) {
    String value = string(data, field);
    if (value != null && value.length() > MAX_TEXT) {
      throw new InvalidEventException(field + " is longer than " + MAX_TEXT);
    }
    return value;
  }
}
