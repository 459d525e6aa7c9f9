package io.astro.sync.health;

import io.astro.common.events.cluster.ClusterStatusEvent;
import io.astro.common.kube.ClusterRights;
import io.astro.sync.clusters.AccessReview;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.KubeErrors;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.VersionInfo;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one cluster: {@code /version} and the node list, tried up to three times with back-off
 * (0.5 s, then 2 s), all within one time budget — each call's OkHttp call timeout is what is left
 * of it, so a hanging server costs at most the budget. A cluster is healthy when both answered, at
 * least one node is Ready, its credentials hold every required right of docs/rbac.md (one
 * SelfSubjectAccessReview each; the missing ones are named) and its informers are not failing
 * ({@link ClusterConnection#failure()} names each failing informer), which the API answering does
 * not make up for. The error it reports names the kind of failure and at most an HTTP status
 * ({@link KubeErrors#summary}); what the server or the connection said goes to the log only.
 */
public final class ClusterHealthCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterHealthCheck.class);

  private static final int ATTEMPTS = 3;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final Duration budget;

  public ClusterHealthCheck(Duration budget) {
    this.budget = budget;
  }

  /**
   * Checks one cluster within the budget.
   *
   * @param lastHeartbeat when the cluster last answered a check, or null; reported again if it does
   *     not answer now
   */
  public ClusterStatusEvent check(ClusterConnection cluster, Instant lastHeartbeat)
      throws InterruptedException {
    long deadline = System.nanoTime() + budget.toNanos();
    ApiClient client = cluster.client();
    String version = null;
    Instant heartbeat = lastHeartbeat;
    ClusterStatusEvent.Nodes nodes = null;
    String error = null;
    String detail = null;
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      boolean answered = false;
      try {
        VersionInfo info =
            call(
                client,
                new VersionApi(client).getCode().buildCall(null),
                VersionInfo.class,
                deadline);
        answered = true;
        version = info.getGitVersion();
        heartbeat = now();
        nodes =
            summarize(
                call(
                    client,
                    new CoreV1Api(client).listNode().buildCall(null),
                    V1NodeList.class,
                    deadline));
        error = null;
        break;
      } catch (ApiException | RuntimeException e) {
        error = (answered ? "nodes cannot be listed: " : "") + KubeErrors.summary(e);
        detail = KubeErrors.describe(e);
      }
      long left = deadline - System.nanoTime();
      if (attempt == ATTEMPTS || left <= backoff.toNanos()) {
        break;
      }
      Thread.sleep(backoff.toMillis());
      backoff = min(backoff.multipliedBy(4), MAX_BACKOFF);
    }
    if (error != null) {
      LOG.warn("health check of cluster {}: {}", cluster.id(), detail);
    } else {
      error = rights(cluster.id(), client);
    }
    if (cluster.failure() != null && (error == null || error.startsWith("missing rights"))) {
      error = error == null ? cluster.failure() : error + "; " + cluster.failure();
    }
    if (error == null && nodes.ready() == 0) {
      error = "no node is Ready";
    }
    return ClusterStatusEvent.checked(
        cluster.id(), version, client.getBasePath(), nodes, heartbeat, error, now());
  }

  /** Null when every required right of docs/rbac.md is granted, else which are missing. */
  private static String rights(String id, ApiClient client) {
    try {
      List<String> missing = AccessReview.missing(client, ClusterRights.required());
      return missing.isEmpty() ? null : "missing rights: " + String.join(", ", missing);
    } catch (ApiException | RuntimeException e) {
      LOG.warn("health check of cluster {}: rights not reviewed: {}", id, KubeErrors.describe(e));
      return "rights cannot be reviewed: " + KubeErrors.summary(e);
    }
  }

  private static <T> T call(ApiClient client, Call call, Class<T> type, long deadlineNanos)
      throws ApiException {
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    call.timeout().timeout(left, TimeUnit.MILLISECONDS);
    return client.<T>execute(call, type).getData();
  }

  static ClusterStatusEvent.Nodes summarize(V1NodeList list) {
    int count = 0;
    int ready = 0;
    BigDecimal cpu = BigDecimal.ZERO;
    BigDecimal memory = BigDecimal.ZERO;
    for (V1Node node : list.getItems()) {
      count++;
      if (node.getStatus() == null) {
        continue;
      }
      if (node.getStatus().getConditions() != null
          && node.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
        ready++;
      }
      Map<String, Quantity> allocatable = node.getStatus().getAllocatable();
      if (allocatable != null) {
        cpu = cpu.add(number(allocatable.get("cpu")));
        memory = memory.add(number(allocatable.get("memory")));
      }
    }
    return new ClusterStatusEvent.Nodes(count, ready, cpu.doubleValue(), memory.longValue());
  }

  private static BigDecimal number(Quantity quantity) {
    return quantity == null ? BigDecimal.ZERO : quantity.getNumber();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
