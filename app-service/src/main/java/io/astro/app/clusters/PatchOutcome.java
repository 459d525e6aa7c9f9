package io.astro.app.clusters;

import java.util.Optional;

/** What a change of a cluster's details or credentials came to. */
public sealed interface PatchOutcome {

  /** Stored and announced: the cluster as it is now. */
  record Patched(Cluster cluster) implements PatchOutcome {}

  /** The new kubeconfig was refused, for {@code reason}; nothing changed. */
  record Rejected(String reason) implements PatchOutcome {}

  /** No live cluster has that id. */
  record NotFound() implements PatchOutcome {}

  /** Patched, or not found. */
  static PatchOutcome of(Optional<Cluster> updated) {
    return updated.<PatchOutcome>map(Patched::new).orElseGet(NotFound::new);
  }
}
