package io.astro.sync.logs;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.sync.clusters.ClusterClients;
import io.astro.sync.http.KubeAnswers;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Pod;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The internal logs endpoint app-service calls (not routed by the gateway): {@code GET
 * /internal/v1/clusters/{cluster}/namespaces/{ns}/deployments/{name}/logs?lines=&container=&previous=&follow=}
 * behind {@code Authorization: Bearer <internal token>}. The contract is in {@code
 * docs/sync-worker-logs.md}.
 *
 * <p>Every Kubernetes call runs on a bounded pool of its own, never on the event loop. A tail
 * answers within {@link #TAIL_BUDGET} or says the cluster did not answer, so it stays inside
 * app-service's 3 s timeout.
 */
public final class LogRoutes {

  public static final String PATH =
      "/internal/v1/clusters/:cluster/namespaces/:ns/deployments/:name/logs";

  static final Duration TAIL_BUDGET = Duration.ofMillis(2500);

  /** Pod log streams open at once, across all followers; one thread each. */
  static final int MAX_STREAMS = 128;

  /**
   * Log text one tail reads at most, shared among its pods: with {@link #TAIL_THREADS} tails at
   * once, what tails hold stays within a few tens of MiB whatever the containers print.
   */
  static final int TAIL_BYTES = 4 * 1024 * 1024;

  /** Each pod's share of {@link #TAIL_BYTES} stays within these. */
  static final int MIN_POD_TAIL_BYTES = 64 * 1024;

  static final int MAX_POD_TAIL_BYTES = 1024 * 1024;

  private static final int TAIL_THREADS = 8;
  private static final int TAIL_QUEUE = 64;
  private static final Logger LOG = LoggerFactory.getLogger(LogRoutes.class);

  private final Vertx vertx;
  private final ClusterClients clusters;
  private final InternalToken token;
  private final BlockingPool tails = new BlockingPool("pod-log-tail", TAIL_THREADS, TAIL_QUEUE);
  private final BlockingPool streams = new BlockingPool("pod-log-follow", MAX_STREAMS, 0);
  private final AtomicInteger openStreams = new AtomicInteger();

  /**
   * @param internalToken the shared secret callers must present; null or blank turns the endpoint
   *     off (every request answers 503), so a missing setting never means "no authentication"
   */
  public LogRoutes(Vertx vertx, ClusterClients clusters, String internalToken) {
    this.vertx = vertx;
    this.clusters = clusters;
    if (internalToken == null || internalToken.isBlank()) {
      LOG.warn("no internal token configured (ASTRO_INTERNAL_TOKEN): app logs cannot be read");
      this.token = null;
    } else {
      this.token = new InternalToken(internalToken);
    }
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::logs);
  }

  /**
   * Kubernetes log streams open now (follow requests hold one per pod until their client goes
   * away).
   */
  public int openStreams() {
    return openStreams.get();
  }

  private void logs(RoutingContext ctx) {
    if (token == null) {
      throw new ApiException(ErrorCode.UNAVAILABLE, "log reading is not configured");
    }
    token.check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    LogRequest request = LogRequest.from(ctx);
    Context context = vertx.getOrCreateContext();
    Deadline deadline = Deadline.in(TAIL_BUDGET);
    // the cluster lookup goes to the pool too: a registry may build a client (TLS, kubeconfig) on
    // first use
    Future<?> answered =
        request.follow()
            ? tails
                .call(
                    context,
                    () -> {
                      ApiClient client = client(request);
                      return new Found(client, pods(client, request, deadline));
                    })
                .compose(found -> follow(ctx, context, found.client(), request, found.pods()))
            : tails
                .call(
                    context,
                    () -> {
                      ApiClient client = client(request);
                      return tail(client, request, pods(client, request, deadline), deadline);
                    })
                .compose(
                    text ->
                        ctx.response().closed()
                            ? Future.succeededFuture()
                            : ctx.response()
                                .putHeader(HttpHeaders.CONTENT_TYPE, LogLines.TEXT)
                                .end(text));
    answered.onFailure(
        failure -> {
          if (!ctx.response().closed()) {
            ctx.fail(failure);
          }
        });
  }

  private record Found(ApiClient client, List<V1Pod> pods) {}

  private ApiClient client(LogRequest request) {
    return clusters
        .client(request.cluster())
        .orElseThrow(() -> KubeAnswers.missing("cluster", "unknown cluster " + request.cluster()));
  }

  private static List<V1Pod> pods(ApiClient client, LogRequest request, Deadline deadline) {
    List<V1Pod> pods;
    try {
      pods = DeploymentPods.find(client, request.namespace(), request.deployment(), deadline);
    } catch (io.kubernetes.client.openapi.ApiException e) {
      throw KubeAnswers.of(
          e,
          "deployment " + request.namespace() + "/" + request.deployment(),
          "deployment",
          KubeAnswers.Reader.TENANT);
    }
    if (request.container() != null
        && !pods.isEmpty()
        && pods.stream().noneMatch(pod -> PodContainers.names(pod).contains(request.container()))) {
      throw new FieldErrors()
          .add("container", "no pod of this deployment has a container of that name")
          .toException();
    }
    return pods;
  }

  // blocking: one pod after the other, all within the request's budget
  private static String tail(
      ApiClient client, LogRequest request, List<V1Pod> pods, Deadline deadline) {
    int podBytes = podTailBytes(pods.size());
    StringBuilder out = new StringBuilder();
    for (V1Pod pod : pods) {
      String name = pod.getMetadata().getName();
      String container = PodContainers.pick(pod, request.container());
      if (container == null) {
        LogLines.append(out, name, LogLines.note("no such container in this pod"), false);
        continue;
      }
      PodLogReader.Tail tail =
          PodLogReader.tail(
              client,
              request.namespace(),
              name,
              container,
              request.lines(),
              request.previous(),
              podBytes,
              deadline);
      tail.lines().forEach(line -> LogLines.append(out, name, line, false));
      // after the lines: a cut tail's note says what is missing at the end
      if (tail.note() != null) {
        LogLines.append(out, name, LogLines.note(tail.note()), false);
      }
    }
    return out.toString();
  }

  /** One pod's share of a tail's bytes. */
  static int podTailBytes(int pods) {
    int share = TAIL_BYTES / Math.max(1, pods);
    return Math.max(MIN_POD_TAIL_BYTES, Math.min(MAX_POD_TAIL_BYTES, share));
  }

  private Future<Void> follow(
      RoutingContext ctx, Context context, ApiClient client, LogRequest request, List<V1Pod> pods) {
    if (ctx.response().closed()) {
      return Future.succeededFuture();
    }
    FollowSession session =
        new FollowSession(vertx, context, ctx.response(), request.sse(), openStreams);
    List<FollowSession.Pod> followed =
        pods.stream()
            .map(
                pod ->
                    new FollowSession.Pod(
                        pod.getMetadata().getName(), PodContainers.pick(pod, request.container())))
            .toList();
    if (openStreams.get() + followed.size() > MAX_STREAMS
        || !session.start(streams, client, request.namespace(), followed, request.lines())) {
      return Future.failedFuture(BlockingPool.busy());
    }
    // a graceful shutdown waits for open requests; a stream never ends on its own, so end it then
    ctx.request().connection().shutdownHandler(v -> session.finish());
    return Future.succeededFuture();
  }
}
