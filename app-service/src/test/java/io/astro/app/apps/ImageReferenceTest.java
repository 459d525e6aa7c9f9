package io.astro.app.apps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

  @Test
  void registries_are_told_apart_from_docker_hub_namespaces() {
    assertThat(ImageReference.parse("nginx")).isEqualTo(new ImageReference("docker.io", "nginx"));
    assertThat(ImageReference.parse("library/nginx:1.27"))
        .isEqualTo(new ImageReference("docker.io", "library/nginx"));
    assertThat(ImageReference.parse("ghcr.io/acme/web:1.0"))
        .isEqualTo(new ImageReference("ghcr.io", "acme/web"));
    assertThat(ImageReference.parse("localhost/app"))
        .isEqualTo(new ImageReference("localhost", "app"));
    assertThat(ImageReference.parse("registry.example.com:5000/team/api@sha256:" + "0".repeat(64)))
        .isEqualTo(new ImageReference("registry.example.com:5000", "team/api"));
  }

  @Test
  void malformed_references_are_refused() {
    for (String bad :
        new String[] {
          "",
          "Nginx",
          "nginx:",
          "nginx:-tag",
          "nginx@sha256:abc",
          "a//b",
          "/nginx",
          "nginx/",
          "ghcr.io/acme/Web",
          "x".repeat(513),
          "nginx latest"
        }) {
      assertThat(ImageReference.parse(bad)).as(bad).isNull();
    }
  }

  @Test
  void allow_list_entries_match_a_registry_or_a_registry_and_path_on_whole_segments() {
    ImageReference image = ImageReference.parse("ghcr.io/acme/web:1");
    assertThat(image.allowedBy("ghcr.io")).isTrue();
    assertThat(image.allowedBy("GHCR.io/acme")).isTrue();
    assertThat(image.allowedBy("ghcr.io/acme/")).isTrue();
    assertThat(image.allowedBy("ghcr.io/ac")).isFalse();
    assertThat(image.allowedBy("docker.io")).isFalse();
    assertThat(ImageReference.parse("nginx").allowedBy("docker.io")).isTrue();
  }
}
