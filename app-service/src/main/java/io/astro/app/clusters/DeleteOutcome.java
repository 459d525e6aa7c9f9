package io.astro.app.clusters;

/** What deleting a cluster came to; the routes turn each outcome into its answer. */
public sealed interface DeleteOutcome {

  /** Soft-deleted, its tombstone in the outbox. */
  record Deleted() implements DeleteOutcome {}

  /** Live apps are placed on it and deletion was not forced: nothing changed. */
  record InUse(String name, int appCount) implements DeleteOutcome {}

  /** No live cluster has that id. */
  record NotFound() implements DeleteOutcome {}
}
