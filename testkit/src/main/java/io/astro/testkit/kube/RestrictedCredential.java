package io.astro.testkit.kube;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A credential lacking chosen rights, as RBAC makes one: for every client of the fake cluster but
 * its own, a request whose verb and resource were denied answers 403 with the Status a real server
 * sends ({@code pods is forbidden: User "astro" cannot list resource "pods" in API group "" at the
 * cluster scope}), and a {@code SelfSubjectAccessReview} for it answers {@code allowed: false}.
 * Everything not denied is allowed. {@link FakeClusterExtension} allows everything again after each
 * test.
 *
 * <pre>{@code
 * cluster.credential().deny("list", "pods");             // core group
 * cluster.credential().deny("create", "deployments.apps"); // resource.group
 * }</pre>
 */
public final class RestrictedCredential {

  /** The user every token of the fake cluster authenticates as. */
  public static final String USER = "astro";

  private final Set<String> denied = ConcurrentHashMap.newKeySet();

  /**
   * Denies {@code verb} (get, list, watch, create, update, patch, delete, deletecollection) on
   * {@code resource} ({@code pods}, {@code pods/log}, {@code deployments.apps}) in every namespace.
   */
  public RestrictedCredential deny(String verb, String resource) {
    denied.add(verb.toLowerCase(Locale.ROOT) + " " + resource);
    return this;
  }

  /** Allows everything again. */
  public RestrictedCredential allowAll() {
    denied.clear();
    return this;
  }

  /** Whether {@code verb} on {@code resource} of {@code group} ("" = core) is allowed. */
  public boolean allows(String verb, String group, String resource) {
    return !denied.contains(verb + " " + resource + (group.isEmpty() ? "" : "." + group));
  }

  /** The 403 Status for a request this credential may not make, if it may not. */
  Optional<JsonObject> forbidden(RequestAttributes request) {
    if (allows(request.verb(), request.group(), request.resource())) {
      return Optional.empty();
    }
    return Optional.of(status(request));
  }

  /** The Status body of the RBAC authorizer's refusal (k8s.io/apiserver's forbidden message). */
  static JsonObject status(RequestAttributes r) {
    String qualified = r.resource() + (r.group().isEmpty() ? "" : "." + r.group());
    String subject = qualified + (r.name().isEmpty() ? "" : " \"" + r.name() + "\"");
    String where =
        r.namespace().isEmpty()
            ? "at the cluster scope"
            : "in the namespace \"" + r.namespace() + "\"";
    String message =
        subject
            + " is forbidden: User \""
            + USER
            + "\" cannot "
            + r.verb()
            + " resource \""
            + r.resource()
            + "\" in API group \""
            + r.group()
            + "\" "
            + where;
    JsonObject details = new JsonObject().put("kind", r.resource());
    if (!r.group().isEmpty()) {
      details.put("group", r.group());
    }
    if (!r.name().isEmpty()) {
      details.put("name", r.name());
    }
    return new JsonObject()
        .put("kind", "Status")
        .put("apiVersion", "v1")
        .put("metadata", new JsonObject())
        .put("status", "Failure")
        .put("message", message)
        .put("reason", "Forbidden")
        .put("details", details)
        .put("code", 403);
  }
}
