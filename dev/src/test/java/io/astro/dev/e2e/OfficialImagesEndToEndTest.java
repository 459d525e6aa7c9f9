package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway.User;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Official images that start as root and drop privileges (chown their data, switch user, bind port
 * 80) run: the sandbox's kubelet kills them as a real node would when a capability they need is
 * missing, and Astro gives back the Pod Security baseline set after dropping ALL.
 */
class OfficialImagesEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @ParameterizedTest(name = "{0}")
  @CsvSource({"nginx:1.27, 80", "postgres:16, 5432", "redis:7, 6379"})
  void an_official_image_reaches_running_with_the_baseline_capabilities(String image, int port) {
    Gateway api = astro.gateway();
    User owner = api.newUser("img");
    JsonObject app =
        api.create(
            owner,
            new JsonObject()
                .put("name", image.substring(0, image.indexOf(':')))
                .put("image", image)
                .put("port", port));

    api.awaitRunning(owner, app.getString("id"), 1);

    V1SecurityContext security =
        astro
            .deployment(app.getString("namespace"), app.getString("k8s_name"))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getSecurityContext();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd())
        .containsExactlyInAnyOrder(
            "CHOWN",
            "DAC_OVERRIDE",
            "FOWNER",
            "FSETID",
            "KILL",
            "SETGID",
            "SETUID",
            "NET_BIND_SERVICE");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }
}
