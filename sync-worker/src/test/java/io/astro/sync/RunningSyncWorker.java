package io.astro.sync;

import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.testkit.kube.FakeCluster;
import io.astro.testkit.kube.KubeCluster;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * sync-worker started the way Main starts it, on the test broker and fake clusters named by their
 * {@code name()}.
 */
public final class RunningSyncWorker implements AutoCloseable {

  public static final String INTERNAL_TOKEN = "test-internal-token-0123456789";

  private final Service service;

  private RunningSyncWorker(Service service) {
    this.service = service;
  }

  public static RunningSyncWorker start(
      String bootstrap,
      String commandsTopic,
      String statusTopic,
      String group,
      List<? extends KubeCluster> clusters,
      Map<String, String> extra) {
    Map<String, String> vars =
        new HashMap<>(
            Map.of(
                "ASTRO_SYNC_WORKER_PORT",
                "0",
                "ASTRO_HTTP_HOST",
                "127.0.0.1",
                "ASTRO_KAFKA_BOOTSTRAP",
                bootstrap,
                "ASTRO_APP_COMMANDS_TOPIC",
                commandsTopic,
                "ASTRO_APP_STATUS_TOPIC",
                statusTopic,
                "ASTRO_APP_COMMANDS_GROUP",
                group,
                "ASTRO_INTERNAL_TOKEN",
                INTERNAL_TOKEN,
                "ASTRO_RECONCILE_RETRY_BASE",
                "50ms",
                "ASTRO_RECONCILE_RETRY_MAX",
                "1s",
                "ASTRO_CLUSTERS",
                java.util.stream.IntStream.range(0, clusters.size())
                    .mapToObj(i -> source(clusters.get(i), i))
                    .collect(Collectors.joining(","))));
    // the fake clusters listen on loopback, over http: allowed here as dev mode allows them
    vars.put("ASTRO_CLUSTER_ALLOWED_CIDRS", "127.0.0.0/8,::1/128");
    vars.put("ASTRO_CLUSTER_ALLOW_HTTP", "true");
    vars.putAll(extra);
    return new RunningSyncWorker(Main.start(Env.of(vars)).await());
  }

  /** A fake cluster's own name; a K3s cluster's by its place in the list. */
  static String name(KubeCluster cluster, int i) {
    return cluster instanceof FakeCluster fake ? fake.name() : "k3s-" + i;
  }

  static String source(KubeCluster cluster, int i) {
    return name(cluster, i)
        + "=base64:"
        + Base64.getEncoder().encodeToString(cluster.kubeconfig().getBytes(StandardCharsets.UTF_8));
  }

  public Service service() {
    return service;
  }

  public String url() {
    return "http://127.0.0.1:" + service.httpPort();
  }

  /** The Prometheus text of {@code /metrics}. */
  public String metrics() {
    return service.registry().scrape();
  }

  @Override
  public void close() {
    service.close().await();
  }
}
