package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.sync.reconcile.Manifests;
import io.astro.sync.reconcile.TenantPolicy;
import io.astro.testkit.Eventually;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An Event belongs to the app whose object it is about, found through the informers, not by name:
 * user 7's app {@code web} (objects {@code web-u7…}) and app {@code web-u7-x} (objects {@code
 * web-u7-x-u7…}) share a name prefix, and each sees only its own events.
 */
class EventOwnershipTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Manifests MANIFESTS = new Manifests(TenantPolicy.defaults());

  private static FakeCluster fake;
  private static ClusterConnection connection;
  private static ApiClient api;
  private static final AppCommand WEB = app("web");
  private static final AppCommand WEB_X = app("web-u7-x");

  @BeforeAll
  static void start() throws Exception {
    fake = FakeCluster.start("owners");
    api = fake.apiClient();
    ApiClient requests =
        new ClusterSource(fake.name(), fake.kubeconfig()).client(Duration.ofSeconds(10));
    connection =
        new ClusterConnection(
            fake.name(),
            requests,
            ClusterSource.watching(requests),
            Duration.ofMinutes(10),
            new QuietEvents());
    connection.start();
    new CoreV1Api(api).createNamespace(MANIFESTS.namespace(WEB.namespace(), 7)).execute();
    for (AppCommand app : List.of(WEB, WEB_X)) {
      new AppsV1Api(api)
          .createNamespacedDeployment(app.namespace(), MANIFESTS.deployment(app))
          .execute();
    }
    Eventually.until("informers synced", WAIT, connection::synced);
  }

  @AfterAll
  static void stop() {
    connection.close();
    fake.close();
  }

  @Test
  void a_quota_event_of_web_u7_x_is_not_an_event_of_web() throws Exception {
    V1ReplicaSet replicaSet = replicaSetOf(WEB_X);
    CoreV1Event quota =
        event(
            "ReplicaSet",
            replicaSet.getMetadata(),
            "FailedCreate",
            "pods \"" + replicaSet.getMetadata().getName() + "-x\" is forbidden: exceeded quota");

    Eventually.until(
        "the event reaches its app",
        WAIT,
        () ->
            names(connection.eventsOf(WEB_X.namespace(), WEB_X.appId()))
                .contains(quota.getMetadata().getName()));
    assertThat(replicaSet.getMetadata().getName()).startsWith(WEB.k8sName() + "-");
    assertThat(names(connection.eventsOf(WEB.namespace(), WEB.appId())))
        .doesNotContain(quota.getMetadata().getName());
  }

  @Test
  void an_event_about_an_apps_replica_set_belongs_to_that_app() throws Exception {
    V1ReplicaSet replicaSet = replicaSetOf(WEB);
    CoreV1Event scaled =
        event("ReplicaSet", replicaSet.getMetadata(), "SuccessfulCreate", "Created pod");

    Eventually.until(
        "the event reaches its app",
        WAIT,
        () ->
            names(connection.eventsOf(WEB.namespace(), WEB.appId()))
                .contains(scaled.getMetadata().getName()));
    assertThat(names(connection.eventsOf(WEB_X.namespace(), WEB_X.appId())))
        .doesNotContain(scaled.getMetadata().getName());
  }

  @Test
  void an_event_naming_an_object_that_is_no_longer_there_belongs_to_no_app() throws Exception {
    V1ReplicaSet replicaSet = replicaSetOf(WEB);
    V1ObjectMeta gone =
        new V1ObjectMeta()
            .name(replicaSet.getMetadata().getName())
            .namespace(replicaSet.getMetadata().getNamespace())
            .uid(UUID.randomUUID().toString()); // same name, an earlier object
    CoreV1Event stale = event("ReplicaSet", gone, "FailedCreate", "exceeded quota");
    CoreV1Event marker = event("ReplicaSet", replicaSet.getMetadata(), "Marker", "after");

    // events reach the informer in order: once the marker is there, the stale one was looked at
    Eventually.until(
        "the marker reaches its app",
        WAIT,
        () ->
            names(connection.eventsOf(WEB.namespace(), WEB.appId()))
                .contains(marker.getMetadata().getName()));
    assertThat(names(connection.eventsOf(WEB.namespace(), WEB.appId())))
        .doesNotContain(stale.getMetadata().getName());
  }

  private static AppCommand app(String name) {
    return new AppCommand(
        AppCommand.Command.CREATE,
        UUID.randomUUID().toString(),
        7,
        name,
        "owners",
        KubeNames.namespace(7),
        KubeNames.objectName(name, 7),
        1,
        new AppCommand.Desired(
            "registry.example.com/web:1",
            1,
            null,
            false,
            null,
            false,
            AppCommand.Release.BEFORE_RELEASES));
  }

  /** The ReplicaSet the fake's Deployment controller made for {@code app}'s Deployment. */
  private static V1ReplicaSet replicaSetOf(AppCommand app) {
    return Eventually.await(
            "a ReplicaSet of " + app.name(),
            WAIT,
            () ->
                new AppsV1Api(api)
                    .listNamespacedReplicaSet(app.namespace())
                    .labelSelector(KubeNames.APP_ID_LABEL + "=" + app.appId())
                    .execute()
                    .getItems(),
            sets -> !sets.isEmpty())
        .get(0);
  }

  private static CoreV1Event event(
      String kind, V1ObjectMeta involved, String reason, String message) throws Exception {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    CoreV1Event event =
        new CoreV1Event()
            .apiVersion("v1")
            .kind("Event")
            .metadata(
                new V1ObjectMeta()
                    .name(involved.getName() + "." + UUID.randomUUID())
                    .namespace(involved.getNamespace()))
            .involvedObject(
                new V1ObjectReference()
                    .apiVersion("apps/v1")
                    .kind(kind)
                    .name(involved.getName())
                    .namespace(involved.getNamespace())
                    .uid(involved.getUid()))
            .type("Warning")
            .reason(reason)
            .message(message)
            .firstTimestamp(now)
            .lastTimestamp(now)
            .count(1);
    return new CoreV1Api(api).createNamespacedEvent(involved.getNamespace(), event).execute();
  }

  private static List<String> names(List<CoreV1Event> events) {
    return events.stream().map(e -> e.getMetadata().getName()).toList();
  }
}
