package io.astro.app.clusters;

/** What importing a cluster came to; the routes turn each outcome into its answer. */
public sealed interface ImportOutcome {

  /** The cluster was stored and its record put in the outbox. */
  record Imported(Cluster cluster) implements ImportOutcome {}

  /** A live cluster of that name exists. */
  record NameTaken(String name) implements ImportOutcome {}

  /** The kubeconfig was refused, for {@code reason}; nothing was stored. */
  record Rejected(String reason) implements ImportOutcome {}
}
