package io.astro.sync.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.HttpSettings;
import io.astro.common.kube.KubeNames;
import io.astro.common.runtime.Service;
import io.astro.testkit.Eventually;
import io.astro.testkit.kube.FakeCluster;
import io.astro.testkit.kube.FakeClusterExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
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
import io.kubernetes.client.util.ClientBuilder;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The internal logs endpoint over HTTP, reading a fake cluster whose simulated pods print a
 * heartbeat every 5 s.
 */
@ExtendWith(FakeClusterExtension.class)
class LogRoutesTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "logs-test-internal-token-0123456789";
  private static final String NS = KubeNames.namespace(7);
  private static final String WEB = KubeNames.objectName("web", 7);
  private static final String BROKEN = KubeNames.objectName("broken", 7);
  private static final String BAD_IMAGE = "registry.example.com/missing:404";
  private static final Pattern UPTIME = Pattern.compile("\\(uptime (\\d+)s\\)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Service service;
  private static LogRoutes routes;
  private static String base;
  private static List<String> webPods;
  private static final AtomicInteger WATCHED_LOOKUPS = new AtomicInteger();

  @BeforeAll
  static void start(FakeCluster cluster) throws Exception {
    new CoreV1Api(cluster.apiClient())
        .createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(NS)))
        .execute();
    AppsV1Api apps = new AppsV1Api(cluster.apiClient());
    apps.createNamespacedDeployment(NS, deployment(WEB, "ghcr.io/acme/web:1", 2)).execute();
    cluster.simulator().failImage(BAD_IMAGE);
    apps.createNamespacedDeployment(NS, deployment(BROKEN, BAD_IMAGE, 1)).execute();
    CoreV1Api core = new CoreV1Api(cluster.apiClient());
    webPods =
        await(
                "2 running pods of " + WEB,
                () -> core.listNamespacedPod(NS).labelSelector("app=" + WEB).execute().getItems(),
                pods ->
                    pods.size() == 2
                        && pods.stream().allMatch(p -> "Running".equals(p.getStatus().getPhase())))
            .stream()
            .map(p -> p.getMetadata().getName())
            .sorted()
            .toList();
    await(
        "a pod of " + BROKEN + " in ImagePullBackOff",
        () -> core.listNamespacedPod(NS).labelSelector("app=" + BROKEN).execute().getItems(),
        pods -> pods.size() == 1 && waiting(pods.get(0)));

    ApiClient client = cluster.newClient();
    ApiClient unreachable =
        new ClientBuilder().setBasePath("http://127.0.0.1:" + closedPort()).build();
    service = Service.create("sync-worker-logs-test");
    routes =
        new LogRoutes(
            service.vertx(),
            id ->
                switch (id) {
                  case "c1" -> Optional.of(client);
                  case "down" -> Optional.of(unreachable);
                  case "watched" -> {
                    WATCHED_LOOKUPS.incrementAndGet();
                    yield Optional.of(client);
                  }
                  default -> Optional.empty();
                },
            TOKEN);
    service
        .serve(
            new HttpSettings("127.0.0.1", 0, HttpSettings.DEFAULT_BODY_LIMIT),
            List.of(),
            routes::mount)
        .await();
    base = "http://127.0.0.1:" + service.httpPort();
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close().await();
    }
  }

  @Test
  void a_tail_answers_the_last_lines_of_every_pod_each_prefixed_with_its_pod_name() {
    HttpResponse<String> response = get(path("c1", WEB) + "?lines=3", TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    Map<String, List<String>> byPod = byPod(response.body());
    assertThat(byPod.keySet()).containsExactlyElementsOf(webPods);
    byPod.values().forEach(lines -> assertThat(lines).hasSize(3));
  }

  @Test
  void lines_defaults_to_100_and_is_honoured() {
    Map<String, List<String>> all = byPod(get(path("c1", WEB), TOKEN).body());
    assertThat(all.get(webPods.get(0)))
        .first()
        .asString()
        .contains("starting app from image ghcr.io/acme/web:1");

    Map<String, List<String>> one = byPod(get(path("c1", WEB) + "?lines=1", TOKEN).body());
    assertThat(one.keySet()).containsExactlyElementsOf(webPods);
    one.values().forEach(lines -> assertThat(lines).hasSize(1));
  }

  @Test
  void container_and_previous_are_asked_of_the_cluster() {
    Map<String, List<String>> named =
        byPod(get(path("c1", WEB) + "?lines=1&container=app", TOKEN).body());
    assertThat(named.keySet()).containsExactlyElementsOf(webPods);

    HttpResponse<String> previous = get(path("c1", WEB) + "?previous=true", TOKEN);
    assertThat(previous.statusCode()).isEqualTo(200);
    Map<String, List<String>> notes = byPod(previous.body());
    assertThat(notes.keySet()).containsExactlyElementsOf(webPods);
    notes
        .values()
        .forEach(
            lines ->
                assertThat(lines)
                    .singleElement()
                    .asString()
                    .startsWith("(no logs: previous terminated container \"app\""));
  }

  @Test
  void a_pod_waiting_for_its_image_gets_a_line_saying_so_instead_of_failing_the_answer() {
    HttpResponse<String> response = get(path("c1", BROKEN), TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body())
        .matches(
            "\\["
                + BROKEN
                + "-[a-z0-9-]+\\] \\(no logs: container \"app\" in pod .*"
                + "is waiting to start: .*\\)\n");
  }

  @Test
  void
      follow_streams_lines_that_arrive_after_the_request_and_closes_the_pod_streams_when_the_client_goes() {
    long uptimeBefore =
        byPod(get(path("c1", WEB) + "?lines=1", TOKEN).body()).values().stream()
            .mapToLong(lines -> uptime(lines.get(0)))
            .max()
            .orElseThrow();

    try (Stream stream = Stream.open(path("c1", WEB) + "?lines=1&follow=true", "text/plain")) {
      assertThat(stream.contentType).isEqualTo("text/plain; charset=utf-8");
      String fresh = stream.awaitLine(line -> uptime(line) > uptimeBefore);
      assertThat(fresh).matches("\\[(" + String.join("|", webPods) + ")\\] .*");
      assertThat(routes.openStreams()).isEqualTo(2);
    }

    awaitTrue("the Kubernetes log streams closed", () -> routes.openStreams() == 0);
  }

  @Test
  void follow_answers_server_sent_events_when_the_client_accepts_them() {
    try (Stream stream =
        Stream.open(path("c1", WEB) + "?lines=1&follow=true", "text/event-stream")) {
      assertThat(stream.contentType).isEqualTo("text/event-stream; charset=utf-8");
      String event = stream.awaitLine(line -> !line.isEmpty());
      assertThat(event).matches("data: \\[(" + String.join("|", webPods) + ")\\] .*");
      assertThat(stream.awaitLine(line -> true)).as("blank line after each event").isEmpty();
    }
    awaitTrue("the Kubernetes log streams closed", () -> routes.openStreams() == 0);
  }

  @Test
  void a_missing_or_wrong_internal_token_answers_401() {
    for (String token : new String[] {null, "wrong", TOKEN + "x", ""}) {
      HttpResponse<String> response = get(path("c1", WEB), token);
      assertThat(response.statusCode()).as("token %s", token).isEqualTo(401);
      assertThat(code(response)).isEqualTo(10002);
    }
  }

  @Test
  void bad_parameters_answer_400_naming_the_field() {
    record Case(String path, String field) {}
    List<Case> cases =
        List.of(
            new Case(path("c1", WEB) + "?lines=0", "lines"),
            new Case(path("c1", WEB) + "?lines=5001", "lines"),
            new Case(path("c1", WEB) + "?lines=ten", "lines"),
            new Case(path("c1", WEB) + "?follow=yes", "follow"),
            new Case(path("c1", WEB) + "?previous=1", "previous"),
            new Case(path("c1", WEB) + "?container=Bad_Name", "container"),
            new Case(path("c1", WEB) + "?container=sidecar", "container"),
            new Case(
                "/internal/v1/clusters/c1/namespaces/Astro_NS/deployments/" + WEB + "/logs",
                "namespace"),
            new Case(
                "/internal/v1/clusters/c1/namespaces/" + NS + "/deployments/web..u7/logs", "name"),
            new Case(
                "/internal/v1/clusters/c%20d/namespaces/" + NS + "/deployments/" + WEB + "/logs",
                "cluster"));
    for (Case c : cases) {
      HttpResponse<String> response = get(c.path(), TOKEN);
      assertThat(response.statusCode()).as(c.path() + " " + response.body()).isEqualTo(400);
      assertThat(code(response)).isEqualTo(10001);
      assertThat(
              new JsonObject(response.body())
                  .getJsonObject("data")
                  .getJsonArray("fields")
                  .getJsonObject(0)
                  .getString("field"))
          .as(c.path())
          .isEqualTo(c.field());
    }
  }

  @Test
  void namespaces_other_than_users_are_refused_400_before_the_cluster_is_asked() {
    for (String namespace :
        List.of("kube-system", "default", "astro-system", "astro-user-7x", "user-7")) {
      for (boolean follow : new boolean[] {false, true}) {
        String path =
            "/internal/v1/clusters/watched/namespaces/"
                + namespace
                + "/deployments/"
                + WEB
                + "/logs?follow="
                + follow;
        HttpResponse<String> response = get(path, TOKEN);
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(400);
        assertThat(code(response)).isEqualTo(10001);
        JsonObject field =
            new JsonObject(response.body())
                .getJsonObject("data")
                .getJsonArray("fields")
                .getJsonObject(0);
        assertThat(field.getString("field")).as(path).isEqualTo("namespace");
        assertThat(field.getString("reason")).as(path).contains("astro-user-");
      }
    }
    assertThat(WATCHED_LOOKUPS.get()).isZero();

    // the same cluster answers for a user namespace
    assertThat(get(path("watched", WEB), TOKEN).statusCode()).isEqualTo(200);
    assertThat(WATCHED_LOOKUPS.get()).isEqualTo(1);
  }

  @Test
  void an_unknown_cluster_or_deployment_answers_404_saying_which() {
    HttpResponse<String> cluster = get(path("nowhere", WEB), TOKEN);
    assertThat(cluster.statusCode()).isEqualTo(404);
    assertThat(code(cluster)).isEqualTo(10004);
    assertThat(new JsonObject(cluster.body()).getJsonObject("data").getString("missing"))
        .isEqualTo("cluster");

    HttpResponse<String> deployment = get(path("c1", KubeNames.objectName("gone", 7)), TOKEN);
    assertThat(deployment.statusCode()).isEqualTo(404);
    assertThat(code(deployment)).isEqualTo(10004);
    assertThat(new JsonObject(deployment.body()).getJsonObject("data").getString("missing"))
        .isEqualTo("deployment");
  }

  @Test
  void an_unreachable_cluster_api_answers_503_kubernetes_connection() {
    HttpResponse<String> response = get(path("down", WEB), TOKEN);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(code(response)).isEqualTo(30004);
  }

  private static String path(String cluster, String deployment) {
    return "/internal/v1/clusters/"
        + cluster
        + "/namespaces/"
        + NS
        + "/deployments/"
        + deployment
        + "/logs";
  }

  private static HttpResponse<String> get(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  private static int code(HttpResponse<String> response) {
    return new JsonObject(response.body()).getInteger("code");
  }

  /**
   * The answer's lines grouped by their {@code [pod]} prefix, in order; fails on a line without
   * one.
   */
  private static Map<String, List<String>> byPod(String body) {
    Pattern line = Pattern.compile("\\[([^\\]]+)\\] (.*)");
    return body.lines()
        .map(
            l -> {
              Matcher m = line.matcher(l);
              assertThat(m.matches()).as("line without a pod prefix: %s", l).isTrue();
              return m;
            })
        .collect(
            Collectors.groupingBy(
                m -> m.group(1),
                java.util.TreeMap::new,
                Collectors.mapping(m -> m.group(2), Collectors.toList())));
  }

  /** The uptime a heartbeat line reports, 0 for the lines printed at start. */
  private static long uptime(String line) {
    Matcher m = UPTIME.matcher(line);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** A follow request read line by line on its own thread; closing it hangs up on the server. */
  private static final class Stream implements AutoCloseable {
    final String contentType;
    private final InputStream body;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Stream(HttpResponse<InputStream> response) {
      this.contentType = response.headers().firstValue("Content-Type").orElse(null);
      this.body = response.body();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                  for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                  }
                } catch (Exception e) {
                  // closed by the test
                }
              },
              "follow-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Stream open(String path, String accept) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Authorization", "Bearer " + TOKEN)
              .header("Accept", accept)
              .build();
      try {
        HttpResponse<InputStream> response =
            HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        return new Stream(response);
      } catch (Exception e) {
        throw new AssertionError("follow " + path + " failed", e);
      }
    }

    /** The next line matching {@code wanted} (skipping others), waiting at most {@link #WAIT}. */
    String awaitLine(Predicate<String> wanted) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      List<String> seen = new ArrayList<>();
      try {
        while (System.nanoTime() < deadline) {
          String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (line != null && wanted.test(line)) {
            return line;
          }
          if (line != null) {
            seen.add(line);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new AssertionError("no wanted line within " + WAIT + "; saw " + seen);
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (Exception e) {
        // already closed
      }
    }
  }

  private static V1Deployment deployment(String name, String image, int replicas) {
    Map<String, String> labels = Map.of("app", name, KubeNames.MANAGED_BY_LABEL, KubeNames.MANAGER);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace(NS).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(replicas)
                .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(List.of(new V1Container().name("app").image(image))))));
  }

  private static boolean waiting(V1Pod pod) {
    List<V1ContainerStatus> statuses =
        pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    return statuses != null
        && !statuses.isEmpty()
        && statuses.get(0).getState() != null
        && statuses.get(0).getState().getWaiting() != null
        && "ImagePullBackOff".equals(statuses.get(0).getState().getWaiting().getReason());
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static <T> T await(String what, Callable<T> probe, Predicate<T> done) {
    return Eventually.await(what, WAIT, probe, done);
  }

  private static void awaitTrue(String what, BooleanSupplier done) {
    Eventually.until(what, WAIT, done);
  }
}
