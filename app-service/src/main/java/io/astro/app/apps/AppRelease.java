package io.astro.app.apps;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One release of an app: the whole spec it fixed (secrets sealed as they were) and what changed.
 * {@code generation} is the app's generation it was made at; {@code failed} once its rollout
 * failed, for good; {@code active} while it is the app's current release.
 */
public record AppRelease(
    String appId,
    long number,
    long generation,
    String image,
    Integer port,
    Settings settings,
    String description,
    boolean failed,
    boolean active,
    Instant createdAt) {

  /** {@code failed}, else {@code active} for the app's current release, else {@code superseded}. */
  public ReleaseStatus status() {
    return failed ? ReleaseStatus.FAILED : active ? ReleaseStatus.ACTIVE : ReleaseStatus.SUPERSEDED;
  }

  /** As the releases list shows it: no settings (secrets are only named, in the description). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("number", number)
        .put("created_at", createdAt.toString())
        .put("description", description)
        .put("image", image)
        .put("status", status().value());
  }
}
