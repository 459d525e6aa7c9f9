package io.astro.app.domains;

import java.util.List;

/** What a change of an app's custom domains came to. */
public sealed interface DomainOutcome {

  /** The domain was claimed for the app ({@code k8sName} names its own host). */
  record Added(Domain domain, String k8sName) implements DomainOutcome {}

  /** The app's domains, for its list. */
  record Listed(List<Domain> domains, String k8sName) implements DomainOutcome {}

  record Removed() implements DomainOutcome {}

  /** Not a live app of the caller. */
  record AppNotFound() implements DomainOutcome {}

  /** The app has no such domain. */
  record DomainNotFound() implements DomainOutcome {}

  record BeingDeleted() implements DomainOutcome {}

  /** Another app (of anyone) holds the domain, or this one already does. */
  record Taken(boolean byThisApp) implements DomainOutcome {}

  /** The app already has {@code max} domains. */
  record LimitReached(int max) implements DomainOutcome {}
}
