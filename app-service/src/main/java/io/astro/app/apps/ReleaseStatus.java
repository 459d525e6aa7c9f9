package io.astro.app.apps;

import io.astro.common.json.JsonWord;

/**
 * Where a release of an app stands, as the releases list shows it (the lower-case word): the app's
 * {@link #ACTIVE} release, one a later release replaced ({@link #SUPERSEDED}), or one whose rollout
 * failed for good ({@link #FAILED}).
 */
public enum ReleaseStatus implements JsonWord {
  ACTIVE,
  SUPERSEDED,
  FAILED;

  @Override
  public String toString() {
    return value();
  }
}
