package io.astro.app.apps;

import io.astro.common.http.ApiResponse;
import io.astro.common.http.FieldErrors;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /internal/v1/app-counts?user_id=1&user_id=2}: how many live apps each user has, for
 * user-service's list of accounts (operators). Internal like user-service's list of disabled
 * accounts: the gateway routes nothing under {@code /internal}.
 */
public final class AppCounts {

  /** Users one call may ask about: one page of the accounts list at most. */
  public static final int MAX_USERS = 100;

  private final AppStore store;

  public AppCounts(AppStore store) {
    this.store = store;
  }

  public void mount(Router router) {
    router.get("/internal/v1/app-counts").handler(this::counts);
  }

  private void counts(RoutingContext ctx) {
    FieldErrors errors = new FieldErrors();
    List<String> raw = ctx.queryParam("user_id");
    List<Long> ids = new ArrayList<>(raw.size());
    if (raw.size() > MAX_USERS) {
      errors.add("user_id", "at most " + MAX_USERS + " at once");
    }
    for (String id : raw) {
      try {
        ids.add(Long.parseLong(id));
      } catch (NumberFormatException e) {
        errors.add("user_id", "must be whole numbers");
        break;
      }
    }
    errors.throwIfAny();
    store
        .counts(ids)
        .onSuccess(
            counts -> {
              JsonObject byUser = new JsonObject();
              ids.forEach(id -> byUser.put(Long.toString(id), counts.getOrDefault(id, 0L)));
              ApiResponse.ok(ctx, new JsonObject().put("counts", byUser));
            })
        .onFailure(ctx::fail);
  }
}
