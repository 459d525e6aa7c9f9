package io.astro.sync.reconcile;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Creates, replaces and deletes whole objects (docs/architecture.md, the reconcile model: create or
 * replace; no server-side apply, no strategic merge). Nothing is written when the observed object
 * was built from the same spec hash, so a resync or a restart issues no writes.
 *
 * <p>A replace carries no {@code resourceVersion} (an unconditional update, which the API server
 * allows for every kind Astro writes). Astro owns the whole of what it writes, and the version it
 * observed is usually already behind a status write of another controller's: the Deployment
 * controller writes {@code observedGeneration} right after each spec change, the quota controller
 * {@code status.used} whenever a pod comes or goes. Requiring that version made a spec change that
 * followed another one fail with 409 and come back after a back-off, for no gain: whatever stands
 * in the way is overwritten on the retry anyway.
 */
public final class ObjectWriter {

  /** Counts writes by kind and verb (metrics). */
  public interface Writes {
    void count(String kind, String verb);
  }

  private final Writes writes;

  public ObjectWriter(Writes writes) {
    this.writes = writes;
  }

  /**
   * Makes the cluster hold {@code desired}. {@code observed} is what the caller saw (from a lister
   * or a read), null if absent; {@code drifted} says whether it differs in a way the spec hash
   * cannot see (a hand edit).
   *
   * @return true when something was written
   */
  public <T extends KubernetesObject, L extends KubernetesListObject> boolean ensure(
      GenericKubernetesApi<T, L> api, T desired, T observed, boolean drifted) {
    return write(api, desired, observed, drifted) != null;
  }

  /**
   * As {@link #ensure}, answering the object as the API server stored it when something was written
   * (for a cache that has not seen the write yet), null when nothing was.
   */
  public <T extends KubernetesObject, L extends KubernetesListObject> T write(
      GenericKubernetesApi<T, L> api, T desired, T observed, boolean drifted) {
    if (observed == null) {
      return call(() -> api.create(desired), desired, "create");
    }
    if (!drifted && Objects.equals(Manifests.specHash(observed), Manifests.specHash(desired))) {
      return null;
    }
    desired.getMetadata().setResourceVersion(null);
    return call(() -> api.update(desired), desired, "replace");
  }

  /** Removes the object; one already gone is fine. */
  public <T extends KubernetesObject, L extends KubernetesListObject> void delete(
      GenericKubernetesApi<T, L> api, String kind, String namespace, String name) {
    KubernetesApiResponse<T> response =
        send(() -> api.delete(namespace, name), kind, namespace, name);
    writes.count(kind, "delete");
    if (!response.isSuccess() && response.getHttpStatusCode() != 404) {
      throw failure(response, "delete " + kind + " " + namespace + "/" + name);
    }
  }

  /**
   * Asks for a namespace's deletion: it goes {@code Terminating} while Kubernetes removes what is
   * in it. One already gone (404) or already being deleted (409) is fine.
   */
  public void deleteNamespace(GenericKubernetesApi<V1Namespace, V1NamespaceList> api, String name) {
    KubernetesApiResponse<V1Namespace> response =
        send(() -> api.delete(name), "Namespace", null, name);
    writes.count("Namespace", "delete");
    int code = response.getHttpStatusCode();
    if (!response.isSuccess() && code != 404 && code != 409) {
      throw failure(response, "delete Namespace " + name);
    }
  }

  /** Reads one object; null when it does not exist. */
  public <T extends KubernetesObject, L extends KubernetesListObject> T read(
      GenericKubernetesApi<T, L> api, String kind, String namespace, String name) {
    KubernetesApiResponse<T> response =
        send(
            () -> namespace == null ? api.get(name) : api.get(namespace, name),
            kind,
            namespace,
            name);
    if (response.getHttpStatusCode() == 404) {
      return null;
    }
    if (!response.isSuccess()) {
      throw failure(response, "read " + kind + " " + name);
    }
    return response.getObject();
  }

  private <T extends KubernetesObject> T call(
      Supplier<KubernetesApiResponse<T>> request, T object, String verb) {
    String kind = object.getKind();
    KubernetesApiResponse<T> response =
        send(request, kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
    writes.count(kind, verb);
    if (!response.isSuccess()) {
      throw failure(response, verb + " " + kind + " " + object.getMetadata().getName());
    }
    // an answer without a body (never from a real server) still counts as written
    return response.getObject() != null ? response.getObject() : object;
  }

  /**
   * The generic API answers some refusals as a response and throws others (e.g. a 404 on get)
   * wrapped in a RuntimeException; both become a response here. Without an HTTP status the cluster
   * did not answer at all.
   */
  private static <T extends KubernetesObject> KubernetesApiResponse<T> send(
      Supplier<KubernetesApiResponse<T>> request, String kind, String namespace, String name) {
    try {
      return request.get();
    } catch (RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof ApiException api && api.getCode() > 0) {
          return new KubernetesApiResponse<>(
              new V1Status().code(api.getCode()).message(statusMessage(api)), api.getCode());
        }
      }
      throw new ClusterApiException(
          0,
          kind
              + " "
              + (namespace == null ? "" : namespace + "/")
              + name
              + ": cluster unreachable: "
              + rootMessage(e));
    }
  }

  // the body of a refusal is a Status whose message says why; fall back to the status line
  private static String statusMessage(ApiException e) {
    try {
      V1Status status = JSON.deserialize(e.getResponseBody(), V1Status.class);
      if (status != null && status.getMessage() != null) {
        return status.getMessage();
      }
    } catch (RuntimeException ignored) {
      // not a Status body
    }
    return "HTTP " + e.getCode();
  }

  private static ClusterApiException failure(KubernetesApiResponse<?> response, String what) {
    String message =
        response.getStatus() != null && response.getStatus().getMessage() != null
            ? response.getStatus().getMessage()
            : "HTTP " + response.getHttpStatusCode();
    return new ClusterApiException(response.getHttpStatusCode(), what + ": " + message);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
