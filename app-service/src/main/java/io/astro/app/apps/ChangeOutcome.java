package io.astro.app.apps;

import io.astro.common.http.FieldErrors;

/** What an operation on an app's desired state (start, stop, scale, patch, …) came to. */
public sealed interface ChangeOutcome {

  /** The desired state changed: a new generation and its command were stored. */
  record Changed(App app) implements ChangeOutcome {}

  /** The app already was as asked: nothing stored, the app answered as it is. */
  record Unchanged(App app) implements ChangeOutcome {}

  /** The app is being deleted and takes no other operation. */
  record BeingDeleted() implements ChangeOutcome {}

  /** No live app of the caller has that id. */
  record NotFound() implements ChangeOutcome {}

  /** The change, merged into the app, breaks these rules; nothing stored. */
  record Invalid(FieldErrors errors) implements ChangeOutcome {}

  /** A rollback to a release the app never had. */
  record UnknownRelease(long release, long latest) implements ChangeOutcome {}

  /** The change would take the caller's apps past the namespace quota; nothing stored. */
  record QuotaExceeded(QuotaRefusal refusal) implements ChangeOutcome {}

  /** The change would pass a write limit (per app and action, or per user); nothing stored. */
  record Throttled(WriteLimits.Throttled limit) implements ChangeOutcome {}
}
