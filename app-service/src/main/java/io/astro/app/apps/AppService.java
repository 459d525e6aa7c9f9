package io.astro.app.apps;

import io.astro.app.clusters.ClusterStore;
import io.astro.app.clusters.Placement;
import io.astro.app.events.CommandEvents;
import io.astro.app.store.Page;
import io.astro.common.auth.Caller;
import io.astro.common.events.app.AppStatus;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.RequestIds;
import io.astro.common.kube.KubeNames;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
  private final AppDetail detail;
  private final Runnable afterCommit;
  private final Clock clock;

  public AppService(
      AppStore store,
      int maxAppsPerUser,
      Placement placement,
      ClusterStore clusters,
      AppDetail detail,
      Runnable afterCommit,
      Clock clock) {
    this.clusters = clusters;
    this.detail = detail;
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
  public Future<JsonObject> create(Caller caller, AppSpec spec, String idempotencyKey) {
    IdempotencyKey key =
        idempotencyKey == null ? null : new IdempotencyKey(idempotencyKey, spec.hash());
    Future<JsonObject> earlier =
        key == null ? Future.succeededFuture() : store.replay(caller.userId(), key);
    return earlier
        .compose(
            replayed -> {
              if (replayed != null) {
                return Future.succeededFuture(replayed);
              }
              return placement
                  .place(caller.userId())
                  .compose(
                      placed -> {
                        Instant now = now();
                        // name ≤ 40 and a user id's digits keep the Kubernetes name within its 63
                        // characters
                        App app =
                            new App(
                                UUID.randomUUID().toString(),
                                caller.userId(),
                                spec.name(),
                                placed.cluster(),
                                placed.reason(),
                                KubeNames.namespace(caller.userId()),
                                KubeNames.objectName(spec.name(), caller.userId()),
                                new App.Desired(
                                    spec.image(), spec.replicas(), spec.port(), false, null, false),
                                1,
                                AppStatus.PENDING,
                                App.Observed.NONE,
                                now,
                                now);
                        String requestId = RequestIds.current();
                        Change created =
                            new Change(
                                app,
                                "create",
                                requestId,
                                CommandEvents.of("create", app, requestId));
                        return store.create(app, created, maxAppsPerUser, key);
                      });
            })
        .onSuccess(done -> afterCommit.run());
  }

  public Future<App> get(Caller caller, String id) {
    return store.find(caller.userId(), id);
  }

  /**
   * The app as its detail shows it: observed state, and what its cluster's health says about that
   * state.
   */
  public Future<JsonObject> detail(Caller caller, String id) {
    return get(caller, id)
        .compose(
            app ->
                clusters
                    .state(app.clusterId())
                    .map(state -> detail.toJson(app, state, clock.instant())));
  }

  public Future<Page<App>> list(Caller caller, String status, String search, int page, int limit) {
    return store.list(caller.userId(), status, search, page, limit);
  }

  public Future<Page<AppEvent>> events(Caller caller, String id, int page, int limit) {
    return store.events(caller.userId(), id, page, limit);
  }

  /** Scales back to its replica count; harmless when it is not stopped. */
  public Future<App> start(Caller caller, String id) {
    return change(caller, id, "start", d -> d.withStopped(false));
  }

  /** Scales to zero, keeping everything else; harmless when already stopped. */
  public Future<App> stop(Caller caller, String id) {
    return change(caller, id, "stop", d -> d.withStopped(true));
  }

  /** A rolling restart: a new restart stamp in the desired state, so every restart is a change. */
  public Future<App> restart(Caller caller, String id) {
    return change(caller, id, "restart", d -> d.withRestartedAt(now()));
  }

  public Future<App> scale(Caller caller, String id, int replicas) {
    return change(caller, id, "scale", d -> d.withReplicas(replicas));
  }

  /** Status {@code deleting} until the worker reports the app gone; repeating it is harmless. */
  public Future<App> delete(Caller caller, String id) {
    return change(caller, id, "delete", App.Desired::withDeleting);
  }

  private Future<App> change(
      Caller caller, String id, String command, UnaryOperator<App.Desired> operation) {
    String requestId = RequestIds.current();
    return store
        .change(
            caller.userId(),
            id,
            current -> {
              boolean deleteAgain = current.desired().deleting() && command.equals("delete");
              if (current.desired().deleting() && !deleteAgain) {
                throw new ApiException(ErrorCode.CONFLICT, "app is being deleted");
              }
              App.Desired desired = operation.apply(current.desired());
              if (desired.equals(current.desired())) {
                return null;
              }
              App after = current.next(desired, now());
              return new Change(
                  after, command, requestId, CommandEvents.of(command, after, requestId));
            })
        .onSuccess(done -> afterCommit.run());
  }

  // millisecond precision, as the database stores it, so what is answered is what is read back
  // later
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
