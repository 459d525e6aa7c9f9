package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Kustomize} against the real kustomize ({@code kubectl kustomize}), when kubectl is on the
 * PATH: the same objects with the same content, but for the content hash kustomize appends to
 * generated ConfigMaps. Skipped without kubectl — the other checks do not need it.
 */
class KustomizeCrossCheckTest {

  static List<String> overlays() {
    return List.of("overlays/dev", "overlays/prod", "base", "base/infra", "base/monitoring");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void rendersWhatKustomizeRenders(String overlay) throws Exception {
    String real = kubectlKustomize(overlay);
    assumeTrue(real != null, "kubectl kustomize is not available here");
    // generated names: astro-mysql-init-7bh74mk9f8 → astro-mysql-init
    String normalised = real.replaceAll("(astro-[a-z-]+?)-[a-z0-9]{10}\\b", "$1");
    Map<String, Object> theirs = index(Kustomize.yaml().loadAll(normalised));
    Map<String, Object> ours =
        index(new ArrayList<>(Kustomize.render(Repo.path("k8s/" + overlay))));
    assertThat(ours.keySet()).as(overlay + ": the same objects").isEqualTo(theirs.keySet());
    for (String key : ours.keySet()) {
      assertThat(ours.get(key)).as(overlay + " " + key).isEqualTo(theirs.get(key));
    }
  }

  private static Map<String, Object> index(Iterable<?> docs) {
    Map<String, Object> byKey = new TreeMap<>();
    for (Object doc : docs) {
      if (doc == null) {
        continue;
      }
      Map<String, Object> map = Kustomize.cast(doc);
      Map<String, Object> meta = Kustomize.metadata(map);
      byKey.put(map.get("kind") + "/" + meta.get("namespace") + "/" + meta.get("name"), map);
    }
    return byKey;
  }

  private static String kubectlKustomize(String overlay) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder("kubectl", "kustomize", Repo.path("k8s/" + overlay).toString())
              .redirectErrorStream(false)
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(!err.contains("unknown command"), "kubectl without kustomize");
        throw new AssertionError("kubectl kustomize k8s/" + overlay + " failed: " + err);
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
