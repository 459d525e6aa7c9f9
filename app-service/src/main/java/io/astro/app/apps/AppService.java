package io.astro.app.apps;

import io.astro.app.clusters.ClusterStore;
import io.astro.app.clusters.Placement;
import io.astro.app.events.CommandEvents;
import io.astro.app.store.Page;
import io.astro.common.auth.Caller;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.astro.common.http.RequestIds;
import io.astro.common.kube.KubeNames;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The apps of a caller: create, read, and the operations that change desired state. Every change
 * bumps the app's generation and records a command in the same transaction; {@code afterCommit}
 * then wakes the outbox relay, so the answer never waits for Kafka.
 */
public final class AppService {

  private final AppStore store;
  private final int maxAppsPerUser;
  private final Placement placement;
  private final ClusterStore clusters;
  private final Runnable afterCommit;
  private final Clock clock;

  public AppService(
      AppStore store,
      int maxAppsPerUser,
      Placement placement,
      ClusterStore clusters,
      Runnable afterCommit,
      Clock clock) {
    this.clusters = clusters;
    this.store = store;
    this.maxAppsPerUser = maxAppsPerUser;
    this.placement = placement;
    this.afterCommit = afterCommit;
    this.clock = clock;
  }

  /**
   * Creates the app (status {@code pending}) and its create command; with a key, repeats answer the
   * same.
   */
  public Future<CreateOutcome> create(Caller caller, AppSpec spec, String idempotencyKey) {
    IdempotencyKey key =
        idempotencyKey == null ? null : new IdempotencyKey(idempotencyKey, spec.hash());
    Future<Optional<CreateOutcome>> earlier =
        key == null ? Future.succeededFuture(Optional.empty()) : store.replay(caller.userId(), key);
    return earlier.compose(
        replayed ->
            replayed.isPresent()
                ? Future.succeededFuture(replayed.get())
                : placement
                    .place(caller.userId())
                    .compose(
                        placed ->
                            placed.isPresent()
                                ? insert(caller, spec, placed.get(), key)
                                : Future.succeededFuture(
                                    new CreateOutcome.NoHealthyCluster(placement.labelText())))
                    .onSuccess(
                        outcome -> {
                          if (outcome instanceof CreateOutcome.Created) {
                            afterCommit.run();
                          }
                        }));
  }

  private Future<CreateOutcome> insert(
      Caller caller, AppSpec spec, Placement.Choice placed, IdempotencyKey key) {
    App app =
        App.created(
            UUID.randomUUID().toString(),
            caller.userId(),
            spec.name(),
            placed.cluster(),
            placed.reason(),
            KubeNames.namespace(caller.userId()),
            KubeNames.objectName(spec.name(), caller.userId()),
            App.Desired.of(spec.image(), spec.replicas(), spec.port()),
            now());
    String requestId = RequestIds.current();
    Change created =
        new Change(app, "create", requestId, CommandEvents.of("create", app, requestId));
    // the answer a repeat with the same key gets, stored with the key
    return store.create(created, maxAppsPerUser, key, app.toJson());
  }

  /** A live app of the caller; empty for an app that does not exist or is someone else's. */
  public Future<Optional<App>> get(Caller caller, String id) {
    return store.find(caller.userId(), id);
  }

  /**
   * An app with its cluster's latest health (null for a cluster without health checks, one from the
   * sync-worker's static config), as of {@code at}.
   */
  public record Detail(App app, ClusterStatusEvent clusterState, Instant at) {}

  /**
   * The app with what its detail shows besides: its cluster's latest health ({@link AppDetail} says
   * what that means for the app).
   */
  public Future<Optional<Detail>> detail(Caller caller, String id) {
    return get(caller, id)
        .compose(
            found ->
                found.isEmpty()
                    ? Future.succeededFuture(Optional.empty())
                    : clusters
                        .state(found.get().clusterId())
                        .map(
                            state ->
                                Optional.of(
                                    new Detail(found.get(), state.orElse(null), clock.instant()))));
  }

  public Future<Page<App>> list(Caller caller, String status, String search, int page, int limit) {
    return store.list(caller.userId(), status, search, page, limit);
  }

  /** The app's history; empty as {@link #get}. */
  public Future<Optional<Page<AppEvent>>> events(Caller caller, String id, int page, int limit) {
    return store.events(caller.userId(), id, page, limit);
  }

  /** Scales back to its replica count; harmless when it is not stopped. */
  public Future<ChangeOutcome> start(Caller caller, String id) {
    return change(caller, id, "start", d -> d.withStopped(false));
  }

  /** Scales to zero, keeping everything else; harmless when already stopped. */
  public Future<ChangeOutcome> stop(Caller caller, String id) {
    return change(caller, id, "stop", d -> d.withStopped(true));
  }

  /** A rolling restart: a new restart stamp in the desired state, so every restart is a change. */
  public Future<ChangeOutcome> restart(Caller caller, String id) {
    return change(caller, id, "restart", d -> d.withRestartedAt(now()));
  }

  public Future<ChangeOutcome> scale(Caller caller, String id, int replicas) {
    return change(caller, id, "scale", d -> d.withReplicas(replicas));
  }

  /** Status {@code deleting} until the worker reports the app gone; repeating it is harmless. */
  public Future<ChangeOutcome> delete(Caller caller, String id) {
    return change(caller, id, "delete", App.Desired::withDeleting);
  }

  private Future<ChangeOutcome> change(
      Caller caller, String id, String command, UnaryOperator<App.Desired> operation) {
    String requestId = RequestIds.current();
    return store
        .change(
            caller.userId(),
            id,
            current -> {
              boolean deleteAgain = current.desired().deleting() && command.equals("delete");
              if (current.desired().deleting() && !deleteAgain) {
                return new AppStore.Decision.BeingDeleted();
              }
              App.Desired desired = operation.apply(current.desired());
              if (desired.equals(current.desired())) {
                return new AppStore.Decision.Keep();
              }
              App after = current.next(desired, now());
              return new AppStore.Decision.Write(
                  new Change(
                      after, command, requestId, CommandEvents.of(command, after, requestId)));
            })
        .onSuccess(
            outcome -> {
              if (outcome instanceof ChangeOutcome.Changed) {
                afterCommit.run();
              }
            });
  }

  // millisecond precision, as the database stores it, so what is answered is what is read back
  // later
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
