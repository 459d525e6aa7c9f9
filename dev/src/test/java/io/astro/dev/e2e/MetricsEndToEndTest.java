package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.Databases;
import io.astro.dev.Workspace;
import io.astro.dev.e2e.Gateway.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator's Prometheus scrapes from each service after a user ran an app: the business
 * metrics, each moved by exactly what the test did. The system is shared with the other end-to-end
 * classes, so every count is read before and compared after; nothing else acts meanwhile.
 */
class MetricsEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  private static final String COMMAND = "type=\"io.astro.app.command.v2\"";
  private static final String[] DEPLOYMENT_CREATES = {"kind=\"Deployment\"", "verb=\"create\""};
  private static final String[] APP_READS = {
    "route=\"/api/v1/apps/**\"", "method=\"GET\"", "status=\"200\""
  };

  @Test
  void every_service_reports_its_business_metrics() throws SQLException {
    Gateway api = astro.gateway();
    String users = url(AstroServices.USER_SERVICE);
    String apps = url(AstroServices.APP_SERVICE);
    String sync = url(AstroServices.SYNC_WORKER);
    String gateway = url(AstroServices.GATEWAY);
    double disabledBefore = settled(users, "astro_users", Databases.USERS, "users", "disabled");
    double stoppedBefore = settled(apps, "astro_apps", Databases.APPS, "apps", "stopped");
    double commandsBefore = count(apps, "astro_app_events_emitted_total", COMMAND);
    double createsBefore = count(sync, "astro_sync_writes_total", DEPLOYMENT_CREATES);
    double runningBefore = count(sync, "astro_sync_status_published_total", "status=\"running\"");
    double latenciesBefore = count(sync, "astro_sync_command_to_status_seconds_count");
    double appsBefore = count(sync, "astro_sync_apps");

    User user = api.newUser("met");
    String id = api.create(user, "metered", 1).getString("id");
    api.awaitRunning(user, id, 1);

    // one more app the sync-worker holds; its Deployment created (every attempt counts: a create
    // the informer had not seen yet may be refused and tried again), its status published
    Scrape.awaitSample(sync, "astro_sync_apps", n -> n == appsBefore + 1);
    String synced = Scrape.get(sync + "/metrics").body();
    assertThat(Scrape.value(synced, "astro_sync_writes_total", DEPLOYMENT_CREATES))
        .isGreaterThanOrEqualTo(createsBefore + 1);
    assertThat(Scrape.value(synced, "astro_sync_status_published_total", "status=\"running\""))
        .isGreaterThanOrEqualTo(runningBefore + 1);
    assertThat(Scrape.value(synced, "astro_sync_command_to_status_seconds_count"))
        .isGreaterThanOrEqualTo(latenciesBefore + 1);
    assertThat(Scrape.sample(synced, "astro_sync_command_to_status_seconds_bucket", "le=\"+Inf\""))
        .hasValue(Scrape.value(synced, "astro_sync_command_to_status_seconds_count"));

    // stopping moves the app into the stopped series, starting takes it out again
    api.act(user, id, "stop", null);
    Scrape.awaitSample(apps, "astro_apps", n -> n == stoppedBefore + 1, "status=\"stopped\"");
    api.act(user, id, "start", null);
    api.awaitRunning(user, id, 1);
    Scrape.awaitSample(apps, "astro_apps", n -> n == stoppedBefore, "status=\"stopped\"");
    // create, stop, start: three commands taken by Kafka, and none left waiting in the outbox
    Scrape.awaitSample(
        apps, "astro_app_events_emitted_total", n -> n == commandsBefore + 3, COMMAND);
    Scrape.awaitSample(apps, "astro_app_outbox_pending", n -> n == 0);

    // the gateway times every request by route template, method and status
    double readsBefore = count(gateway, "astro_gateway_requests_seconds_count", APP_READS);
    for (int i = 0; i < 3; i++) {
      assertThat(api.get("/api/v1/apps/" + id, user.token()).status()).isEqualTo(200);
    }
    Scrape.awaitSample(
        gateway, "astro_gateway_requests_seconds_count", n -> n == readsBefore + 3, APP_READS);

    // an account the admin disables moves to the disabled series
    disable(api, user);
    Scrape.awaitSample(users, "astro_users", n -> n == disabledBefore + 1, "status=\"disabled\"");
  }

  private static void disable(Gateway api, User user) {
    Workspace.Admin admin = astro.dev().admin();
    User operator = api.login(admin.username(), admin.password(), null);
    Gateway.Answer disabled =
        api.post("/api/v1/admin/users/" + user.uuid() + "/disable", operator.token(), null);
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
  }

  /**
   * A gauge of live rows by status once it shows what the database holds now. Such gauges are read
   * from the database every few seconds, so a change an earlier test made and undid (an account
   * disabled and enabled again) may still be showing, and would be taken for this test's change.
   */
  private static double settled(
      String serviceUrl, String name, String database, String table, String status)
      throws SQLException {
    long live;
    try (Connection c = astro.database(database);
        PreparedStatement count =
            c.prepareStatement(
                "SELECT COUNT(*) FROM " + table + " WHERE deleted_at IS NULL AND status = ?")) {
      count.setString(1, status);
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        live = rows.getLong(1);
      }
    }
    Scrape.awaitSample(serviceUrl, name, n -> n == live, "status=\"" + status + "\"");
    return live;
  }

  /** A counter or gauge now; a series not there yet counts 0. */
  private static double count(String serviceUrl, String name, String... labels) {
    return Scrape.sample(Scrape.get(serviceUrl + "/metrics").body(), name, labels).orElse(0);
  }

  private static String url(String service) {
    return astro.dev().managementUrl(service);
  }
}
