package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.apis.CoreV1Api;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FakeClusterExtension.class)
class FakeClusterExtensionTest {

  private static FakeCluster fromBeforeAll;

  @BeforeAll
  static void remember(FakeCluster cluster) {
    fromBeforeAll = cluster;
  }

  @Test
  void injectsOneRunningClusterPerClass(FakeCluster cluster) throws Exception {
    assertThat(cluster).isSameAs(fromBeforeAll);
    assertThat(new CoreV1Api(cluster.apiClient()).listNode().execute().getItems()).hasSize(2);
    assertThat(cluster.simulator()).isNotNull();
  }
}
