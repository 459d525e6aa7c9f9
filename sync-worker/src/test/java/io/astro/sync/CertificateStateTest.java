package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A public app's status carries the state of its hosts' TLS certificates as cert-manager reports
 * them: pending, then issued, or failed with the condition's reason. A cluster without
 * cert-manager, or where the worker may not read Certificates, has no certificate state and is
 * healthy all the same.
 */
@ExtendWith(KafkaExtension.class)
class CertificateStateTest {

  private static final String DOMAIN = "apps.example.com";
  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 3);
    // cluster 0: cert-manager and its ingress-shim; 1: none; 2: installed, the worker may not list
    fx.cluster(0).certManager().ingressShim(true).hold(true);
    fx.cluster(2).certManager().ingressShim(true);
    fx.cluster(2).credential().deny("list", "certificates.cert-manager.io");
    fx.startWorker(
        Map.of(
            "ASTRO_APPS_DOMAIN", DOMAIN,
            "ASTRO_TLS_ISSUER", "letsencrypt",
            "ASTRO_CLUSTER_HEALTH_INTERVAL", "1s"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_certificate_is_pending_then_issued_and_a_failing_one_says_why() {
    FakeCluster cluster = fx.cluster(0);
    Commands.App app = new Commands.App(91, "secure", fx.clusterName(0));
    app.domains = List.of("www.example.org");
    fx.commands.send(app, "create");
    String host = app.k8sName() + "." + DOMAIN;

    JsonObject pending =
        awaitStatus(
            app,
            s -> "pending".equals(state(s, host)) && "pending".equals(state(s, "www.example.org")));
    assertThat(certificate(pending, host).getString("reason")).isEqualTo("DoesNotExist");

    cluster.certManager().hold(false);
    awaitStatus(
        app, s -> "issued".equals(state(s, host)) && "issued".equals(state(s, "www.example.org")));

    cluster.certManager().failIssuance("www.example.org");
    JsonObject failed = awaitStatus(app, s -> "failed".equals(state(s, "www.example.org")));
    assertThat(certificate(failed, "www.example.org").getString("reason")).isEqualTo("Failed");
    assertThat(state(failed, host)).isEqualTo("issued");
    assertThat(failed.getString("status")).isEqualTo("running");
  }

  @Test
  void without_cert_manager_or_the_right_to_read_it_there_is_no_certificate_state() {
    Commands.App bare = new Commands.App(92, "bare", fx.clusterName(1));
    Commands.App denied = new Commands.App(92, "denied", fx.clusterName(2));
    fx.commands.send(bare, "create");
    fx.commands.send(denied, "create");

    // the worker asked both clusters about cert-manager, and one had it but refused the list
    SyncWorkerFixture.await(
        "discovery asked",
        () -> fx.cluster(1).traffic().answers("GET", "/apis/cert-manager.io/v1", 404) > 0);
    SyncWorkerFixture.await(
        "the refused list",
        () ->
            fx.cluster(2).traffic().answers("GET", "/apis/cert-manager.io/v1/certificates", 403)
                > 0);
    for (Commands.App app : List.of(bare, denied)) {
      fx.awaitStatus(
          app, s -> "running".equals(s.getString("status")) && s.getString("url") != null);
    }
    // the clusters' health is not touched by it: checked after the worker looked and was refused
    for (int i = 1; i <= 2; i++) {
      String name = fx.clusterName(i);
      fx.awaitClusterStatus(name, d -> "healthy".equals(d.getString("status")));
    }
    // a later status (a scale) still carries none
    for (Commands.App app : List.of(bare, denied)) {
      app.replicas = 2;
      fx.commands.send(app, "scale");
      JsonObject scaled =
          fx.awaitStatus(
              app,
              s ->
                  s.getLong("observedGeneration") == app.generation
                      && s.getInteger("readyReplicas") == 2);
      assertThat(scaled.getJsonArray("certificates")).isEmpty();
      assertThat(fx.statuses(app, 1))
          .allSatisfy(s -> assertThat(s.getJsonArray("certificates", new JsonArray())).isEmpty());
    }
  }

  /**
   * As the fixture's wait; a timeout also tells what cluster 0 stores and what the app's statuses
   * said, so a failure shows whether the sandbox's cert-manager or the worker stood still.
   */
  private static JsonObject awaitStatus(Commands.App app, Predicate<JsonObject> wanted) {
    try {
      return fx.awaitStatus(app, wanted);
    } catch (AssertionError e) {
      String stored;
      try {
        stored =
            String.valueOf(
                new CustomObjectsApi(fx.cluster(0).apiClient())
                    .listClusterCustomObject("cert-manager.io", "v1", "certificates")
                    .execute());
      } catch (ApiException notListed) {
        stored = notListed.getCode() + " " + notListed.getResponseBody();
      }
      List<Object> certificates =
          fx.statuses(app, 0).stream().map(s -> s.getValue("certificates")).toList();
      throw new AssertionError(
          e.getMessage()
              + "\nCertificates in the cluster: "
              + stored
              + "\nthe app's statuses' certificates, oldest first: "
              + certificates,
          e);
    }
  }

  private static String state(JsonObject status, String host) {
    JsonObject c = certificate(status, host);
    return c == null ? null : c.getString("state");
  }

  private static JsonObject certificate(JsonObject status, String host) {
    for (Object o : status.getJsonArray("certificates", new JsonArray())) {
      if (o instanceof JsonObject c && host.equals(c.getString("host"))) {
        return c;
      }
    }
    return null;
  }
}
