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
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A container that prints without end and without a newline must not take the sync-worker down. The
 * fake cluster serves Deployments and Pods; its simulated kubelet prints short lines only, so here
 * a front in this JVM passes every request to the fake cluster but answers the pod's log itself, as
 * a runaway container's would read: megabytes on one line, never ending when followed. It ignores
 * {@code limitBytes}, so what is proven is the sync-worker's own bound.
 */
@ExtendWith(FakeClusterExtension.class)
class OversizedLogsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "logs-test-internal-token-0123456789";
  private static final String NS = KubeNames.namespace(8);
  private static final String LOUD = KubeNames.objectName("loud", 8);
  private static final Pattern LOG_PATH =
      Pattern.compile("/api/v1/namespaces/[^/]+/pods/([^/]+)/log");
  private static final int CHUNK = 64 * 1024;
  // a tail body of 8 MiB on one line: 8 times the one pod's share of a tail
  private static final int TAIL_BODY = 8 * 1024 * 1024;
  private static final java.net.http.HttpClient HTTP =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .build();

  private static final Vertx FRONT_VERTX = Vertx.vertx();
  private static final ConcurrentLinkedQueue<Map<String, String>> logRequests =
      new ConcurrentLinkedQueue<>();
  private static final AtomicLong followBytesServed = new AtomicLong();
  private static HttpServer front;
  private static HttpClient toCluster;
  private static Service service;
  private static LogRoutes routes;
  private static String base;
  private static String pod;

  @BeforeAll
  static void start(FakeCluster cluster) throws Exception {
    new CoreV1Api(cluster.apiClient())
        .createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(NS)))
        .execute();
    new AppsV1Api(cluster.apiClient())
        .createNamespacedDeployment(NS, deployment(LOUD, "ghcr.io/acme/loud:1"))
        .execute();
    CoreV1Api core = new CoreV1Api(cluster.apiClient());
    pod =
        Eventually.await(
                "a running pod of " + LOUD,
                WAIT,
                () -> core.listNamespacedPod(NS).labelSelector("app=" + LOUD).execute().getItems(),
                pods -> pods.size() == 1 && "Running".equals(pods.get(0).getStatus().getPhase()))
            .get(0)
            .getMetadata()
            .getName();

    URI cluster0 = URI.create(cluster.url());
    toCluster =
        FRONT_VERTX.createHttpClient(
            new HttpClientOptions()
                .setSsl("https".equals(cluster0.getScheme()))
                .setTrustAll(true)
                .setVerifyHost(false));
    front =
        FRONT_VERTX
            .createHttpServer()
            .requestHandler(req -> front(req, cluster0))
            .listen(0, "127.0.0.1")
            .await();
    ApiClient client = cluster.newClient();
    client.setBasePath("http://127.0.0.1:" + front.actualPort());

    service = Service.create("sync-worker-oversized-logs-test");
    routes =
        new LogRoutes(
            service.vertx(), id -> "c1".equals(id) ? Optional.of(client) : Optional.empty(), TOKEN);
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
    FRONT_VERTX.close().await();
  }

  @Test
  void a_tail_of_one_endless_line_answers_it_cut_and_says_the_tail_was_cut() throws Exception {
    logRequests.clear();

    HttpResponse<String> response =
        HTTP.send(request(path() + "?lines=100").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> lines = response.body().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("[" + pod + "] before the flood");
    assertThat(lines.get(1))
        .isEqualTo("[" + pod + "] " + "x".repeat(BoundedLines.MAX_LINE_BYTES) + BoundedLines.CUT);
    assertThat(lines.get(2)).startsWith("[" + pod + "] (cut after 1024 KiB");
    // what was read is bounded by the line, not by what the container printed
    assertThat(response.body().length()).isLessThan(2 * BoundedLines.MAX_LINE_BYTES);
    assertThat(logRequests)
        .singleElement()
        .satisfies(
            query -> assertThat(query).containsEntry("limitBytes", Integer.toString(1024 * 1024)));
  }

  @Test
  void a_follower_gets_an_endless_line_cut_at_once_while_it_is_still_being_printed()
      throws Exception {
    logRequests.clear();
    HttpResponse<InputStream> response =
        HTTP.sendAsync(
                request(path() + "?lines=10&follow=true").build(),
                HttpResponse.BodyHandlers.ofInputStream())
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    Thread reader = reader(response.body(), received);
    try {
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("[" + pod + "] before the flood");
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("[" + pod + "] " + "x".repeat(BoundedLines.MAX_LINE_BYTES) + BoundedLines.CUT);
      long served = followBytesServed.get();
      // the container goes on printing the same line; the worker reads it on without holding it
      Eventually.until(
          "the line goes on for a while", WAIT, () -> followBytesServed.get() > served + 4 * CHUNK);
      assertThat(received).as("nothing more until the line ends").isEmpty();
      assertThat(logRequests)
          .singleElement()
          .satisfies(
              query ->
                  assertThat(query)
                      .containsEntry(
                          "limitBytes", Integer.toString(FollowSession.STREAM_LIMIT_BYTES)));
    } finally {
      response.body().close();
      reader.interrupt();
    }
    Eventually.until("the pod's stream closed", WAIT, () -> routes.openStreams() == 0);
  }

  // the pod's log as a runaway container's; everything else from the fake cluster
  private static void front(HttpServerRequest req, URI cluster) {
    Matcher log = LOG_PATH.matcher(req.path());
    if (!log.matches()) {
      forward(req, cluster);
      return;
    }
    Map<String, String> query = new HashMap<>();
    req.params().forEach(e -> query.put(e.getKey(), e.getValue()));
    logRequests.add(query);
    HttpServerResponse resp =
        req.response().setChunked(true).putHeader("Content-Type", "text/plain");
    resp.write("before the flood\n");
    Buffer chunk = Buffer.buffer("x".repeat(CHUNK));
    if (!"true".equals(req.getParam("follow"))) {
      for (int sent = 0; sent < TAIL_BODY; sent += CHUNK) {
        resp.write(chunk);
      }
      resp.end();
      return;
    }
    // followed: one line that never ends, printed at a steady pace
    long timer =
        FRONT_VERTX.setPeriodic(
            10,
            id -> {
              if (!resp.writeQueueFull()) {
                resp.write(chunk);
                followBytesServed.addAndGet(CHUNK);
              }
            });
    resp.closeHandler(v -> FRONT_VERTX.cancelTimer(timer));
  }

  private static void forward(HttpServerRequest req, URI cluster) {
    req.body()
        .compose(
            body ->
                toCluster
                    .request(
                        new RequestOptions()
                            .setMethod(req.method())
                            .setHost(cluster.getHost())
                            .setPort(cluster.getPort())
                            .setURI(req.uri())
                            .setHeaders(req.headers()))
                    .compose(out -> out.send(body))
                    .compose(
                        in ->
                            in.body()
                                .compose(
                                    answer -> {
                                      HttpServerResponse resp = req.response();
                                      resp.setStatusCode(in.statusCode());
                                      String type = in.getHeader("Content-Type");
                                      if (type != null) {
                                        resp.putHeader("Content-Type", type);
                                      }
                                      return resp.end(answer);
                                    })))
        .onFailure(e -> req.response().setStatusCode(502).end());
  }

  private static Thread reader(InputStream body, BlockingQueue<String> into) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  into.add(line);
                }
              } catch (Exception e) {
                // closed by the test
              }
            },
            "oversized-follow-reader");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String path() {
    return "/internal/v1/clusters/c1/namespaces/" + NS + "/deployments/" + LOUD + "/logs";
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(WAIT)
        .header("Authorization", "Bearer " + TOKEN);
  }

  private static V1Deployment deployment(String name, String image) {
    Map<String, String> labels = Map.of("app", name, KubeNames.MANAGED_BY_LABEL, KubeNames.MANAGER);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace(NS).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(1)
                .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(List.of(new V1Container().name("app").image(image))))));
  }
}
