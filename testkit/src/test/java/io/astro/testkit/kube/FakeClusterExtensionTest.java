package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What the extension provides: one running cluster per class, the same in {@code @BeforeAll},
 * {@code @BeforeEach} and test parameters; API faults cleared after each test; the cluster closed
 * after the class.
 */
@ExtendWith(FakeClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FakeClusterExtensionTest {

  private static FakeCluster fromBeforeAll;
  private FakeCluster fromBeforeEach;

  @BeforeAll
  static void remember(FakeCluster cluster) {
    fromBeforeAll = cluster;
  }

  @BeforeEach
  void rememberEach(FakeCluster cluster) {
    fromBeforeEach = cluster;
  }

  @Test
  @Order(1)
  void injectsOneRunningClusterPerClass(FakeCluster cluster) throws Exception {
    assertThat(cluster).isSameAs(fromBeforeAll).isSameAs(fromBeforeEach);
    assertThat(nodeNames(cluster.apiClient())).containsExactlyInAnyOrder("node-1", "node-2");
    // its simulated kubelet is running: it works through the cluster's Deployments on request
    assertThat(cluster.simulator().resync()).succeedsWithin(Duration.ofSeconds(30));
  }

  @Test
  @Order(2)
  void leavesApiFaultsBehind(FakeCluster cluster) {
    cluster.faults().respond(500, null, null, ApiFaults.UNTIL_CLEARED);
    assertThatThrownBy(() -> nodeNames(cluster.apiClient()))
        .isInstanceOfSatisfying(
            ApiException.class, refused -> assertThat(refused.getCode()).isEqualTo(500));

    cluster.faults().unreachable(true);
    assertThatThrownBy(() -> nodeNames(cluster.apiClient()))
        .isInstanceOfSatisfying(
            ApiException.class, unanswered -> assertThat(unanswered.getCode()).isZero());
  }

  @Test
  @Order(3)
  void clearedTheFaultsOfThePreviousTest(FakeCluster cluster) throws Exception {
    assertThat(cluster.faults().isUnreachable()).isFalse();
    assertThat(nodeNames(cluster.apiClient())).containsExactlyInAnyOrder("node-1", "node-2");
  }

  @Test
  @Order(4)
  void closesTheClusterAfterTheClass() {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Subject.class)).build(),
            listener);
    TestExecutionSummary summary = listener.getSummary();

    assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
    assertThat(summary.getTotalFailureCount()).isZero();
    assertThatThrownBy(() -> nodeNames(Subject.cluster.newClient()))
        .isInstanceOfSatisfying(
            ApiException.class, unanswered -> assertThat(unanswered.getCode()).isZero());
    assertThat(Subject.cluster.simulator().resync()).isCompletedExceptionally();
  }

  /** Run by {@link #closesTheClusterAfterTheClass} only (nested classes are not discovered). */
  @ExtendWith(FakeClusterExtension.class)
  static class Subject {
    static FakeCluster cluster;

    @Test
    void uses(FakeCluster injected) throws Exception {
      cluster = injected;
      assertThat(nodeNames(injected.apiClient())).hasSize(2);
    }
  }

  private static List<String> nodeNames(ApiClient client) throws ApiException {
    return new CoreV1Api(client)
        .listNode().execute().getItems().stream()
            .map(V1Node::getMetadata)
            .map(metadata -> metadata.getName())
            .toList();
  }
}
