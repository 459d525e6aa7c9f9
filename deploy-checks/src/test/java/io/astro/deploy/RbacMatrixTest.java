package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.ClusterRights;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/rbac.md's matrix is {@link ClusterRights#MATRIX}, row for row: the document operators read
 * is the list the import and health checks verify (the ClusterRole is held to it in {@link
 * KubernetesManifestsTest}).
 */
class RbacMatrixTest {

  @Test
  void docsTableIsTheMatrixTheChecksVerify() {
    List<String> documented =
        Repo.read("docs/rbac.md")
            .lines()
            .filter(l -> l.startsWith("| ") && !l.startsWith("| verb "))
            .map(
                l ->
                    String.join(
                        "|",
                        Arrays.stream(l.substring(1, l.length() - 1).split("\\|"))
                            .map(String::strip)
                            .toList()))
            .toList();
    List<String> matrix =
        ClusterRights.MATRIX.stream()
            .map(
                r ->
                    String.join(
                        "|",
                        r.verb(),
                        r.resource(),
                        r.group().isEmpty() ? "\"\"" : r.group(),
                        r.scope().label(),
                        r.required() ? "required" : "optional",
                        r.feature()))
            .toList();
    assertThat(documented).containsExactlyElementsOf(matrix);
  }
}
