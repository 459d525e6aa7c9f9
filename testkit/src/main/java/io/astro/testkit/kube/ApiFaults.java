package io.astro.testkit.kube;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Faults of the Kubernetes API itself, injected by a {@link FakeCluster}'s HTTPS front: error
 * answers ({@link #respond}) and an unreachable server ({@link #unreachable}). Thread-safe; set
 * from tests.
 *
 * <p>Faults hit every client of the cluster — {@link FakeCluster#apiClient()}, {@link
 * FakeCluster#newClient()}, clients built from {@link FakeCluster#kubeconfig()} — except the
 * cluster's own: the {@link KubeletSimulator} and {@link FakeCluster#addNode} use a second bearer
 * token that the front exempts, so Deployments keep rolling out while the code under test sees the
 * API fail.
 *
 * <pre>{@code
 * cluster.faults().respond(500, "PUT", "/deployments/[^/]+$", 2);   // the next two replaces fail
 * cluster.faults().hang("POST", "/deployments$", ApiFaults.UNTIL_CLEARED); // creates never answered
 * cluster.faults().unreachable(true);                               // connections dropped, watches cut
 * cluster.faults().mutateImages(ApiFaults.PIN_DIGEST);             // a digest-pinning webhook
 * cluster.faults().expireWatches("/deployments$");                 // watch ERROR 410 Expired
 * cluster.faults().clear();                                         // healthy again, same URL
 * }</pre>
 */
public final class ApiFaults {

  /**
   * {@code times} value for {@link #respond}: answer every matching request until {@link #clear()}.
   */
  public static final int UNTIL_CLEARED = -1;

  /** The {@link Rule} status of {@link #hang}: no answer at all. */
  static final int NO_ANSWER = 0;

  private static final long CUT_TIMEOUT_MILLIS = 5_000;

  private static final Pattern DEPLOYMENTS =
      Pattern.compile("^/apis/apps/v1/namespaces/[^/]+/deployments$");
  private static final Pattern DEPLOYMENT =
      Pattern.compile("^/apis/apps/v1/namespaces/[^/]+/deployments/[^/]+$");

  /** Kubernetes {@code StatusReason} per code, as a real API server sets it. */
  private static final Map<Integer, String> REASONS =
      Map.ofEntries(
          Map.entry(400, "BadRequest"),
          Map.entry(401, "Unauthorized"),
          Map.entry(403, "Forbidden"),
          Map.entry(404, "NotFound"),
          Map.entry(405, "MethodNotAllowed"),
          Map.entry(409, "Conflict"),
          Map.entry(410, "Expired"),
          Map.entry(413, "RequestEntityTooLarge"),
          Map.entry(415, "UnsupportedMediaType"),
          Map.entry(422, "Invalid"),
          Map.entry(429, "TooManyRequests"),
          Map.entry(500, "InternalError"),
          Map.entry(503, "ServiceUnavailable"),
          Map.entry(504, "Timeout"));

  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final AtomicInteger injected = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final AtomicInteger hung = new AtomicInteger();
  private volatile boolean unreachable;

  /** The image rewrite of the mutating-webhook fault, or null while it is off. */
  private volatile UnaryOperator<String> imageRewrite;

  /** How much later watch events reach clients other than the cluster's own. */
  private volatile Duration watchDelay = Duration.ZERO;

  private final AtomicInteger mutated = new AtomicInteger();
  private final AtomicInteger expired = new AtomicInteger();

  /** Open watches of clients other than the cluster's own, each with how to expire it. */
  private final Map<Object, OpenWatch> openWatches = new ConcurrentHashMap<>();

  /** Set by the proxy: closes every client connection it holds (open watches included). */
  private volatile Supplier<Future<Void>> cutConnections = Future::succeededFuture;

  ApiFaults() {}

  /**
   * The next {@code times} non-watch requests matching {@code method} and {@code pathRegex} are
   * answered with {@code status} and a Kubernetes {@code Status} body ({@code "status":"Failure"},
   * {@code "reason"} as a real server sets it: 409 {@code Conflict}, 429 {@code TooManyRequests},
   * 500 {@code InternalError}, 503 {@code ServiceUnavailable}, …; a 429 also carries {@code
   * Retry-After: 1}) without reaching the stored state — nothing is created or changed.
   *
   * <p>Watch requests ({@code ?watch=true}) are never answered this way (cut them with {@link
   * #unreachable}); the list an informer makes before watching is an ordinary GET and is. Several
   * rules may be active: the first one added that matches answers (and uses up one of its {@code
   * times}).
   *
   * @param status HTTP status, 400–599
   * @param method e.g. {@code "PUT"} (any case); null for any method
   * @param pathRegex found anywhere in the request path, query excluded ({@link
   *     java.util.regex.Matcher#find()}), e.g. {@code "/deployments/[^/]+$"}; anchor with {@code
   *     ^…$} for an exact path; null for any
   * @param times how many matching requests to answer, ≥ 1, or {@link #UNTIL_CLEARED} (-1)
   * @return this, to chain
   */
  public ApiFaults respond(int status, String method, String pathRegex, int times) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be an error (400-599): " + status);
    }
    if (times < 1 && times != UNTIL_CLEARED) {
      throw new IllegalArgumentException("times must be >= 1 or -1 (until cleared): " + times);
    }
    rules.add(
        new Rule(
            status,
            method == null ? null : method.toUpperCase(Locale.ROOT),
            pathRegex == null ? null : Pattern.compile(pathRegex),
            times));
    return this;
  }

  /**
   * The next {@code times} non-watch requests matching {@code method} and {@code pathRegex} are
   * never answered: the connection stays open until the client gives up (its read timeout), as with
   * an API server or etcd that stalls. Nothing is created or changed. Rules are shared with {@link
   * #respond}: the first one added that matches takes the request.
   *
   * @param times how many matching requests to leave unanswered, ≥ 1, or {@link #UNTIL_CLEARED}
   * @return this, to chain
   */
  public ApiFaults hang(String method, String pathRegex, int times) {
    if (times < 1 && times != UNTIL_CLEARED) {
      throw new IllegalArgumentException("times must be >= 1 or -1 (until cleared): " + times);
    }
    rules.add(
        new Rule(
            NO_ANSWER,
            method == null ? null : method.toUpperCase(Locale.ROOT),
            pathRegex == null ? null : Pattern.compile(pathRegex),
            times));
    return this;
  }

  /**
   * While true, the cluster is unreachable: each request is answered by closing its connection
   * without a response (the official client throws {@code ApiException} with code 0 and an {@code
   * IOException} cause), and on the switch to true every open client connection is closed — watches
   * and {@code follow} logs included, so informers see their watch fail and start retrying. Returns
   * once those connections are closed (bounded, 5 s). Back to false, everything answers again on
   * the same URL; informers re-list and re-watch on their own schedule (≈1 s).
   *
   * @return this, to chain
   */
  public ApiFaults unreachable(boolean unreachable) {
    this.unreachable = unreachable;
    if (unreachable) {
      Future<Void> cut = cutConnections.get();
      if (!Context.isOnVertxThread()) {
        try {
          cut.toCompletionStage()
              .toCompletableFuture()
              .get(CUT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          // best effort: a connection that would not close is refused on its next request anyway
        }
      }
    }
    return this;
  }

  /** Whether {@link #unreachable(boolean)} is on. */
  public boolean isUnreachable() {
    return unreachable;
  }

  /**
   * Digest pinning as a mutating admission webhook does it (Kyverno's {@code verifyImages} with
   * {@code mutateDigest}): {@code nginx:1.27} becomes {@code nginx:1.27@sha256:<hex>}, the tag
   * kept. The digest is a stable function of the reference, so pinning is the same on every write.
   */
  public static final UnaryOperator<String> PIN_DIGEST =
      image -> image.contains("@") ? image : image + "@sha256:" + sha256(image);

  /**
   * Digest pinning that drops the tag ({@code nginx:1.27} becomes {@code nginx@sha256:<hex>}): from
   * the stored object alone, nobody can tell it is still the image asked for.
   */
  public static final UnaryOperator<String> PIN_DIGEST_DROP_TAG =
      image -> {
        if (image.contains("@")) {
          return image;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        String repository = colon > slash ? image.substring(0, colon) : image;
        return repository + "@sha256:" + sha256(image);
      };

  /**
   * A mutating admission webhook on Deployments: while set, every create and replace of a
   * Deployment (by any client, the cluster's own included, as admission applies to all) has {@code
   * spec.template.spec.containers[*].image} (and {@code initContainers}) rewritten by {@code
   * rewrite} before it is stored — e.g. {@link #PIN_DIGEST}. The answer shows the rewritten object,
   * as a real server's does. Null turns it off; {@link #clear()} too.
   *
   * @return this, to chain
   */
  public ApiFaults mutateImages(UnaryOperator<String> rewrite) {
    this.imageRewrite = rewrite;
    return this;
  }

  /** Deployment writes whose images {@link #mutateImages} rewrote since the cluster started. */
  public int mutated() {
    return mutated.get();
  }

  /**
   * Ends every open watch whose path matches {@code pathRegex} (null: all) the way a real server
   * ends a watch whose resourceVersion was compacted away: an {@code ERROR} event carrying a {@code
   * Status} 410 {@code Expired} ("too old resource version"), then the end of the stream. Clients
   * are expected to re-list. The cluster's own watches are not touched.
   *
   * @return how many watches were expired
   */
  public int expireWatches(String pathRegex) {
    Pattern pattern = pathRegex == null ? null : Pattern.compile(pathRegex);
    int n = 0;
    for (Object key : List.copyOf(openWatches.keySet())) {
      OpenWatch watch = openWatches.get(key);
      if (watch != null
          && (pattern == null || pattern.matcher(watch.path()).find())
          && openWatches.remove(key) != null) {
        watch.expire().accept(expiredEvent(watch.resourceVersion()));
        n++;
      }
    }
    expired.addAndGet(n);
    return n;
  }

  /** Watches ended by {@link #expireWatches} since the cluster started. */
  public int expired() {
    return expired.get();
  }

  /**
   * Watch events reach every client except the cluster's own {@code delay} later, in order — what
   * an API server or a network under load does to informers: the cache lags behind the writes
   * clients just made (and were answered). {@link Duration#ZERO} delivers at once again.
   */
  public ApiFaults delayWatches(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    this.watchDelay = delay;
    return this;
  }

  Duration watchDelay() {
    return watchDelay;
  }

  /**
   * Removes every {@link #respond} rule, the {@link #mutateImages} webhook and the {@link
   * #delayWatches} lag, and makes the cluster reachable. The counters keep counting.
   */
  public ApiFaults clear() {
    rules.clear();
    unreachable = false;
    watchDelay = Duration.ZERO;
    imageRewrite = null;
    return this;
  }

  /**
   * Requests answered with an injected error by {@link #respond} since the cluster started ({@link
   * #hang}'s are counted by {@link #hung()}).
   */
  public int injected() {
    return injected.get();
  }

  /** Requests left unanswered by {@link #hang} since the cluster started. */
  public int hung() {
    return hung.get();
  }

  /**
   * Requests refused (connection closed unanswered) while {@link #unreachable} since the cluster
   * started.
   */
  public int dropped() {
    return dropped.get();
  }

  void onUnreachable(Supplier<Future<Void>> cutConnections) {
    this.cutConnections = cutConnections;
  }

  /**
   * The injected status for this non-watch request, using up one answer of the rule that gives it;
   * empty if none.
   */
  // rules is a CopyOnWriteArrayList: the loop walks a snapshot, so removing from it is safe
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
  OptionalInt answer(String method, String path) {
    for (Rule rule : rules) {
      if (rule.matches(method, path) && rule.claim()) {
        if (rule.exhausted()) {
          rules.remove(rule);
        }
        (rule.status == NO_ANSWER ? hung : injected).incrementAndGet();
        return OptionalInt.of(rule.status);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The body to store for this request: a Deployment create or replace passes the {@link
   * #mutateImages} webhook; anything else is unchanged.
   */
  Buffer admit(String method, String path, Buffer body) {
    UnaryOperator<String> rewrite = imageRewrite;
    boolean deploymentWrite =
        ("POST".equals(method) && DEPLOYMENTS.matcher(path).matches())
            || ("PUT".equals(method) && DEPLOYMENT.matcher(path).matches());
    if (rewrite == null || !deploymentWrite || body.length() == 0) {
      return body;
    }
    JsonObject object;
    try {
      object = body.toJsonObject();
    } catch (DecodeException notJson) {
      return body;
    }
    JsonObject podSpec =
        object
            .getJsonObject("spec", new JsonObject())
            .getJsonObject("template", new JsonObject())
            .getJsonObject("spec");
    if (podSpec == null) {
      return body;
    }
    for (String list : List.of("containers", "initContainers")) {
      JsonArray containers = podSpec.getJsonArray(list);
      if (containers == null) {
        continue;
      }
      for (int i = 0; i < containers.size(); i++) {
        JsonObject container = containers.getJsonObject(i);
        String image = container.getString("image");
        if (image != null) {
          container.put("image", rewrite.apply(image));
        }
      }
    }
    mutated.incrementAndGet();
    return object.toBuffer();
  }

  /**
   * A watch of a client (not the cluster's own) opened on {@code path} from {@code
   * resourceVersion}; {@code expire} writes the given ERROR event line and ends it. Run the answer
   * when the watch ends.
   */
  Runnable watching(String path, long resourceVersion, Consumer<String> expire) {
    Object key = new Object();
    openWatches.put(key, new OpenWatch(path, resourceVersion, expire));
    return () -> openWatches.remove(key);
  }

  private static String expiredEvent(long resourceVersion) {
    return new JsonObject()
        .put("type", "ERROR")
        .put(
            "object",
            new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put(
                    "message",
                    "too old resource version: "
                        + resourceVersion
                        + " ("
                        + (resourceVersion + 1)
                        + ")")
                .put("reason", "Expired")
                .put("code", 410))
        .encode();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record OpenWatch(String path, long resourceVersion, Consumer<String> expire) {}

  void countDropped() {
    dropped.incrementAndGet();
  }

  /**
   * The Kubernetes {@code StatusReason} for an HTTP status; empty (omitted) for codes without one.
   */
  static String reason(int status) {
    return REASONS.getOrDefault(status, "");
  }

  private static final class Rule {
    final int status;
    final String method;
    final Pattern path;
    final AtomicInteger remaining;

    Rule(int status, String method, Pattern path, int times) {
      this.status = status;
      this.method = method;
      this.path = path;
      this.remaining = new AtomicInteger(times);
    }

    boolean matches(String requestMethod, String requestPath) {
      return (method == null || method.equals(requestMethod))
          && (path == null || path.matcher(requestPath).find());
    }

    /** Takes one answer; false once used up (another thread may have taken the last). */
    boolean claim() {
      while (true) {
        int n = remaining.get();
        if (n == UNTIL_CLEARED) {
          return true;
        }
        if (n <= 0) {
          return false;
        }
        if (remaining.compareAndSet(n, n - 1)) {
          return true;
        }
      }
    }

    boolean exhausted() {
      return remaining.get() == 0;
    }
  }
}
