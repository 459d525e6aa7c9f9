package io.astro.common.events;

/**
 * Kafka topics (docs/architecture.md, topics and event flow). Keys are the aggregate: the app id,
 * the cluster name, the user's uuid.
 */
public final class Topics {

  /**
   * app-service (outbox) → sync-worker: full desired state per app with a generation. Compacted.
   */
  public static final String APP_COMMANDS = "astro.app.commands";

  /** sync-worker → app-service and integrations: observed state per app. */
  public static final String APP_STATUS = "astro.app.status";

  /**
   * app-service (outbox) → sync-worker: the cluster registry, kubeconfig encrypted. Compacted,
   * tombstone on delete.
   */
  public static final String CLUSTERS = "astro.clusters";

  /** sync-worker → app-service and integrations: health-check results. */
  public static final String CLUSTER_STATUS = "astro.cluster.status";

  /**
   * user-service (outbox) → app-service: account lifecycle ({@code io.astro.user.v1}), keyed by the
   * user's uuid.
   */
  public static final String USERS = "astro.users";

  /**
   * user-service and app-service (each through its outbox) → app-service: the audit trail ({@code
   * io.astro.audit.v1}), keyed by the actor's uuid.
   */
  public static final String AUDIT = "astro.audit";

  /** Header carrying the request id from the HTTP edge through every hop. */
  public static final String REQUEST_ID_HEADER = "x-request-id";

  private Topics() {}

  /** Where a consumer of {@code topic} parks records it cannot process, with the reason. */
  public static String deadLetter(String topic) {
    return topic + ".dlq";
  }
}
