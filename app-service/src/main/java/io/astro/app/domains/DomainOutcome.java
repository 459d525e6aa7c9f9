package io.astro.app.domains;

import java.util.List;

/** What a change of an app's custom domains came to. */
public sealed interface DomainOutcome {

  /**
   * The domain was claimed for the app ({@code k8sName} names its own host, under {@code
   * appsDomain}: its cluster's own, null when the operator's setting applies).
   */
  record Added(Domain domain, String k8sName, String appsDomain) implements DomainOutcome {}

  /** The app's domains, for its list ({@code appsDomain} as for {@link Added}). */
  /**
   * The app's domains, with its last reported certificate state ({@code [{host, state, reason}]}).
   */
  record Listed(
      List<Domain> domains,
      String k8sName,
      String appsDomain,
      io.vertx.core.json.JsonArray certificates)
      implements DomainOutcome {}

  /** A failed (or pending) domain is looked at again now, from a fresh back-off. */
  record Retried(Domain domain, String k8sName, String appsDomain) implements DomainOutcome {}

  /** A verified domain has nothing to retry. */
  record AlreadyVerified() implements DomainOutcome {}

  /** The user's writes are over their limit. */
  record Throttled(io.astro.app.apps.WriteLimits.Throttled limit) implements DomainOutcome {}

  /** The name is under a cluster's apps domain: Astro's own. */
  record Reserved(String appsDomain) implements DomainOutcome {}

  /** The app's cluster has no apps domain and the operator set none: no public URL to reach. */
  record NoPublicUrls() implements DomainOutcome {}

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
