package io.astro.bench.scenarios;

import java.util.concurrent.CompletableFuture;

/**
 * When each step of one app's create happened, in epoch milliseconds (0 = not seen). All clocks are
 * this machine's: the bench's, the services' (record timestamps are the producers' send times,
 * event times theirs) and MariaDB's.
 */
final class Timeline {

  final String appId;
  volatile long postAnswered;

  /**
   * The command's CloudEvent {@code time}: when app-service built it, in the create's transaction.
   */
  volatile long commandTime;

  /** The command record's timestamp: when the outbox relay handed it to the producer. */
  volatile long commandRecord;

  /** When a watch on the cluster saw the Deployment added / report every replica ready. */
  volatile long deploymentAdded;

  volatile long deploymentReady;

  /** The {@code running} status event: its {@code observedAt} and its record timestamp. */
  volatile long runningObservedAt;

  volatile long runningRecord;

  /** When app-service wrote {@code running} into the app's history (app_events.created_at). */
  volatile long dbApplied;

  final CompletableFuture<Void> running = new CompletableFuture<>();
  final CompletableFuture<Void> deleted = new CompletableFuture<>();

  Timeline(String appId) {
    this.appId = appId;
  }

  boolean complete() {
    return postAnswered > 0 && commandRecord > 0 && runningRecord > 0;
  }
}
