package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.reflect.TypeToken;
import io.astro.testkit.Eventually;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API of a {@link FakeCluster} failing on purpose — and recovering — as seen through the
 * official client.
 */
class FakeClusterFaultsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static FakeCluster cluster;
  private static AppsV1Api apps;
  private static CoreV1Api core;

  @BeforeAll
  static void startCluster() {
    cluster = FakeCluster.start();
    apps = new AppsV1Api(cluster.apiClient());
    core = new CoreV1Api(cluster.apiClient());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @AfterEach
  void clearFaults() {
    cluster.faults().clear();
  }

  @Test
  void injected500OnReplaceFailsTwiceThenTheReplaceGoesThrough() throws Exception {
    String ns = namespace("replace");
    apps.createNamespacedDeployment(ns, deployment(ns, "web", 0)).execute();
    // Let the simulator write its status first, so the read below stays current (steady state
    // writes nothing).
    Eventually.await(
        "web observed by the simulator",
        WAIT,
        () -> apps.readNamespacedDeployment("web", ns).execute(),
        d ->
            d.getStatus() != null
                && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration()));
    int injectedBefore = cluster.faults().injected();
    cluster.faults().respond(500, "PUT", "/namespaces/" + ns + "/deployments/[^/]+$", 2);

    // Reads are not matched by the rule.
    V1Deployment current = apps.readNamespacedDeployment("web", ns).execute();
    current.getSpec().setReplicas(1);
    for (int attempt = 1; attempt <= 2; attempt++) {
      assertThatThrownBy(() -> apps.replaceNamespacedDeployment("web", ns, current).execute())
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(500);
                V1Status status = JSON.deserialize(e.getResponseBody(), V1Status.class);
                assertThat(status.getKind()).isEqualTo("Status");
                assertThat(status.getStatus()).isEqualTo("Failure");
                assertThat(status.getReason()).isEqualTo("InternalError");
                assertThat(status.getCode()).isEqualTo(500);
                assertThat(status.getMessage()).startsWith("injected");
              });
    }
    // Nothing reached the stored state: the replica count is unchanged.
    assertThat(apps.readNamespacedDeployment("web", ns).execute().getSpec().getReplicas()).isZero();

    V1Deployment replaced = apps.replaceNamespacedDeployment("web", ns, current).execute();
    assertThat(replaced.getSpec().getReplicas()).isEqualTo(1);
    assertThat(cluster.faults().injected() - injectedBefore).isEqualTo(2);
  }

  @Test
  void injected429CarriesRetryAfter() throws Exception {
    cluster.faults().respond(429, "GET", "^/api/v1/namespaces/throttled/configmaps$", 1);

    assertThatThrownBy(() -> core.listNamespacedConfigMap("throttled").execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(429);
              // OkHttp hands header names over in lower case.
              assertThat(e.getResponseHeaders()).containsEntry("retry-after", List.of("1"));
              V1Status status = JSON.deserialize(e.getResponseBody(), V1Status.class);
              assertThat(status.getReason()).isEqualTo("TooManyRequests");
              assertThat(status.getDetails().getRetryAfterSeconds()).isEqualTo(1);
            });
    assertThat(core.listNamespacedConfigMap("throttled").execute().getItems()).isEmpty();
  }

  @Test
  void injected409OnCreateCreatesNothing() throws Exception {
    String ns = namespace("conflict");
    cluster
        .faults()
        .respond(409, "POST", "/namespaces/" + ns + "/configmaps$", ApiFaults.UNTIL_CLEARED);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> core.createNamespacedConfigMap(ns, configMap(ns, "cm")).execute())
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(409);
                assertThat(e.getResponseBody()).contains("\"reason\":\"Conflict\"");
              });
    }
    assertThat(core.listNamespacedConfigMap(ns).execute().getItems()).isEmpty();

    cluster.faults().clear();
    assertThat(
            core.createNamespacedConfigMap(ns, configMap(ns, "cm"))
                .execute()
                .getMetadata()
                .getName())
        .isEqualTo("cm");
  }

  @Test
  void hungCreatesTimeOutAtTheClientAndCreateNothing() throws Exception {
    String ns = namespace("hung");
    cluster.faults().hang("POST", "/namespaces/" + ns + "/configmaps$", 2);
    int hungBefore = cluster.faults().hung();
    ApiClient impatient = cluster.newClient();
    impatient.setReadTimeout(300);
    CoreV1Api client = new CoreV1Api(impatient);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> client.createNamespacedConfigMap(ns, configMap(ns, "cm")).execute())
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isZero();
                assertThat(e.getCause()).isInstanceOf(SocketTimeoutException.class);
              });
    }
    // reads were never held, and nothing was stored
    assertThat(client.listNamespacedConfigMap(ns).execute().getItems()).isEmpty();
    assertThat(cluster.faults().hung() - hungBefore).isEqualTo(2);

    assertThat(
            client
                .createNamespacedConfigMap(ns, configMap(ns, "cm"))
                .execute()
                .getMetadata()
                .getName())
        .isEqualTo("cm");
  }

  @Test
  void unreachableClusterGivesConnectionErrorsAndComesBackOnTheSameUrl() throws Exception {
    String ns = namespace("unreachable");
    core.createNamespacedConfigMap(ns, configMap(ns, "before")).execute();
    int droppedBefore = cluster.faults().dropped();

    cluster.faults().unreachable(true);
    long started = System.nanoTime();
    assertThatThrownBy(() -> core.listNamespacedConfigMap(ns).execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isZero();
              assertThat(e.getCause()).isInstanceOf(IOException.class);
            });
    // A fresh client (new connection) is refused as well, and promptly.
    assertThatThrownBy(
            () ->
                new CoreV1Api(cluster.newClient())
                    .createNamespacedConfigMap(ns, configMap(ns, "x"))
                    .execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isZero());
    assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
    assertThat(cluster.faults().dropped()).isGreaterThan(droppedBefore);

    cluster.faults().unreachable(false);
    String url = cluster.url();
    assertThat(core.listNamespacedConfigMap(ns).execute().getItems())
        .extracting(c -> c.getMetadata().getName())
        .containsExactly("before");
    core.createNamespacedConfigMap(ns, configMap(ns, "after")).execute();
    assertThat(cluster.url()).isEqualTo(url);
  }

  @Test
  void informerNoticesTheOutageAndRecoversAfterIt() throws Exception {
    String ns = namespace("outage");
    String path = "/apis/apps/v1/namespaces/" + ns + "/deployments";
    SharedInformerFactory factory = new SharedInformerFactory(cluster.apiClient());
    try {
      SharedIndexInformer<V1Deployment> informer =
          factory.sharedIndexInformerFor(
              new GenericKubernetesApi<>(
                  V1Deployment.class,
                  V1DeploymentList.class,
                  "apps",
                  "v1",
                  "deployments",
                  cluster.apiClient()),
              V1Deployment.class,
              0,
              ns);
      factory.startAllRegisteredInformers();
      Eventually.await("informer synced", WAIT, informer::hasSynced, Boolean::booleanValue);
      Eventually.await(
          "informer watching", WAIT, () -> cluster.traffic().watchesOpened(path), n -> n > 0);
      long listsBefore = cluster.traffic().requests("GET", path);
      long watchesBefore = cluster.traffic().watchesOpened(path);

      int dropped = cluster.faults().dropped();
      cluster.faults().unreachable(true);
      // The informer's open watch was cut: it tries again and is refused.
      Eventually.await(
          "informer retrying against the unreachable cluster",
          WAIT,
          cluster.faults()::dropped,
          n -> n > dropped);
      cluster.faults().unreachable(false);

      apps.createNamespacedDeployment(ns, deployment(ns, "after-outage", 0)).execute();
      Eventually.await(
          "informer holding the Deployment created after the outage",
          WAIT,
          () -> informer.getIndexer().getByKey(ns + "/after-outage"),
          d -> d != null);
      // It recovered by listing and watching again, not by some connection that survived ...
      assertThat(cluster.traffic().requests("GET", path)).isGreaterThan(listsBefore);
      Eventually.await(
          "informer watching again",
          WAIT,
          () -> cluster.traffic().watchesOpened(path),
          n -> n > watchesBefore);
      // ... and streams again: the next Deployment arrives over the new watch, without another
      // list.
      long listsAfter = cluster.traffic().requests("GET", path);
      apps.createNamespacedDeployment(ns, deployment(ns, "streamed", 0)).execute();
      Eventually.await(
          "informer holding the streamed Deployment",
          WAIT,
          () -> informer.getIndexer().getByKey(ns + "/streamed"),
          d -> d != null);
      assertThat(cluster.traffic().requests("GET", path)).isEqualTo(listsAfter);
    } finally {
      factory.stopAllRegisteredInformers(true);
    }
  }

  @Test
  void simulatorKeepsRollingOutWhileTheTestClientSeesFaults() throws Exception {
    String ns = namespace("exempt");
    AppsV1Api own = new AppsV1Api(cluster.internalClient());
    cluster.faults().respond(503, null, null, ApiFaults.UNTIL_CLEARED);
    int injectedBefore = cluster.faults().injected();
    assertThatThrownBy(
            () -> apps.createNamespacedDeployment(ns, deployment(ns, "web", 2)).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(503));
    assertThat(cluster.faults().injected()).isEqualTo(injectedBefore + 1);
    cluster.faults().clear();

    apps.createNamespacedDeployment(ns, deployment(ns, "web", 2)).execute();
    cluster.faults().respond(503, null, null, ApiFaults.UNTIL_CLEARED);
    awaitReadyThrough(own, ns, "web", 2);
    assertThatThrownBy(() -> apps.readNamespacedDeployment("web", ns).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(503));

    cluster.faults().clear();
    // Read-modify-replace, again on 409: the simulator may still be writing the status.
    Eventually.await(
        "web scaled to 3",
        WAIT,
        () -> {
          V1Deployment scaled = apps.readNamespacedDeployment("web", ns).execute();
          scaled.getSpec().setReplicas(3);
          return apps.replaceNamespacedDeployment("web", ns, scaled).execute();
        },
        d -> true);
    cluster.faults().unreachable(true);
    awaitReadyThrough(own, ns, "web", 3);
    assertThatThrownBy(() -> apps.readNamespacedDeployment("web", ns).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isZero());

    cluster.faults().unreachable(false);
    assertThat(apps.readNamespacedDeployment("web", ns).execute().getStatus().getReadyReplicas())
        .isEqualTo(3);
  }

  @Test
  void mutatingWebhookPinsImagesOnCreateAndReplace() throws Exception {
    String ns = namespace("webhook");
    cluster.faults().mutateImages(ApiFaults.PIN_DIGEST);
    int before = cluster.faults().mutated();

    V1Deployment created = apps.createNamespacedDeployment(ns, deployment(ns, "web", 0)).execute();
    String pinned = created.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    assertThat(pinned).matches("nginx:1\\.27@sha256:[0-9a-f]{64}");

    // a replace with the image as asked for is stored pinned again, identically
    created.getSpec().getTemplate().getSpec().getContainers().get(0).image("nginx:1.27");
    V1Deployment replaced = apps.replaceNamespacedDeployment("web", ns, created).execute();
    assertThat(replaced.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(pinned);
    assertThat(cluster.faults().mutated()).isEqualTo(before + 2);

    cluster.faults().mutateImages(ApiFaults.PIN_DIGEST_DROP_TAG);
    V1Deployment other = apps.createNamespacedDeployment(ns, deployment(ns, "api", 0)).execute();
    assertThat(other.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .matches("nginx@sha256:[0-9a-f]{64}");

    cluster.faults().clear();
    V1Deployment plain = apps.createNamespacedDeployment(ns, deployment(ns, "plain", 0)).execute();
    assertThat(plain.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("nginx:1.27");
  }

  @Test
  void expiredWatchEndsWithAnErrorEventCarrying410() throws Exception {
    String ns = namespace("expire");
    apps.createNamespacedDeployment(ns, deployment(ns, "web", 0)).execute();
    String listedAt =
        apps.listNamespacedDeployment(ns).execute().getMetadata().getResourceVersion();
    try (Watch<V1Deployment> watch =
        Watch.createWatch(
            cluster.apiClient(),
            apps.listNamespacedDeployment(ns).watch(true).resourceVersion(listedAt).buildCall(null),
            new TypeToken<Watch.Response<V1Deployment>>() {}.getType())) {
      Eventually.until(
          "the open watch expired",
          WAIT,
          () -> cluster.faults().expireWatches("/namespaces/" + ns + "/deployments$") == 1);

      // the kubelet simulator may still report the new Deployment's status before the expiry; one
      // written between the list and the watch arrives as ADDED (docs/testkit-kube.md, Limits)
      Watch.Response<V1Deployment> event = watch.next();
      for (int seen = 0;
          seen < 10 && ("MODIFIED".equals(event.type) || "ADDED".equals(event.type));
          seen++) {
        event = watch.next();
      }
      assertThat(event.type).isEqualTo("ERROR");
      assertThat(event.status.getCode()).isEqualTo(410);
      assertThat(event.status.getReason()).isEqualTo("Expired");
      assertThat(event.status.getMessage()).startsWith("too old resource version: " + listedAt);
      assertThat(watch.hasNext()).isFalse();
    }
    assertThat(cluster.faults().expired()).isPositive();
  }

  @Test
  void respondRejectsNonsense() {
    assertThatThrownBy(() -> cluster.faults().respond(200, null, null, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cluster.faults().respond(500, null, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Reads through the cluster's own (exempt) client: the simulator's view, unaffected by the
   * faults.
   */
  private static void awaitReadyThrough(AppsV1Api own, String ns, String name, int replicas) {
    Eventually.await(
        name + " ready with " + replicas + " replicas (read through the exempt client)",
        WAIT,
        () -> own.readNamespacedDeployment(name, ns).execute(),
        d ->
            d.getStatus() != null
                && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
                && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas())
                && Integer.valueOf(replicas).equals(d.getStatus().getUpdatedReplicas()));
  }

  private static V1Deployment deployment(String ns, String name, int replicas) {
    Map<String, String> labels = Map.of("app", name);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(replicas)
                .selector(new V1LabelSelector().matchLabels(labels))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(
                                    List.of(new V1Container().name("app").image("nginx:1.27"))))));
  }

  private static V1ConfigMap configMap(String ns, String name) {
    return new V1ConfigMap()
        .apiVersion("v1")
        .kind("ConfigMap")
        .metadata(new V1ObjectMeta().name(name).namespace(ns))
        .data(Map.of("k", "v"));
  }

  /** Creates the namespace, as content can only be created in one that exists. */
  private static String namespace(String ns) {
    try {
      new CoreV1Api(cluster.internalClient())
          .createNamespace(
              new io.kubernetes.client.openapi.models.V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(new V1ObjectMeta().name(ns)))
          .execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw new IllegalStateException(e.getResponseBody(), e);
      }
    }
    return ns;
  }
}
