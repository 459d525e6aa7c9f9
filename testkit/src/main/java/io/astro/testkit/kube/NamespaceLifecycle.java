package io.astro.testkit.kube;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Namespaces as the API server and the namespace controller treat them: content cannot be created
 * in a missing namespace (404) or in one being deleted (403; admission plugin NamespaceLifecycle,
 * k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go), and a DELETE first marks
 * the namespace {@code Terminating} and only later, as the namespace controller
 * (pkg/controller/namespace/deletion/namespaced_resources_deleter.go) does, removes everything in
 * it and then the namespace.
 */
final class NamespaceLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceLifecycle.class);
  static final Duration DEFAULT_DELAY = Duration.ofMillis(300);

  /**
   * The finalizer that keeps a Terminating namespace stored in the mock until its content is gone;
   * a real server holds it by {@code spec.finalizers: [kubernetes]}, which the mock does not know.
   */
  static final String HOLD = "kubernetes";

  private final Vertx vertx;
  private final MockStore store;
  private volatile Duration delay = DEFAULT_DELAY;

  NamespaceLifecycle(Vertx vertx, MockStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  void delay(Duration delay) {
    this.delay = delay;
  }

  static String path(String namespace) {
    return "/api/v1/namespaces/" + namespace;
  }

  static boolean terminating(JsonObject namespace) {
    return namespace.getJsonObject("metadata", new JsonObject()).getString("deletionTimestamp")
            != null
        || "Terminating"
            .equals(namespace.getJsonObject("status", new JsonObject()).getString("phase"));
  }

  /** The refusal of a create of {@code name} in {@code path.namespace()}, if any. */
  Future<Optional<JsonObject>> admitCreate(ApiPath path, String name) {
    String ns = path.namespace();
    return store
        .get(path(ns))
        .map(
            namespace -> {
              if (namespace == null) {
                return Optional.of(StatusBodies.notFound("", "namespaces", ns));
              }
              if (terminating(namespace)) {
                JsonArray causes =
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("reason", "NamespaceTerminating")
                                .put("message", "namespace " + ns + " is being terminated")
                                .put("field", "metadata.namespace"));
                return Optional.of(
                    StatusBodies.forbidden(
                        path.group(),
                        path.resource(),
                        name,
                        "unable to create new content in namespace "
                            + ns
                            + " because it is being terminated",
                        causes));
              }
              return Optional.empty();
            });
  }

  /**
   * The namespaces the NamespaceLifecycle admission plugin never lets be deleted
   * (apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go, {@code immortalNamespaces}:
   * {@code metav1.NamespaceDefault}, {@code NamespaceSystem}, {@code NamespacePublic}).
   */
  static final List<String> IMMORTAL = List.of("default", "kube-system", "kube-public");

  /**
   * What a namespace DELETE answers, after marking the namespace Terminating and scheduling its
   * removal: the namespace as stored (200), 404 when there is none, 409 when it is already being
   * deleted (pkg/registry/core/namespace/storage/storage.go {@code Delete}), 403 for the immortal
   * ones (admission, before anything is read).
   */
  Future<JsonObject> delete(String name) {
    if (IMMORTAL.contains(name)) {
      return Future.succeededFuture(
          StatusBodies.forbidden(
              "", "namespaces", name, "this namespace may not be deleted", null));
    }
    return store
        .get(path(name))
        .compose(
            namespace -> {
              if (namespace == null) {
                return Future.succeededFuture(StatusBodies.notFound("", "namespaces", name));
              }
              if (terminating(namespace)) {
                return Future.succeededFuture(
                    StatusBodies.conflict(
                        "",
                        "namespaces",
                        name,
                        "The system is ensuring all content is removed from this namespace.  Upon"
                            + " completion, this namespace will automatically be purged by the"
                            + " system."));
              }
              JsonObject meta = namespace.getJsonObject("metadata");
              meta.put(
                  "deletionTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
              // the mock removes an object marked for deletion at once unless a finalizer holds it
              JsonArray finalizers = meta.getJsonArray("finalizers", new JsonArray());
              if (!finalizers.contains(HOLD)) {
                meta.put("finalizers", finalizers.add(HOLD));
              }
              JsonObject status = namespace.getJsonObject("status", new JsonObject());
              namespace.put("status", status.put("phase", "Terminating"));
              return store
                  .send(HttpMethod.PUT, path(name), namespace)
                  .map(
                      answer -> {
                        if (answer.code() != 200) {
                          throw new IllegalStateException(
                              "marking namespace " + name + " Terminating: " + answer.code());
                        }
                        vertx.setTimer(Math.max(1, delay.toMillis()), id -> finish(name));
                        return answer.body().toJsonObject();
                      });
            });
  }

  /**
   * A replace of a Terminating namespace keeps the finalizer that holds it in the mock (a client
   * that read it before the delete does not know it).
   */
  static void keepHold(JsonObject object, JsonObject stored) {
    JsonArray held = stored.getJsonObject("metadata", new JsonObject()).getJsonArray("finalizers");
    JsonObject meta = object.getJsonObject("metadata");
    if (held == null || !held.contains(HOLD) || meta == null) {
      return;
    }
    JsonArray finalizers = meta.getJsonArray("finalizers", new JsonArray());
    if (!finalizers.contains(HOLD)) {
      meta.put("finalizers", finalizers.add(HOLD));
    }
  }

  /**
   * Deletes every object in the namespace, then the namespace (releasing the hold: the mock then
   * removes it, as it was marked for deletion).
   */
  private void finish(String name) {
    List<Future<?>> deletions = new ArrayList<>();
    for (String collection : DiscoveryDocuments.namespacedCollections(name)) {
      deletions.add(
          store
              .list(collection)
              .compose(
                  items -> {
                    List<Future<?>> each = new ArrayList<>();
                    for (JsonObject item : items) {
                      String itemName = item.getJsonObject("metadata").getString("name");
                      each.add(store.send(HttpMethod.DELETE, collection + "/" + itemName, null));
                    }
                    return Future.join(each);
                  }));
    }
    Future.join(deletions)
        .eventually(() -> release(name))
        .onFailure(err -> LOG.warn("namespace {}: cascade failed: {}", name, err.toString()));
  }

  private Future<?> release(String name) {
    return store
        .get(path(name))
        .compose(
            namespace -> {
              if (namespace == null) {
                return Future.succeededFuture();
              }
              JsonObject meta = namespace.getJsonObject("metadata");
              JsonArray finalizers = meta.getJsonArray("finalizers", new JsonArray());
              finalizers.remove(HOLD);
              if (finalizers.isEmpty()) {
                meta.remove("finalizers");
              }
              return store.send(HttpMethod.PUT, path(name), namespace);
            });
  }
}
