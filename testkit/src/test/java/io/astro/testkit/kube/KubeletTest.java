package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.reflect.TypeToken;
import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.util.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated node fails what a real node fails: images it cannot pull, and official images whose
 * security context took away a capability they need. Read through the official client, as Astro
 * reads it.
 */
class KubeletTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final List<String> BASELINE_ADD =
      List.of(
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "SETGID",
          "SETUID",
          "NET_BIND_SERVICE");

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

  @Test
  void aNewPodIsContainerCreatingBeforeItRuns() throws Exception {
    String ns = namespace("creating");
    List<String> states =
        watchStates(ns, "app=web", "Running", () -> create(ns, "web", "nginx:1.27", null));

    assertThat(states).containsExactly("ContainerCreating", "Running");
  }

  @Test
  void anUnreachableRegistryGoesErrImagePullThenImagePullBackOffWithTheRuntimesMessage()
      throws Exception {
    String ns = namespace("unreachable");
    String image = "registry.astro.invalid/team/web:1.0";
    List<String> states =
        watchStates(ns, "app=web", "ImagePullBackOff", () -> create(ns, "web", image, null));

    assertThat(states).containsExactly("ContainerCreating", "ErrImagePull", "ImagePullBackOff");
    V1Pod pod = core.listNamespacedPod(ns).execute().getItems().get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(container(pod).getState().getWaiting().getMessage())
        .isEqualTo("Back-off pulling image \"" + image + "\"");
  }

  @Test
  void errImagePullCarriesTheKubeletsFailedToPullMessage() throws Exception {
    String ns = namespace("private");
    String image = "10.20.30.40:5000/web:2";
    List<V1Pod> seen =
        watchPods(ns, "app=web", "ImagePullBackOff", () -> create(ns, "web", image, null));

    V1Pod errImagePull = seen.get(1);
    assertThat(state(errImagePull)).isEqualTo("ErrImagePull");
    assertThat(container(errImagePull).getState().getWaiting().getMessage())
        .isEqualTo(
            "Failed to pull image \"10.20.30.40:5000/web:2\": rpc error: code = Unknown desc ="
                + " failed to pull and unpack image \"10.20.30.40:5000/web:2\": failed to"
                + " resolve reference \"10.20.30.40:5000/web:2\": failed to do request: Head"
                + " \"https://10.20.30.40:5000/v2/web/manifests/2\": dial tcp"
                + " 10.20.30.40:5000: i/o timeout");
    assertThat(container(errImagePull).getImageID()).isEmpty();
  }

  @Test
  void aTestsFailedImageIsNotFoundOnTheRegistry() throws Exception {
    String ns = namespace("missing");
    String image = "ghcr.io/astro/missing:404";
    cluster.simulator().failImage(image);
    try {
      List<V1Pod> seen =
          watchPods(ns, "app=web", "ImagePullBackOff", () -> create(ns, "web", image, null));

      assertThat(seen.stream().map(KubeletTest::state))
          .containsExactly("ContainerCreating", "ErrImagePull", "ImagePullBackOff");
      assertThat(container(seen.get(1)).getState().getWaiting().getMessage())
          .isEqualTo(
              "Failed to pull image \"ghcr.io/astro/missing:404\": rpc error: code = NotFound desc"
                  + " = failed to pull and unpack image \"ghcr.io/astro/missing:404\": failed to"
                  + " resolve reference \"ghcr.io/astro/missing:404\":"
                  + " ghcr.io/astro/missing:404: not found");
    } finally {
      cluster.simulator().clearFailures();
    }
  }

  @Test
  void nginxWithEveryCapabilityDroppedCrashLoopsWithTheChownError() throws Exception {
    String ns = namespace("dropped");
    create(ns, "web", "nginx:1.27", new V1Capabilities().drop(List.of("ALL")));

    V1Pod pod = awaitWaiting(ns, "CrashLoopBackOff");
    V1ContainerStatus c = container(pod);
    assertThat(c.getReady()).isFalse();
    assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(c.getLastState().getTerminated().getMessage())
        .isEqualTo(
            "nginx: [emerg] chown(\"/var/cache/nginx/client_temp\", 101) failed (1: Operation not"
                + " permitted)");
    assertThat(core.readNamespacedPodLog(pod.getMetadata().getName(), ns).execute())
        .contains("Configuration complete; ready for start up")
        .contains("chown(\"/var/cache/nginx/client_temp\", 101) failed");
  }

  @Test
  void postgresWithEveryCapabilityDroppedCrashLoopsWithTheChmodError() throws Exception {
    String ns = namespace("postgres");
    create(ns, "db", "docker.io/library/postgres:16", new V1Capabilities().drop(List.of("ALL")));

    V1ContainerStatus c = container(awaitWaiting(ns, "CrashLoopBackOff"));
    assertThat(c.getLastState().getTerminated().getMessage())
        .isEqualTo("chmod: changing permissions of '/var/run/postgresql': Operation not permitted");
  }

  @Test
  void nginxWithoutNetBindServiceCannotBindPort80() throws Exception {
    String ns = namespace("nobind");
    List<String> add = new ArrayList<>(BASELINE_ADD);
    add.remove("NET_BIND_SERVICE");
    create(ns, "web", "nginx:1.27", new V1Capabilities().drop(List.of("ALL")).add(add));

    assertThat(
            container(awaitWaiting(ns, "CrashLoopBackOff"))
                .getLastState()
                .getTerminated()
                .getMessage())
        .isEqualTo("nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)");
  }

  @Test
  void officialImagesRunWithAllDroppedAndTheBaselineSetAddedBack() throws Exception {
    String ns = namespace("baseline");
    List<String> images = List.of("nginx:1.27", "postgres:16", "mysql:8.4", "redis:7", "httpd:2.4");
    for (int i = 0; i < images.size(); i++) {
      create(
          ns,
          "app" + i,
          images.get(i),
          new V1Capabilities().drop(List.of("ALL")).add(BASELINE_ADD));
    }

    Eventually.await(
        "every official image running",
        WAIT,
        () -> core.listNamespacedPod(ns).execute().getItems(),
        pods -> pods.size() == images.size() && pods.stream().allMatch(Kubelet::isReady));
  }

  @Test
  void anImageNotInTheCatalogueRunsWithEverythingDropped() throws Exception {
    String ns = namespace("unprivileged");
    create(ns, "web", "ghcr.io/astro/web:1", new V1Capabilities().drop(List.of("ALL")));

    Eventually.await(
        "web running",
        WAIT,
        () -> core.listNamespacedPod(ns).execute().getItems(),
        pods -> pods.size() == 1 && Kubelet.isReady(pods.get(0)));
  }

  /**
   * The distinct container states a pod watch shows, in order, until {@code last}: every state the
   * kubelet wrote, not a sample of them.
   */
  private static List<String> watchStates(String ns, String selector, String last, ApiAction start)
      throws Exception {
    return watchPods(ns, selector, last, start).stream().map(KubeletTest::state).toList();
  }

  /** The pod as first seen in each of those states. */
  private static List<V1Pod> watchPods(String ns, String selector, String last, ApiAction start)
      throws Exception {
    String listedAt = core.listNamespacedPod(ns).execute().getMetadata().getResourceVersion();
    try (Watch<V1Pod> watch =
        Watch.createWatch(
            cluster.apiClient(),
            core.listNamespacedPod(ns)
                .labelSelector(selector)
                .watch(true)
                .resourceVersion(listedAt)
                .buildCall(null),
            new TypeToken<Watch.Response<V1Pod>>() {}.getType())) {
      CompletableFuture<List<V1Pod>> seen =
          CompletableFuture.supplyAsync(
              () -> {
                List<V1Pod> pods = new ArrayList<>();
                String previous = null;
                while (!last.equals(previous)) {
                  V1Pod pod = watch.next().object;
                  String state = state(pod);
                  if (state != null && !state.equals(previous)) {
                    pods.add(pod);
                    previous = state;
                  }
                }
                return pods;
              });
      start.run();
      return seen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static String state(V1Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    V1ContainerStatus c = container(pod);
    return c.getState().getRunning() != null ? "Running" : c.getState().getWaiting().getReason();
  }

  private static V1Pod awaitWaiting(String ns, String... reasons) {
    List<String> wanted = List.of(reasons);
    return Eventually.await(
            "a pod waiting in " + wanted,
            WAIT,
            () -> core.listNamespacedPod(ns).execute().getItems(),
            pods -> pods.size() == 1 && wanted.contains(state(pods.get(0))))
        .get(0);
  }

  private static V1ContainerStatus container(V1Pod pod) {
    return pod.getStatus().getContainerStatuses().get(0);
  }

  private static String namespace(String name) throws ApiException {
    core.createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(name)))
        .execute();
    return name;
  }

  private static void create(String ns, String name, String image, V1Capabilities capabilities)
      throws ApiException {
    Map<String, String> labels = Map.of("app", name);
    V1Container container = new V1Container().name("app").image(image);
    if (capabilities != null) {
      container.securityContext(
          new V1SecurityContext().allowPrivilegeEscalation(false).capabilities(capabilities));
    }
    apps.createNamespacedDeployment(
            ns,
            new V1Deployment()
                .apiVersion("apps/v1")
                .kind("Deployment")
                .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels))
                .spec(
                    new V1DeploymentSpec()
                        .replicas(1)
                        .selector(new V1LabelSelector().matchLabels(labels))
                        .template(
                            new V1PodTemplateSpec()
                                .metadata(new V1ObjectMeta().labels(labels))
                                .spec(new V1PodSpec().containers(List.of(container))))))
        .execute();
  }

  private interface ApiAction {
    void run() throws ApiException;
  }
}
