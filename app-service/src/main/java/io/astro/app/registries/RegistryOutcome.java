package io.astro.app.registries;

/** What a change of registry credentials came to; the routes turn each into its answer. */
public sealed interface RegistryOutcome {

  record Created(Registry registry) implements RegistryOutcome {}

  /** The caller already has a credential of that name. */
  record NameTaken(String name) implements RegistryOutcome {}

  record Deleted() implements RegistryOutcome {}

  record NotFound() implements RegistryOutcome {}

  /** Live apps' current releases pull with it ({@code apps}: their names). */
  record InUse(java.util.List<String> apps) implements RegistryOutcome {}
}
