package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake cluster's indexed store answers every request as fabric8's own CRUD dispatcher does: the
 * same status and the same objects in the same order, for gets, lists across and within namespaces,
 * label selectors, writes that move an object and deletes — only without walking every stored
 * object to find them.
 */
class IndexedCrudDispatcherTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private KubernetesMockServer plain;
  private KubernetesMockServer indexed;

  @BeforeEach
  void start() {
    plain = mock(new KubernetesCrudDispatcher());
    indexed = mock(new IndexedCrudDispatcher());
  }

  @AfterEach
  void stop() {
    plain.destroy();
    indexed.destroy();
  }

  @Test
  void readsFindWhatAFullScanFindsInTheSameOrder() throws Exception {
    for (String ns : List.of("a", "b", "c")) {
      both("POST", "/api/v1/namespaces", namespace(ns));
    }
    both("POST", "/api/v1/nodes", object("v1", "Node", null, "node-1", "{}"));
    // interleaved across namespaces, so a cluster-wide list must merge them by creation order
    for (int i = 1; i <= 3; i++) {
      for (String ns : List.of("b", "a", "c")) {
        String app = i % 2 == 0 ? "x" : "y";
        both("POST", "/api/v1/namespaces/" + ns + "/pods", pod(ns, "p" + i, app));
        both(
            "POST",
            "/apis/apps/v1/namespaces/" + ns + "/deployments",
            object("apps/v1", "Deployment", ns, "d" + i, "{\"app\":\"" + app + "\"}"));
      }
    }
    both("POST", "/api/v1/namespaces/a/configmaps", object("v1", "ConfigMap", "a", "p1", "{}"));

    assertSameReads();
    // the same name again: AlreadyExists from both
    assertThat(both("POST", "/api/v1/namespaces/a/pods", pod("a", "p1", "x"))).isEqualTo(409);

    // a replace is stored anew (fabric8 removes and re-adds it): it moves to the end of lists
    JsonObject p1 = new JsonObject(send(plain, "GET", "/api/v1/namespaces/b/pods/p1", null).body());
    p1.getJsonObject("metadata").put("labels", new JsonObject().put("app", "z"));
    p1.getJsonObject("metadata").remove("resourceVersion");
    assertThat(both("PUT", "/api/v1/namespaces/b/pods/p1", p1.encode())).isEqualTo(200);
    JsonObject status = new JsonObject().put("status", new JsonObject().put("phase", "Running"));
    assertThat(
            both(
                "PUT",
                "/api/v1/namespaces/c/pods/p2/status",
                new JsonObject(pod("c", "p2", "x")).mergeIn(status).encode()))
        .isEqualTo(200);
    assertThat(both("DELETE", "/api/v1/namespaces/a/pods/p2", null)).isEqualTo(200);
    assertThat(both("DELETE", "/api/v1/namespaces/a/pods/p2", null)).isEqualTo(404);
    assertSameReads();

    // a delete of a collection removes the namespace's pods only
    assertThat(both("DELETE", "/api/v1/namespaces/c/pods", null)).isEqualTo(200);
    assertSameReads();
    assertThat(names(send(indexed, "GET", "/api/v1/pods", null).body()))
        .containsExactly("a/p1", "b/p2", "b/p3", "a/p3", "b/p1");
  }

  private void assertSameReads() throws Exception {
    for (String path :
        List.of(
            "/api/v1/pods",
            "/api/v1/namespaces/a/pods",
            "/api/v1/namespaces/b/pods",
            "/api/v1/namespaces/missing/pods",
            "/api/v1/namespaces/a/pods/p1",
            "/api/v1/namespaces/a/pods/p9",
            "/api/v1/pods?labelSelector=app%3Dx",
            "/api/v1/namespaces/b/pods?labelSelector=app%21%3Dx",
            "/api/v1/namespaces/b/pods?labelSelector=app",
            "/apis/apps/v1/deployments",
            "/apis/apps/v1/namespaces/c/deployments",
            "/apis/apps/v1/namespaces/c/deployments/d3",
            "/api/v1/namespaces/a/configmaps/p1",
            "/api/v1/namespaces",
            "/api/v1/namespaces/b",
            "/api/v1/nodes",
            "/api/v1/nodes/node-1")) {
      HttpResponse<String> expected = send(plain, "GET", path, null);
      HttpResponse<String> actual = send(indexed, "GET", path, null);
      assertThat(actual.statusCode()).as(path).isEqualTo(expected.statusCode());
      assertThat(names(actual.body())).as(path).isEqualTo(names(expected.body()));
    }
  }

  /** The objects an answer holds, as namespace/name, in its order. */
  private static List<String> names(String body) {
    List<String> out = new ArrayList<>();
    if (body.isEmpty()) {
      return out;
    }
    JsonObject json = new JsonObject(body);
    JsonArray items = json.getJsonArray("items");
    for (Object o : items == null ? new JsonArray().add(json) : items) {
      JsonObject meta = ((JsonObject) o).getJsonObject("metadata");
      out.add(meta.getString("namespace", "") + "/" + meta.getString("name"));
    }
    out.replaceAll(s -> s.startsWith("/") ? s.substring(1) : s);
    return out;
  }

  /** Sends to both servers; both must answer the same status, which is returned. */
  private int both(String method, String path, String body) throws Exception {
    int expected = send(plain, method, path, body).statusCode();
    assertThat(send(indexed, method, path, body).statusCode())
        .as(method + " " + path)
        .isEqualTo(expected);
    return expected;
  }

  private HttpResponse<String> send(
      KubernetesMockServer server, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String namespace(String name) {
    return object("v1", "Namespace", null, name, "{}");
  }

  private static String pod(String ns, String name, String app) {
    return new JsonObject(object("v1", "Pod", ns, name, "{\"app\":\"" + app + "\"}"))
        .put(
            "spec",
            new JsonObject()
                .put(
                    "containers",
                    new JsonArray()
                        .add(new JsonObject().put("name", "app").put("image", "nginx:1.27"))))
        .encode();
  }

  private static String object(
      String apiVersion, String kind, String namespace, String name, String labels) {
    JsonObject meta = new JsonObject().put("name", name).put("labels", new JsonObject(labels));
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    return new JsonObject()
        .put("apiVersion", apiVersion)
        .put("kind", kind)
        .put("metadata", meta)
        .encode();
  }

  // the same construction as FakeCluster's (fabric8 deprecates the mapper without a replacement)
  @SuppressWarnings("deprecation")
  private static KubernetesMockServer mock(CrudDispatcher dispatcher) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            dispatcher,
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return server;
  }
}
