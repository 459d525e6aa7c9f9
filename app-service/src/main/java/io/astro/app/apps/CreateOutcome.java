package io.astro.app.apps;

import io.vertx.core.json.JsonObject;

/** What a create request came to; the routes turn each outcome into its answer. */
public sealed interface CreateOutcome {

  /** The app was stored with its create command. */
  record Created(App app) implements CreateOutcome {}

  /** The idempotency key was seen with the same request: its stored answer, as first given. */
  record Replayed(JsonObject response) implements CreateOutcome {}

  /** The idempotency key was seen with a different request. */
  record KeyReused() implements CreateOutcome {}

  /** The caller already has a live app of that name. */
  record NameTaken(String name) implements CreateOutcome {}

  /** The caller already has the most live apps allowed. */
  record LimitReached(int maxApps) implements CreateOutcome {}

  /** The fields, checked against the caller's registries, are wrong; nothing stored. */
  record Invalid(io.astro.common.http.FieldErrors errors) implements CreateOutcome {}

  /** The app would take the caller's apps past the namespace quota; nothing stored. */
  record QuotaExceeded(QuotaRefusal refusal) implements CreateOutcome {}

  /**
   * No healthy cluster (carrying the placement {@code labels}, {@code key=value,…} or empty) can
   * take the caller's first app now.
   */
  record NoHealthyCluster(String labels) implements CreateOutcome {}

  /** The caller made as many changes as {@link WriteLimits} allow in the window; nothing stored. */
  record Throttled(WriteLimits.Throttled limit) implements CreateOutcome {}
}
