package io.astro.app.http;

import io.astro.app.store.Page;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.http.QueryParams;
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
    return QueryParams.of(ctx, errors).integer(name, defaultValue, min, max);
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
