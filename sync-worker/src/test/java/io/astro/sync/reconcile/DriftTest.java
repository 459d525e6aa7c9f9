package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.AppCommand;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which Deployment fields count as drift, and how repairs of returning drift are spaced. */
class DriftTest {

  private final Manifests manifests = new Manifests(TenantPolicy.defaults());
  private final AppCommand app =
      new AppCommand(
          AppCommand.Command.CREATE,
          "a1",
          7,
          "web",
          "c1",
          "astro-user-7",
          "web-u7",
          1,
          new AppCommand.Desired(
              "nginx:1.27", 1, 80, false, null, false, AppCommand.Release.BEFORE_RELEASES));

  private V1Deployment live(String image) {
    V1Deployment d =
        JSON.deserialize(JSON.serialize(manifests.deployment(app)), V1Deployment.class);
    d.getSpec().getTemplate().getSpec().getContainers().get(0).image(image);
    return d;
  }

  @Test
  void an_image_pinned_to_its_digest_keeping_the_tag_is_no_drift() {
    String digest = "@sha256:" + "ab".repeat(32);
    assertThat(AppReconciler.driftedField(manifests.deployment(app), live("nginx:1.27" + digest)))
        .isNull();
  }

  @Test
  void any_other_image_is_drift_named_by_its_field() {
    String digest = "@sha256:" + "ab".repeat(32);
    for (String image : new String[] {"nginx" + digest, "nginx:1.28", "mirror/nginx:1.27"}) {
      assertThat(AppReconciler.driftedField(manifests.deployment(app), live(image)))
          .as(image)
          .isEqualTo("spec.template.spec.containers[0].image");
    }
    assertThat(AppReconciler.sameImage("nginx:1.27", "nginx:1.27@sha256:abc")).isFalse();
  }

  @Test
  void repairs_back_off_exponentially_and_bounded() {
    assertThat(AppReconciler.driftBackoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(AppReconciler.driftBackoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(AppReconciler.driftBackoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(AppReconciler.driftBackoff(40)).isEqualTo(AppReconciler.DRIFT_BACKOFF_MAX);
  }
}
