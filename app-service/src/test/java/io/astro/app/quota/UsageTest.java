package io.astro.app.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.app.AppCommand;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What app-service counts against a user namespace's quota, as the ResourceQuota the sync-worker
 * writes counts it: requests of CPU and memory, pods, and every container's ephemeral-storage limit
 * from the LimitRange.
 */
class UsageTest {

  private static final AppCommand.Resources SMALL =
      new AppCommand.Resources("small", "100m", "250m", "256Mi", "256Mi");

  @Test
  void ephemeral_storage_counts_each_pods_limit_and_is_refused_past_the_quota_when_it_grows() {
    NamespaceQuota quota =
        NamespaceQuota.from(
            Env.of(
                Map.of(
                    "ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", "3Gi",
                    "ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE", "1Gi")));
    long perPod = quota.containerEphemeralStorageBytes();

    Usage three = Usage.of(SMALL, perPod, 3);
    Usage four = Usage.of(SMALL, perPod, 4);

    assertThat(three.ephemeralStorageBytes()).isEqualTo(3L << 30);
    assertThat(three.exceeded(quota, Usage.NONE)).isEmpty();
    assertThat(four.exceeded(quota, three)).contains("ephemeral-storage");
    // not grown: never refused for it, even over a quota lowered since
    assertThat(four.exceeded(quota, four)).isEmpty();
  }

  @Test
  void the_defaults_are_the_sync_workers_and_a_bad_quantity_fails_start_up() {
    NamespaceQuota defaults = NamespaceQuota.from(Env.of(Map.of()));
    assertThat(defaults.ephemeralStorageBytes()).isEqualTo(20L << 30);
    assertThat(defaults.containerEphemeralStorageBytes()).isEqualTo(1L << 30);
    assertThatThrownBy(
            () ->
                NamespaceQuota.from(
                    Env.of(Map.of("ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", "a lot"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE");
  }
}
