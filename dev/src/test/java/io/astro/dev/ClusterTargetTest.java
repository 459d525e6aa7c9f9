package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.testkit.kube.FakeCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster is checked before anything starts: a broken kubeconfig is one line, not a
 * sync-worker never ready.
 */
class ClusterTargetTest {

  @TempDir Path dir;

  @Test
  void a_reachable_cluster_is_described_and_named_after_its_context() throws Exception {
    try (FakeCluster cluster = FakeCluster.start("kind-astro")) {
      Path file = Files.writeString(dir.resolve("config"), cluster.kubeconfig());
      ClusterTarget target = ClusterTarget.external(file);
      assertThat(target.id()).isEqualTo("kind-astro");
      assertThat(target.isSandbox()).isFalse();
      assertThat(target.kubeconfig()).isEqualTo(file);
      assertThat(target.description()).contains("kind-astro at " + cluster.url(), "Kubernetes v1.");
    }
  }

  @Test
  void a_missing_a_garbled_an_unreachable_or_a_refused_kubeconfig_is_one_line() throws Exception {
    assertThatThrownBy(() -> ClusterTarget.external(dir.resolve("nope")))
        .isInstanceOf(DevFailure.class)
        .hasMessageContaining("cannot be read");
    Path garbled = Files.writeString(dir.resolve("garbled"), "clusters: [");
    assertThatThrownBy(() -> ClusterTarget.external(garbled))
        .isInstanceOf(DevFailure.class)
        .hasMessageStartingWith("kubeconfig " + garbled + " is not usable");
    try (FakeCluster cluster = FakeCluster.start("gone")) {
      String kubeconfig = cluster.kubeconfig();
      Path unreachable =
          Files.writeString(
              dir.resolve("unreachable"), kubeconfig.replace(cluster.url(), "https://127.0.0.1:1"));
      assertThatThrownBy(() -> ClusterTarget.external(unreachable))
          .isInstanceOf(DevFailure.class)
          .hasMessageContaining("does not answer")
          .hasMessageNotContaining("\n");
      Path refused =
          Files.writeString(
              dir.resolve("refused"), kubeconfig.replaceAll("token: .*", "token: wrong"));
      assertThatThrownBy(() -> ClusterTarget.external(refused))
          .isInstanceOf(DevFailure.class)
          .hasMessageContaining("refused the credentials")
          .hasMessageContaining("401");
    }
  }

  @Test
  void ids_are_dns_labels_made_from_context_names() {
    assertThat(ClusterTarget.idOf("kind-astro")).isEqualTo("kind-astro");
    assertThat(ClusterTarget.idOf("arn:aws:eks:eu-west-1:123:cluster/Prod"))
        .isEqualTo("arn-aws-eks-eu-west-1-123-cluster-prod");
    assertThat(ClusterTarget.idOf("sandbox")).isEqualTo("external");
    assertThat(ClusterTarget.idOf("___")).isEqualTo("external");
  }
}
