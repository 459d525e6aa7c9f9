package io.astro.app.apps;

import io.vertx.core.json.JsonObject;

/**
 * Why a change is refused against the namespace quota: the {@code resource} ({@code cpu}, {@code
 * memory}, {@code pods}, {@code ephemeral-storage}) it would take past {@code limit}, with what
 * would be {@code requested}.
 */
public record QuotaRefusal(String resource, String requested, String limit) {

  public String message() {
    return "this would request "
        + requested
        + " "
        + resource
        + " in your namespace, more than its quota of "
        + limit
        + "; scale down, stop or delete an app, or pick a smaller size";
  }

  public JsonObject data() {
    return new JsonObject()
        .put("resource", resource)
        .put("requested", requested)
        .put("limit", limit);
  }
}
