package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's cert-manager against a storage that does not always answer: a sync that could not
 * read is a failed sync, retried, never "nothing there". Its storage here is a stand-in for the
 * mock that can refuse reads on demand (the mock itself cannot be told to).
 */
class CertManagerSyncTest {

  private static final String NS = "astro-user-sync";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Vertx vertx;
  private Storage storage;
  private HttpServer server;
  private CertManager certManager;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    storage = new Storage();
    server =
        vertx
            .createHttpServer()
            .requestHandler(storage::handle)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    certManager =
        new CertManager(
            vertx,
            new MockStore(vertx.createHttpClient(), "127.0.0.1", server.actualPort()),
            installed -> {});
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_held_certificate_is_issued_after_release_even_when_the_first_reads_are_refused() {
    certManager.ingressShim(true).hold(true);
    certManager.ingressChanged(NS);
    Eventually.until(
        "web-tls pending", WAIT, () -> "True".equals(condition("web-tls", "Issuing", "status")));

    // the sync hold(false) queues cannot read the Ingresses nor the Certificates
    storage.refuseReads(2);
    certManager.hold(false);

    Eventually.until(
        "web-tls issued after hold(false)",
        WAIT,
        () -> "True".equals(condition("web-tls", "Ready", "status")));
    assertThat(storage.refused.get()).isEqualTo(2);
  }

  private String condition(String name, String type, String field) {
    JsonObject certificate = storage.certificates.get(name);
    if (certificate == null) {
      return null;
    }
    for (Object c :
        certificate
            .getJsonObject("status", new JsonObject())
            .getJsonArray("conditions", new JsonArray())) {
      if (c instanceof JsonObject j && type.equals(j.getString("type"))) {
        return j.getString(field);
      }
    }
    return null;
  }

  /** One annotated Ingress with one TLS entry, and the Certificates written for it. */
  private static final class Storage {
    private static final String INGRESSES =
        "/apis/networking.k8s.io/v1/namespaces/" + NS + "/ingresses";
    private static final String CERTIFICATES =
        "/apis/cert-manager.io/v1/namespaces/" + NS + "/certificates";

    final Map<String, JsonObject> certificates = new ConcurrentHashMap<>();
    final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger toRefuse = new AtomicInteger();
    private final AtomicInteger resourceVersion = new AtomicInteger();

    void refuseReads(int reads) {
      toRefuse.set(reads);
    }

    void handle(HttpServerRequest request) {
      request
          .body()
          .onSuccess(
              body -> {
                String path = request.path();
                if (HttpMethod.GET.equals(request.method())) {
                  if (toRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    refused.incrementAndGet();
                    request.response().setStatusCode(503).end("{\"kind\":\"Status\"}");
                    return;
                  }
                  JsonArray items = new JsonArray();
                  if (path.equals(INGRESSES)) {
                    items.add(ingress());
                  } else if (path.equals(CERTIFICATES)) {
                    certificates.values().forEach(items::add);
                  }
                  request.response().end(new JsonObject().put("items", items).encode());
                } else if (path.startsWith(CERTIFICATES)) {
                  JsonObject certificate = body.toJsonObject();
                  String name = certificate.getJsonObject("metadata").getString("name");
                  certificate
                      .getJsonObject("metadata")
                      .put("resourceVersion", String.valueOf(resourceVersion.incrementAndGet()));
                  certificates.put(name, certificate);
                  request.response().setStatusCode(200).end(certificate.encode());
                } else {
                  request.response().setStatusCode(404).end();
                }
              });
    }

    private static JsonObject ingress() {
      return new JsonObject()
          .put(
              "metadata",
              new JsonObject()
                  .put("name", "web")
                  .put("uid", "00000000-0000-0000-0000-000000000001")
                  .put(
                      "annotations",
                      new JsonObject().put(CertManager.CLUSTER_ISSUER_ANNOTATION, "letsencrypt")))
          .put(
              "spec",
              new JsonObject()
                  .put(
                      "tls",
                      new JsonArray()
                          .add(
                              new JsonObject()
                                  .put("hosts", new JsonArray().add("web.apps.example"))
                                  .put("secretName", "web-tls"))));
    }
  }
}
