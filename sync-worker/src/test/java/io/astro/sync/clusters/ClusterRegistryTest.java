package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's clusters' clients are made ahead of the worker's start, as a put makes them; the
 * number of clusters is bounded.
 */
class ClusterRegistryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(7);

  private static FakeCluster fake;

  @BeforeAll
  static void start() {
    fake = FakeCluster.start("opened-early");
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @Test
  void clients_opened_early_answer_for_their_cluster() throws Exception {
    Map<String, ApiClient> clients =
        ClusterRegistry.openEarly(List.of(new ClusterSource("east", fake.kubeconfig())), TIMEOUT)
            .get(30, TimeUnit.SECONDS);

    assertThat(clients).containsOnlyKeys("east");
    ApiClient east = clients.get("east");
    assertThat(east.getReadTimeout()).isEqualTo(TIMEOUT.toMillis());
    // the sandbox answers 401 without the kubeconfig's token and refuses a client without its CA
    assertThat(new CoreV1Api(east).listNamespace().limit(1).execute().getItems()).isNotNull();
  }

  @Test
  void an_unusable_kubeconfig_is_refused_by_cluster_id_without_its_text() {
    String broken = "clusters: [ {cluster: {server: 'https://127.0.0.1:1', token: s3cret-token";

    assertThatThrownBy(
            () ->
                ClusterRegistry.openEarly(
                        List.of(
                            new ClusterSource("east", fake.kubeconfig()),
                            new ClusterSource("west", broken)),
                        TIMEOUT)
                    .join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cluster west: unusable kubeconfig (")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void a_cluster_over_the_bound_is_refused_before_its_kubeconfig_is_read() {
    try (ClusterRegistry registry =
        new ClusterRegistry(
            new ConnectedClusters(), new QuietEvents(), TIMEOUT, Duration.ofMinutes(10), 1)) {
      registry.put(new ClusterSource("east", fake.kubeconfig()));

      // an unusable kubeconfig would be refused as such had its client been made
      assertThatThrownBy(() -> registry.put(new ClusterSource("west", "clusters: [")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cluster west refused: at most 1 clusters");
      assertThat(registry.get("west")).isEmpty();

      // a cluster already held may still be replaced
      ClusterConnection first = registry.get("east").orElseThrow();
      registry.put(new ClusterSource("east", fake.kubeconfig()));
      assertThat(registry.get("east").orElseThrow()).isNotSameAs(first);
    }
  }
}
