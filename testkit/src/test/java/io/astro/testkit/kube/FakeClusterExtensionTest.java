package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.apis.CoreV1Api;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FakeClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FakeClusterExtensionTest {

  private static FakeCluster fromBeforeAll;

  @BeforeAll
  static void remember(FakeCluster cluster) {
    fromBeforeAll = cluster;
  }

  @Test
  @Order(1)
  void injectsOneRunningClusterPerClass(FakeCluster cluster) throws Exception {
    assertThat(cluster).isSameAs(fromBeforeAll);
    assertThat(new CoreV1Api(cluster.apiClient()).listNode().execute().getItems()).hasSize(2);
    assertThat(cluster.simulator()).isNotNull();
  }

  @Test
  @Order(2)
  void leavesApiFaultsBehind(FakeCluster cluster) {
    cluster.faults().respond(500, null, null, ApiFaults.UNTIL_CLEARED).unreachable(true);
  }

  @Test
  @Order(3)
  void clearedTheFaultsOfThePreviousTest(FakeCluster cluster) throws Exception {
    assertThat(cluster.faults().isUnreachable()).isFalse();
    assertThat(new CoreV1Api(cluster.apiClient()).listNode().execute().getItems()).hasSize(2);
  }
}
