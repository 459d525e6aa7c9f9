package io.astro.app.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TenantTextTest {

  @Test
  void a_reason_gets_its_own_text_whatever_the_message_said() {
    assertThat(TenantText.of("ErrImagePull", "dial tcp 10.0.0.7:6443: connect: connection refused"))
        .isEqualTo(TenantText.of("ErrImagePull", "http: server gave HTTP response to HTTPS client"))
        .isEqualTo(
            "the image cannot be pulled: check its name, tag, registry and pull credentials");
    assertThat(TenantText.of(null, "anything")).isNull();
  }

  @Test
  void an_unknown_reason_is_named_only_when_it_looks_like_a_reason_code() {
    assertThat(TenantText.of("FailedAttachVolume"))
        .isEqualTo("Kubernetes reported FailedAttachVolume");
    assertThat(TenantText.of("dial tcp 10.0.0.7:6443")).isEqualTo("Kubernetes reported a problem");
  }

  @Test
  void a_failed_rollout_names_the_reason_that_stalled_it_and_nothing_else_of_the_message() {
    assertThat(
            TenantText.of(
                "RolloutFailed", "CrashLoopBackOff: back-off 10s restarting failed container web"))
        .isEqualTo(
            "CrashLoopBackOff: the container keeps exiting; see its logs (the new release did not"
                + " become available in time; the previous one keeps serving)");
    assertThat(TenantText.of("RolloutFailed", "ReplicaSet \"web-5d\" has timed out progressing."))
        .isEqualTo(
            "the new release did not become available in time; the previous one keeps serving");
  }

  @Test
  void warnings_keep_reason_count_and_time_and_lose_the_message() {
    JsonArray told =
        TenantText.warnings(
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("reason", "Failed")
                        .put("message", "Failed to pull image \"10.0.0.7:6443/x\"")
                        .put("count", 3)
                        .put("lastSeen", "2026-01-01T00:00:00Z")));
    assertThat(told.getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("reason", "Failed")
                .put("message", "a container failed")
                .put("count", 3)
                .put("lastSeen", "2026-01-01T00:00:00Z"));
  }

  @Test
  void placement_tells_the_rule_without_capacity_or_labels() {
    assertThat(
            TenantText.placement(
                "most free CPU (3.5 of 8.0 cores) among 2 healthy clusters labelled tier=shared"))
        .isEqualTo("the healthy cluster with the most free CPU");
    assertThat(TenantText.placement("the default cluster (no clusters imported)"))
        .isEqualTo("the default cluster");
    assertThat(TenantText.placement("with the user's other apps"))
        .isEqualTo("with the user's other apps");
  }
}
