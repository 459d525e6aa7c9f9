package io.astro.app.http;

import io.astro.app.store.Page;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** What the apps and clusters routes read from requests alike, and how a page of results looks. */
public final class Requests {

  private Requests() {}

  public static <T> JsonObject page(
      Page<T> found, Function<T, JsonObject> view, int page, int limit) {
    JsonArray items = new JsonArray();
    found.items().forEach(item -> items.add(view.apply(item)));
    return new JsonObject()
        .put("items", items)
        .put("page", page)
        .put("limit", limit)
        .put("total", found.total());
  }

  /**
   * An integer query parameter in [min, max]; a bad one is added to {@code errors} and the default
   * returned.
   */
  public static int intParam(
      RoutingContext ctx, String name, int defaultValue, int min, int max, FieldErrors errors) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below like an out-of-range value
    }
    errors.add(name, "must be an integer from " + min + " to " + max);
    return defaultValue;
  }

  public static JsonObject body(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (ClassCastException e) {
      // valid JSON but not an object (an array, a number): the client's mistake, answered like a
      // missing body
      body = null;
    }
    if (body == null) {
      throw new ApiException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
    }
    return body;
  }
}
