package io.astro.app.apps;

import io.astro.common.events.app.AppStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * An app row: desired state (versioned by {@code generation}) and the state last observed in its
 * cluster (versioned by its observed generation and time). {@link #toJson()} is what clients see.
 */
public record App(
    String id,
    long userId,
    String name,
    String clusterId,
    String placement,
    String namespace,
    String k8sName,
    Desired desired,
    long generation,
    AppStatus status,
    Observed observed,
    Instant createdAt,
    Instant updatedAt) {

  private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

  /**
   * Field names already snake-cased: a list of 50 running apps renamed each pod's fields with a
   * regular expression per field, per request.
   */
  private static final ConcurrentMap<String, String> SNAKE_CASE = new ConcurrentHashMap<>();

  private static final int SNAKE_CASE_MAX = 256;

  /**
   * What the user asked for: the spec of release {@code release} ({@code image}, {@code port},
   * {@code settings}) and the operations on it. {@code restartedAt} changes on every restart
   * (rolling restart stamp). {@code isPublic}: an app with a port answers on a public URL; like
   * replicas it is no part of a release. {@code domains}: its verified custom domains, which its
   * Ingress also answers for (kept by the domain verifier, no part of a release either). {@code
   * suspended}: its owner's account is disabled, so it runs no replicas whatever {@code replicas}
   * and {@code stopped} say (both kept, to restore it as it was).
   */
  public record Desired(
      String image,
      int replicas,
      Integer port,
      boolean stopped,
      Instant restartedAt,
      boolean deleting,
      long release,
      Settings settings,
      boolean isPublic,
      List<String> domains,
      boolean suspended) {

    public Desired {
      domains = List.copyOf(domains);
    }

    /** What a create request asks for: release 1, running, never restarted, not being deleted. */
    public static Desired of(
        String image, int replicas, Integer port, Settings settings, boolean isPublic) {
      return new Desired(
          image, replicas, port, false, null, false, 1, settings, isPublic, List.of(), false);
    }

    public Desired withPublic(boolean value) {
      return new Desired(
          image,
          replicas,
          port,
          stopped,
          restartedAt,
          deleting,
          release,
          settings,
          value,
          domains,
          suspended);
    }

    public Desired withStopped(boolean value) {
      return new Desired(
          image,
          replicas,
          port,
          value,
          restartedAt,
          deleting,
          release,
          settings,
          isPublic,
          domains,
          suspended);
    }

    public Desired withReplicas(int value) {
      return new Desired(
          image,
          value,
          port,
          stopped,
          restartedAt,
          deleting,
          release,
          settings,
          isPublic,
          domains,
          suspended);
    }

    public Desired withRestartedAt(Instant value) {
      return new Desired(
          image, replicas, port, stopped, value, deleting, release, settings, isPublic, domains,
          suspended);
    }

    public Desired withDeleting() {
      return new Desired(
          image,
          replicas,
          port,
          stopped,
          restartedAt,
          true,
          release,
          settings,
          isPublic,
          domains,
          suspended);
    }

    public Desired withDomains(List<String> value) {
      return new Desired(
          image,
          replicas,
          port,
          stopped,
          restartedAt,
          deleting,
          release,
          settings,
          isPublic,
          value,
          suspended);
    }

    public Desired withSuspended(boolean value) {
      return new Desired(
          image,
          replicas,
          port,
          stopped,
          restartedAt,
          deleting,
          release,
          settings,
          isPublic,
          domains,
          value);
    }

    /** Whether the cluster should run no replicas: stopped by its owner, or suspended. */
    public boolean scaledToZero() {
      return stopped || suspended;
    }

    /** The next release, with this spec. */
    public Desired released(String newImage, Integer newPort, Settings newSettings) {
      return new Desired(
          newImage,
          replicas,
          newPort,
          stopped,
          restartedAt,
          deleting,
          release + 1,
          newSettings,
          isPublic,
          domains,
          suspended);
    }

    /** Whether {@code other} asks for another spec (image, port or settings) than this. */
    public boolean sameSpec(String otherImage, Integer otherPort, Settings otherSettings) {
      return image.equals(otherImage)
          && java.util.Objects.equals(port, otherPort)
          && settings.equals(otherSettings);
    }
  }

  /**
   * What the sync-worker last reported; all null/0 until the first status event. {@code url} is
   * where the app answers publicly, when it does.
   */
  public record Observed(
      Integer desiredReplicas,
      Integer readyReplicas,
      JsonArray pods,
      String reason,
      String message,
      long observedGeneration,
      Instant observedAt,
      long observedRelease,
      JsonArray warnings,
      String url,
      JsonArray certificates) {

    public static final Observed NONE =
        new Observed(
            null,
            null,
            new JsonArray(),
            null,
            null,
            0,
            null,
            0,
            new JsonArray(),
            null,
            new JsonArray());

    /**
     * The certificate state of {@code host} as tenants see it ({@code certificate}, {@code
     * certificate_reason}, {@code certificate_message}: a fixed text per reason), all null when the
     * cluster did not say.
     */
    public JsonObject certificateOf(String host) {
      for (Object o : certificates) {
        if (o instanceof JsonObject c && host.equals(c.getString("host"))) {
          return TenantText.certificate(c.getString("state"), c.getString("reason"));
        }
      }
      return TenantText.certificate(null, null);
    }
  }

  /**
   * A new app: generation 1, status {@code pending} until the sync-worker reports, nothing observed
   * yet.
   */
  public static App created(
      String id,
      long userId,
      String name,
      String clusterId,
      String placement,
      String namespace,
      String k8sName,
      Desired desired,
      Instant now) {
    return new App(
        id,
        userId,
        name,
        clusterId,
        placement,
        namespace,
        k8sName,
        desired,
        1,
        AppStatus.PENDING,
        Observed.NONE,
        now,
        now);
  }

  /**
   * The app after a change of desired state: next generation, status {@code deleting} once deletion
   * starts, {@code suspended} while suspended, and {@code starting} when a suspension is lifted
   * (until the cluster reports).
   */
  public App next(Desired change, Instant now) {
    return new App(
        id,
        userId,
        name,
        clusterId,
        placement,
        namespace,
        k8sName,
        change,
        generation + 1,
        change.deleting()
            ? AppStatus.DELETING
            : change.suspended()
                ? AppStatus.SUSPENDED
                : desired.suspended() ? AppStatus.STARTING : status,
        observed,
        createdAt,
        now);
  }

  /** Each host's certificate as tenants see it: the URL's host and the custom domains'. */
  private JsonArray certificates() {
    JsonArray shown = new JsonArray();
    for (Object o : observed.certificates()) {
      if (o instanceof JsonObject c && c.getString("host") != null) {
        shown.add(
            new JsonObject()
                .put("host", c.getString("host"))
                .mergeIn(observed.certificateOf(c.getString("host"))));
      }
    }
    return shown;
  }

  /**
   * The status the app takes once {@code o} is applied: what the cluster runs, unless the user's
   * own wish says otherwise — a deleting app is {@code deleting} until it is gone ({@code
   * deleted}), a suspended one {@code suspended}, and one gone while it should exist {@code
   * pending} (the worker creates it again).
   */
  AppStatus statusAfter(Observation o) {
    if (desired.deleting()) {
      return o.gone() ? AppStatus.DELETED : AppStatus.DELETING;
    }
    if (desired.suspended()) {
      // the cluster runs it at zero like a stopped app; the owner sees why
      return AppStatus.SUSPENDED;
    }
    return o.gone() ? AppStatus.PENDING : o.status();
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("name", name)
            .put("image", desired.image())
            .put("replicas", desired.replicas())
            .put("port", desired.port())
            .put("public", desired.isPublic())
            .put("url", observed.url())
            .put("domains", new JsonArray(desired.domains()))
            .put("certificates", certificates())
            .put("stopped", desired.stopped())
            .put("suspended", desired.suspended())
            .put("status", status.value())
            .put("generation", generation)
            .put("cluster", clusterId)
            .put("placement", TenantText.placement(placement))
            .put("namespace", namespace)
            .put("k8s_name", k8sName)
            .put("restarted_at", text(desired.restartedAt()))
            .put("desired_replicas", observed.desiredReplicas())
            .put("ready_replicas", observed.readyReplicas())
            .put("pods", restPods(observed.pods()))
            .put("reason", observed.reason())
            .put("message", TenantText.of(observed.reason(), observed.message()))
            .put("observed_generation", observed.observedGeneration())
            .put("observed_at", text(observed.observedAt()))
            .put("release", desired.release())
            .put("observed_release", observed.observedRelease())
            .put("warnings", restPods(TenantText.warnings(observed.warnings())))
            .put("created_at", text(createdAt))
            .put("updated_at", text(updatedAt));
    desired.settings().writeTo(json);
    return json;
  }

  /**
   * The pods as the REST API shows them: the status event's fields in snake_case like every other
   * field ({@code waitingReason} → {@code waiting_reason}), whatever the stored row holds.
   */
  static JsonArray restPods(JsonArray pods) {
    JsonArray rest = new JsonArray();
    for (Object pod : pods) {
      if (pod instanceof JsonObject fields) {
        JsonObject snake = new JsonObject();
        fields.forEach(f -> snake.put(snakeCase(f.getKey()), f.getValue()));
        rest.add(snake);
      }
    }
    return rest;
  }

  static String snakeCase(String camel) {
    String known = SNAKE_CASE.get(camel);
    if (known != null) {
      return known;
    }
    String snake = CAMEL_HUMP.matcher(camel).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
    // the pods' and warnings' field names are the status event's few; the bound keeps whatever
    // else a row might hold from growing the map
    if (SNAKE_CASE.size() < SNAKE_CASE_MAX) {
      SNAKE_CASE.putIfAbsent(camel, snake);
    }
    return snake;
  }

  /**
   * {@link Instant#toString} (ISO-8601, the fraction in groups of three digits as needed), written
   * directly: through {@code DateTimeFormatter} the four timestamps of each app were 4 % of
   * app-service's CPU under the list of apps.
   */
  static String text(Instant instant) {
    if (instant == null) {
      return null;
    }
    LocalDateTime utc = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
    if (utc.getYear() < 0 || utc.getYear() > 9999) {
      return instant.toString();
    }
    StringBuilder text = new StringBuilder(30);
    digits(text, utc.getYear(), 4).append('-');
    digits(text, utc.getMonthValue(), 2).append('-');
    digits(text, utc.getDayOfMonth(), 2).append('T');
    digits(text, utc.getHour(), 2).append(':');
    digits(text, utc.getMinute(), 2).append(':');
    digits(text, utc.getSecond(), 2);
    int nanos = instant.getNano();
    if (nanos > 0) {
      text.append('.');
      if (nanos % 1_000_000 == 0) {
        digits(text, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        digits(text, nanos / 1_000, 6);
      } else {
        digits(text, nanos, 9);
      }
    }
    return text.append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder text, int value, int width) {
    String digits = Integer.toString(value);
    for (int pad = digits.length(); pad < width; pad++) {
      text.append('0');
    }
    return text.append(digits);
  }
}
