package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Registry reachability is decided from the reference's text, as the runtime would parse it. */
class ImageReferenceTest {

  @ParameterizedTest
  @CsvSource({
    "nginx, docker.io/library/nginx:latest, nginx",
    "nginx:1.27, docker.io/library/nginx:1.27, nginx",
    "docker.io/library/postgres:16, docker.io/library/postgres:16, postgres",
    "index.docker.io/redis:7, docker.io/library/redis:7, redis",
    "bitnami/nginx:1.27, docker.io/bitnami/nginx:1.27, ''",
    "ghcr.io/astro/web:1, ghcr.io/astro/web:1, ''",
    "localhost:5000/web, localhost:5000/web:latest, ''",
    "nginx@sha256:abc, docker.io/library/nginx@sha256:abc, nginx",
  })
  void referencesNormaliseAsTheRuntimeNormalisesThem(
      String image, String canonical, String official) {
    ImageReference ref = ImageReference.parse(image);

    assertThat(ref.canonical()).isEqualTo(canonical);
    assertThat(ref.officialName().orElse("")).isEqualTo(official);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "registry.invalid/web:1",
        "ghcr.test/astro/web",
        "my.registry.example:5000/web",
        "REGISTRY.INVALID/web",
        "10.0.0.5/web:1",
        "172.16.0.1:5000/web",
        "172.31.255.255/web",
        "192.168.1.10:5000/web",
        "127.0.0.1:5000/web",
        "localhost:5000/web",
        "169.254.169.254/web",
        "[::1]:5000/web",
        "[fe80::1]/web",
        "[fd12:3456::1]:5000/web",
      })
  void registriesThatCannotExistOrBeReachedFail(String image) {
    assertThat(ImageReference.parse(image).unreachable()).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "nginx:1.27",
        "ghcr.io/astro/web:1",
        "registry.example.com/web:1",
        "quay.io/invalid/web",
        "invalid/web:1",
        "172.32.0.1/web",
        "8.8.8.8/web",
        "999.1.1.1/web",
      })
  void publicRegistriesAreReachable(String image) {
    assertThat(ImageReference.parse(image).unreachable()).isEmpty();
  }
}
