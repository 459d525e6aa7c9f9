package io.astro.testkit.kube;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * {@code POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews}: answers whether the caller
 * may do what {@code spec.resourceAttributes} names, from the {@link RestrictedCredential}. The
 * answer is the request echoed with {@code status.allowed} (and the RBAC authorizer's {@code
 * reason} when allowed), as a real server answers it; {@code nonResourceAttributes} are always
 * allowed.
 */
final class AccessReviews {

  static final String PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

  private AccessReviews() {}

  static boolean handles(HttpServerRequest req) {
    return HttpMethod.POST.equals(req.method()) && PATH.equals(req.path());
  }

  static void answer(HttpServerRequest req, RestrictedCredential credential) {
    req.body()
        .onSuccess(
            body -> {
              JsonObject review;
              try {
                review = body.toJsonObject();
              } catch (DecodeException | ClassCastException e) {
                badRequest(req, "the body is not a SelfSubjectAccessReview");
                return;
              }
              JsonObject spec = review.getJsonObject("spec");
              if (spec == null
                  || (spec.getJsonObject("resourceAttributes") == null
                      && spec.getJsonObject("nonResourceAttributes") == null)) {
                badRequest(
                    req,
                    "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes:"
                        + " Invalid value: \"null\": exactly one of nonResourceAttributes or"
                        + " resourceAttributes must be specified");
                return;
              }
              JsonObject attributes = spec.getJsonObject("resourceAttributes");
              boolean allowed =
                  attributes == null
                      || credential.allows(
                          attributes.getString("verb", ""),
                          attributes.getString("group", ""),
                          resource(attributes));
              JsonObject status = new JsonObject().put("allowed", allowed);
              if (allowed) {
                status.put("reason", "RBAC: allowed by ClusterRoleBinding for User \"astro\"");
              }
              review
                  .put("apiVersion", "authorization.k8s.io/v1")
                  .put("kind", "SelfSubjectAccessReview")
                  .put("metadata", new JsonObject().put("creationTimestamp", (Object) null))
                  .put("status", status);
              req.response()
                  .setStatusCode(201)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                  .end(review.encode());
            });
  }

  private static String resource(JsonObject attributes) {
    String resource = attributes.getString("resource", "");
    String sub = attributes.getString("subresource", "");
    return sub.isEmpty() ? resource : resource + "/" + sub;
  }

  private static void badRequest(HttpServerRequest req, String message) {
    req.response()
        .setStatusCode(400)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(
            new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", message)
                .put("reason", "BadRequest")
                .put("code", 400)
                .encode());
  }
}
