package io.astro.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.app.apps.WriteLimits;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppServiceConfigTest {

  @Test
  void the_sync_worker_defaults_to_localhost_8083_with_no_token() {
    AppServiceConfig.SyncWorker worker = AppServiceConfig.from(Env.of(Map.of())).syncWorker();

    assertThat(worker.url()).isEqualTo(URI.create("http://localhost:8083"));
    assertThat(worker.internalToken()).isNull();
    assertThat(worker.timeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void the_internal_token_comes_from_the_environment_or_a_file_and_is_never_printed(
      @TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-a-mounted-secret-file\n");
    AppServiceConfig.SyncWorker fromFile =
        AppServiceConfig.from(Env.of(Map.of("ASTRO_INTERNAL_TOKEN_FILE", file.toString())))
            .syncWorker();
    AppServiceConfig.SyncWorker fromEnv =
        AppServiceConfig.from(Env.of(Map.of("ASTRO_INTERNAL_TOKEN", "from-the-environment-1234")))
            .syncWorker();

    assertThat(fromFile.internalToken()).isEqualTo("from-a-mounted-secret-file");
    assertThat(fromEnv.internalToken()).isEqualTo("from-the-environment-1234");
    assertThat(fromEnv.toString()).doesNotContain("from-the-environment-1234");
  }

  @Test
  void a_short_token_or_a_url_that_is_not_http_stops_the_start() {
    assertThatThrownBy(() -> AppServiceConfig.from(Env.of(Map.of("ASTRO_INTERNAL_TOKEN", "short"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_INTERNAL_TOKEN");
    assertThatThrownBy(
            () ->
                AppServiceConfig.from(Env.of(Map.of("ASTRO_SYNC_WORKER_URL", "sync-worker:8083"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_SYNC_WORKER_URL");
  }

  @Test
  void write_limits_history_retention_and_the_disabled_accounts_poll_have_bounded_defaults() {
    AppServiceConfig defaults = AppServiceConfig.from(Env.of(Map.of()));

    assertThat(defaults.writeLimits()).isEqualTo(new WriteLimits(10, 60, Duration.ofMinutes(1)));
    assertThat(defaults.cleanup().appEventsRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(defaults.disabledUsers().url())
        .isEqualTo(URI.create("http://localhost:8081/internal/v1/users/disabled"));
    assertThat(defaults.disabledUsers().every()).isEqualTo(Duration.ofSeconds(10));
    assertThat(
            AppServiceConfig.from(
                    Env.of(Map.of("ASTRO_USER_SERVICE_URL", "http://user-service:8081/")))
                .disabledUsers()
                .url())
        .isEqualTo(URI.create("http://user-service:8081/internal/v1/users/disabled"));
    for (Map.Entry<String, String> bad :
        Map.of(
                "ASTRO_WRITE_LIMIT_WINDOW", "2h",
                "ASTRO_WRITE_LIMIT_PER_APP_ACTION", "0",
                "ASTRO_WRITE_LIMIT_PER_USER", "-1",
                "ASTRO_APP_EVENTS_RETENTION", "12h",
                "ASTRO_DISABLED_USERS_POLL", "1m",
                "ASTRO_USER_SERVICE_URL", "user-service:8081")
            .entrySet()) {
      assertThatThrownBy(() -> AppServiceConfig.from(Env.of(Map.ofEntries(bad))))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(bad.getKey());
    }
  }

  @Test
  void streams_default_to_ten_per_user_for_half_an_hour_and_refuse_what_cannot_work() {
    AppServiceConfig.Streams streams = AppServiceConfig.from(Env.of(Map.of())).streams();

    assertThat(streams)
        .isEqualTo(
            new AppServiceConfig.Streams(10, Duration.ofMinutes(30), Duration.ofSeconds(15)));
    assertThatThrownBy(
            () -> AppServiceConfig.from(Env.of(Map.of("ASTRO_APP_SERVICE_STREAMS_PER_USER", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_APP_SERVICE_STREAMS_PER_USER");
    assertThatThrownBy(
            () -> AppServiceConfig.from(Env.of(Map.of("ASTRO_APP_SERVICE_STREAM_LIFETIME", "0s"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_APP_SERVICE_STREAM_LIFETIME");
  }
}
