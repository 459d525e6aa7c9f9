package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an operator's Prometheus scrapes from each service after a user ran an app: the business
 * metrics.
 */
@ExtendWith(RunningAstro.Extension.class)
class MetricsEndToEndTest {

  private static RunningAstro astro;
  private static Gateway api;

  @BeforeAll
  static void system(RunningAstro running) {
    astro = running;
    api = running.gateway();
  }

  @Test
  void every_service_reports_its_business_metrics() {
    User user = api.newUser("met");
    String id = api.create(user, "metered", 1).getString("id");
    api.awaitRunning(user, id, 1);

    String gateway = Scrape.get(url(AstroServices.GATEWAY) + "/metrics").body();
    assertThat(
            Scrape.value(
                gateway, "astro_gateway_requests_seconds_count", "route=\"/api/v1/apps/**\""))
        .isGreaterThan(0);

    Scrape.awaitSample(
        url(AstroServices.USER_SERVICE), "astro_users", n -> n >= 2, "status=\"active\"");

    String apps =
        Scrape.awaitSample(
            url(AstroServices.APP_SERVICE), "astro_apps", n -> n >= 1, "status=\"running\"");
    assertThat(Scrape.sample(apps, "astro_apps", "status=\"failed\"")).isPresent();
    assertThat(Scrape.sample(apps, "astro_app_outbox_pending")).isPresent();
    assertThat(
            Scrape.sample(
                    apps, "astro_app_events_emitted_total", "type=\"io.astro.app.command.v1\"")
                .orElse(0))
        .isGreaterThanOrEqualTo(1);

    String sync = Scrape.get(url(AstroServices.SYNC_WORKER) + "/metrics").body();
    // commands applied: the writes they caused in the cluster, and the statuses published back
    assertThat(
            Scrape.value(sync, "astro_sync_writes_total", "kind=\"Deployment\"", "verb=\"create\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(Scrape.value(sync, "astro_sync_status_published_total", "status=\"running\""))
        .isGreaterThanOrEqualTo(1);
    // command -> status latency, a histogram
    assertThat(Scrape.value(sync, "astro_sync_command_to_status_seconds_count"))
        .isGreaterThanOrEqualTo(1);
    assertThat(Scrape.sample(sync, "astro_sync_command_to_status_seconds_bucket", "le=\"+Inf\""))
        .isPresent();
    assertThat(Scrape.value(sync, "astro_sync_apps")).isGreaterThan(0);
  }

  private static String url(String service) {
    return astro.dev().serviceUrl(service);
  }
}
