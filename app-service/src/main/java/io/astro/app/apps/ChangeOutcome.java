package io.astro.app.apps;

/** What an operation on an app's desired state (start, stop, scale, …) came to. */
public sealed interface ChangeOutcome {

  /** The desired state changed: a new generation and its command were stored. */
  record Changed(App app) implements ChangeOutcome {}

  /** The app already was as asked: nothing stored, the app answered as it is. */
  record Unchanged(App app) implements ChangeOutcome {}

  /** The app is being deleted and takes no other operation. */
  record BeingDeleted() implements ChangeOutcome {}

  /** No live app of the caller has that id. */
  record NotFound() implements ChangeOutcome {}
}
