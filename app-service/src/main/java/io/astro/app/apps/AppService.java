package io.astro.app.apps;

import io.astro.app.clusters.ClusterStore;
import io.astro.app.clusters.Placement;
import io.astro.app.events.NamespaceEvents;
import io.astro.app.quota.AppSizes;
import io.astro.app.quota.NamespaceQuota;
import io.astro.app.quota.Quantities;
import io.astro.app.quota.Usage;
import io.astro.app.registries.Registry;
import io.astro.app.registries.RegistryStore;
import io.astro.app.store.Page;
import io.astro.common.auth.Caller;
import io.astro.common.crypto.KeyRing;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.astro.common.http.FieldErrors;
import io.astro.common.http.RequestIds;
import io.astro.common.kube.KubeNames;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The apps of a caller: create, read, patch, roll back, and the operations that change desired
 * state. Every change bumps the app's generation and records a command in the same transaction; a
 * change of the spec is also a release (docs/apps.md). Secret values are sealed for the app before
 * anything is stored. Changes that would take the caller's apps past the namespace quota are
 * refused before anything is stored. {@code afterCommit} then wakes the outbox relay, so the answer
 * never waits for Kafka.
 */
public final class AppService {

  /** What bounds a caller's apps: how many, which sizes, the namespace quota. */
  public record Limits(int maxAppsPerUser, AppSizes sizes, NamespaceQuota quota) {}

  private final AppStore store;
  private final RegistryStore registries;
  private final AppRules rules;
  private final KeyRing keys;
  private final Limits limits;
  private final Placement placement;
  private final ClusterStore clusters;
  private final Runnable afterCommit;
  private final Clock clock;

  public AppService(
      AppStore store,
      RegistryStore registries,
      AppRules rules,
      KeyRing keys,
      Limits limits,
      Placement placement,
      ClusterStore clusters,
      Runnable afterCommit,
      Clock clock) {
    this.store = store;
    this.registries = registries;
    this.rules = rules;
    this.keys = keys;
    this.limits = limits;
    this.clusters = clusters;
    this.placement = placement;
    this.afterCommit = afterCommit;
    this.clock = clock;
  }

  /**
   * Creates the app (status {@code pending}, release 1) and its create command; with a key, repeats
   * answer the same.
   */
  public Future<CreateOutcome> create(Caller caller, AppSpec spec, String idempotencyKey) {
    IdempotencyKey key =
        idempotencyKey == null ? null : new IdempotencyKey(idempotencyKey, spec.hash());
    Future<Optional<CreateOutcome>> earlier =
        key == null ? Future.succeededFuture(Optional.empty()) : store.replay(caller.userId(), key);
    return earlier
        .compose(
            replayed ->
                replayed.isPresent()
                    ? Future.succeededFuture(replayed.get())
                    : registry(caller, spec.imagePullSecret())
                        .compose(
                            registry ->
                                spec.imagePullSecret() != null && registry.isEmpty()
                                    ? Future.succeededFuture(
                                        new CreateOutcome.Invalid(unknownRegistry(spec)))
                                    : placed(caller, spec, registry.orElse(null), key)))
        .onSuccess(
            outcome -> {
              if (outcome instanceof CreateOutcome.Created) {
                afterCommit.run();
              }
            });
  }

  private Future<CreateOutcome> placed(
      Caller caller, AppSpec spec, Registry registry, IdempotencyKey key) {
    return placement
        .place(caller.userId())
        .compose(
            placed ->
                placed.isPresent()
                    ? insert(caller, spec, registry, placed.get(), key)
                    : Future.succeededFuture(
                        new CreateOutcome.NoHealthyCluster(placement.labelText())));
  }

  private static FieldErrors unknownRegistry(AppSpec spec) {
    return new FieldErrors()
        .add(
            "image_pull_secret",
            "you have no registry credential named "
                + spec.imagePullSecret()
                + " (POST /api/v1/registries first)");
  }

  private Future<Optional<Registry>> registry(Caller caller, String name) {
    return name == null
        ? Future.succeededFuture(Optional.empty())
        : registries.find(caller.userId(), name);
  }

  private Future<CreateOutcome> insert(
      Caller caller, AppSpec spec, Registry registry, Placement.Choice placed, IdempotencyKey key) {
    String id = UUID.randomUUID().toString();
    Settings settings =
        new Settings(
            spec.env(),
            List.copyOf(spec.secrets().keySet()),
            sealSecrets(id, spec.secrets()),
            spec.command(),
            spec.args(),
            resources(spec.size()),
            spec.healthCheck(),
            registry == null
                ? null
                : new AppCommand.PullSecret(registry.name(), registry.dockerConfigFor(id, keys)));
    App app =
        App.created(
            id,
            caller.userId(),
            spec.name(),
            placed.cluster(),
            placed.reason(),
            KubeNames.namespace(caller.userId()),
            KubeNames.objectName(spec.name(), caller.userId()),
            App.Desired.of(spec.image(), spec.replicas(), spec.port(), settings, spec.isPublic()),
            now());
    Change created = Change.release(app, "create", RequestIds.current(), "created");
    // the answer a repeat with the same key gets, stored with the key
    return store.create(
        created,
        limits.maxAppsPerUser(),
        key,
        app.toJson(),
        others ->
            refusal(others, Usage.NONE, demand(app.desired(), false))
                .map(CreateOutcome.QuotaExceeded::new));
  }

  private String sealSecrets(String appId, SortedMap<String, String> secrets) {
    return secrets.isEmpty()
        ? null
        : keys.seal(appId, new JsonObject(Map.copyOf(secrets)).encode());
  }

  private SortedMap<String, String> openSecrets(App app) {
    SortedMap<String, String> secrets = new TreeMap<>();
    String sealed = app.desired().settings().sealedSecrets();
    if (sealed != null) {
      new JsonObject(keys.open(app.id(), sealed))
          .forEach(e -> secrets.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return secrets;
  }

  private AppCommand.Resources resources(String size) {
    return limits
        .sizes()
        .size(size)
        .orElseThrow(() -> new IllegalArgumentException("unknown size " + size));
  }

  private AppCommand.Resources resources(Settings settings) {
    return settings.resources() == null ? limits.sizes().standard() : settings.resources();
  }

  /** What an app of {@code desired} requests; with a surge pod while a new release rolls out. */
  private Usage demand(App.Desired desired, boolean rollout) {
    if (desired.stopped()) {
      return Usage.NONE;
    }
    return Usage.of(
        resources(desired.settings()),
        limits.quota().containerEphemeralStorageBytes(),
        desired.replicas() + (rollout ? 1 : 0));
  }

  private Usage used(List<App> apps) {
    Usage total = Usage.NONE;
    for (App a : apps) {
      total = total.plus(demand(a.desired(), false));
    }
    return total;
  }

  /** Why the quota refuses an app going from {@code before} to {@code after}, if it does. */
  private Optional<QuotaRefusal> refusal(List<App> others, Usage before, Usage after) {
    Usage rest = used(others);
    Usage total = rest.plus(after);
    NamespaceQuota quota = limits.quota();
    return total
        .exceeded(quota, rest.plus(before))
        .map(
            resource ->
                switch (resource) {
                  case "cpu" ->
                      new QuotaRefusal(
                          "cpu",
                          Quantities.cpu(total.cpuMillicores()),
                          Quantities.cpu(quota.cpuMillicores()));
                  case "memory" ->
                      new QuotaRefusal(
                          "memory",
                          Quantities.memory(total.memoryBytes()),
                          Quantities.memory(quota.memoryBytes()));
                  case "ephemeral-storage" ->
                      new QuotaRefusal(
                          "ephemeral-storage",
                          Quantities.memory(total.ephemeralStorageBytes()),
                          Quantities.memory(quota.ephemeralStorageBytes()));
                  default ->
                      new QuotaRefusal(
                          "pods", Long.toString(total.pods()), Integer.toString(quota.pods()));
                });
  }

  /**
   * Seals every app secret and pull secret, and every registry password, under an older key again
   * under the active one; answers how many apps' and releases' rows, and registries, moved. The
   * commands already on Kafka keep their ciphertexts until the app's next command: keep the old key
   * in the ring until then.
   */
  public Future<JsonObject> reencrypt() {
    return store
        .reseal((appId, settings) -> settings.resealed(appId, keys))
        .compose(
            rows ->
                registries
                    .all()
                    .compose(
                        all -> {
                          Future<Integer> chain = Future.succeededFuture(0);
                          for (Registry r : all) {
                            if (keys.needsRotation(r.sealedPassword())) {
                              String owner = Registry.owner(r.id());
                              String sealed =
                                  keys.seal(owner, keys.open(owner, r.sealedPassword()));
                              chain =
                                  chain.compose(
                                      n ->
                                          registries
                                              .reseal(r.id(), r.sealedPassword(), sealed)
                                              .map(done -> done ? n + 1 : n));
                            }
                          }
                          return chain;
                        })
                    .map(
                        moved ->
                            new JsonObject().put("app_settings", rows).put("registries", moved)));
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

  /** The app's releases, newest first; empty as {@link #get}. */
  public Future<Optional<Page<AppRelease>>> releases(
      Caller caller, String id, int page, int limit) {
    return store.releases(caller.userId(), id, page, limit);
  }

  /**
   * What the caller's apps use of what they may: live apps of {@code ASTRO_MAX_APPS_PER_USER}, and
   * CPU, memory and pods requested and ephemeral storage limited of the namespace quota.
   */
  public Future<JsonObject> quota(Caller caller) {
    return store
        .live(caller.userId())
        .map(
            apps -> {
              Usage used = used(apps);
              NamespaceQuota quota = limits.quota();
              return new JsonObject()
                  .put(
                      "apps",
                      new JsonObject()
                          .put("used", apps.size())
                          .put("limit", limits.maxAppsPerUser()))
                  .put(
                      "cpu",
                      new JsonObject()
                          .put("requested", Quantities.cpu(used.cpuMillicores()))
                          .put("limit", Quantities.cpu(quota.cpuMillicores()))
                          .put("requested_millicores", used.cpuMillicores())
                          .put("limit_millicores", quota.cpuMillicores()))
                  .put(
                      "memory",
                      new JsonObject()
                          .put("requested", Quantities.memory(used.memoryBytes()))
                          .put("limit", Quantities.memory(quota.memoryBytes()))
                          .put("requested_bytes", used.memoryBytes())
                          .put("limit_bytes", quota.memoryBytes()))
                  .put("pods", new JsonObject().put("used", used.pods()).put("limit", quota.pods()))
                  .put(
                      "ephemeral_storage",
                      new JsonObject()
                          .put("used", Quantities.memory(used.ephemeralStorageBytes()))
                          .put("limit", Quantities.memory(quota.ephemeralStorageBytes()))
                          .put("used_bytes", used.ephemeralStorageBytes())
                          .put("limit_bytes", quota.ephemeralStorageBytes()))
                  .put("sizes", sizes());
            });
  }

  private JsonArray sizes() {
    JsonArray sizes = new JsonArray();
    for (String name : limits.sizes().names()) {
      AppCommand.Resources r = resources(name);
      sizes.add(
          new JsonObject()
              .put("name", name)
              .put("cpu_request", r.cpuRequest())
              .put("cpu_limit", r.cpuLimit())
              .put("memory_request", r.memoryRequest())
              .put("memory_limit", r.memoryLimit())
              .put(
                  "ephemeral_storage_limit",
                  Quantities.memory(limits.quota().containerEphemeralStorageBytes())));
    }
    return sizes;
  }

  /**
   * A JSON Merge Patch (RFC 7396) of the app's spec and replicas, checked as a create is: a change
   * of the spec is release N+1 (command {@code update}), of replicas only a new generation (command
   * {@code scale}); a patch that changes nothing stores nothing.
   */
  public Future<ChangeOutcome> patch(Caller caller, String id, JsonObject patch) {
    Object named = patch.getValue("image_pull_secret");
    String requestId = RequestIds.current();
    return registry(caller, named instanceof String n ? n : null)
        .compose(
            registry ->
                store.change(
                    caller.userId(),
                    id,
                    (current, others) -> {
                      if (current.desired().deleting()) {
                        return new AppStore.Decision.BeingDeleted();
                      }
                      return patched(current, others, patch, registry, requestId);
                    }))
        .onSuccess(this::committed);
  }

  private AppStore.Decision patched(
      App current,
      List<App> others,
      JsonObject patch,
      Optional<Registry> registry,
      String requestId) {
    App.Desired d = current.desired();
    Settings s = d.settings();
    JsonObject spec =
        new JsonObject()
            .put("image", d.image())
            .put("replicas", d.replicas())
            .put("port", d.port())
            .put("env", new JsonObject(Map.copyOf(s.env())))
            .put("command", s.command() == null ? null : new JsonArray(s.command()))
            .put("args", s.args() == null ? null : new JsonArray(s.args()))
            .put("size", s.size())
            .put(
                "health_check",
                s.healthCheck() == null ? null : Settings.healthJson(s.healthCheck()))
            .put("image_pull_secret", s.registry())
            .put("public", d.isPublic());
    FieldErrors errors = rules.patchShape(patch);
    JsonObject rest = patch.copy();
    // a field the shape check refused is named once, not again by the merged spec's check
    rest.fieldNames()
        .removeIf(
            f ->
                !AppRules.PATCH_FIELDS.contains(f)
                    || (rest.getValue(f) == null && AppRules.UNREMOVABLE.contains(f)));
    Object secretsPatch = rest.remove("secrets");
    JsonObject merged = (JsonObject) mergePatch(spec, rest);
    SortedMap<String, String> before = openSecrets(current);
    Object secrets =
        mergePatch(
            new JsonObject(Map.copyOf(before)),
            !patch.containsKey("secrets")
                    || (secretsPatch != null && !(secretsPatch instanceof JsonObject))
                ? new JsonObject()
                : secretsPatch);
    merged.put("secrets", secrets == null ? new JsonObject() : secrets);
    AppSpec after = rules.spec(merged, null, errors);
    if (after.imagePullSecret() != null
        && !after.imagePullSecret().equals(s.registry())
        && registry.isEmpty()) {
      errors.add(
          "image_pull_secret",
          "you have no registry credential named "
              + after.imagePullSecret()
              + " (POST /api/v1/registries first)");
    }
    if (!errors.isEmpty()) {
      return new AppStore.Decision.Refuse(new ChangeOutcome.Invalid(errors));
    }
    List<String> changed = new ArrayList<>();
    if (!after.image().equals(d.image())) {
      changed.add("image " + d.image() + " → " + after.image());
    }
    if (!Objects.equals(after.port(), d.port())) {
      changed.add("port " + d.port() + " → " + after.port());
    }
    names("env", s.env(), after.env(), changed);
    names("secrets", before, after.secrets(), changed);
    if (!Objects.equals(after.command(), s.command())) {
      changed.add("command");
    }
    if (!Objects.equals(after.args(), s.args())) {
      changed.add("args");
    }
    if (!after.size().equals(s.size())) {
      changed.add("size " + s.size() + " → " + after.size());
    }
    if (!Objects.equals(after.healthCheck(), s.healthCheck())) {
      changed.add("health_check");
    }
    if (!Objects.equals(after.imagePullSecret(), s.registry())) {
      changed.add("image_pull_secret " + s.registry() + " → " + after.imagePullSecret());
    }
    if (changed.isEmpty()) {
      if (after.isPublic() != d.isPublic()) {
        // exposure is no part of a release: the same release, reachable or not
        return operation(
            current,
            others,
            "update",
            d.withReplicas(after.replicas()).withPublic(after.isPublic()),
            requestId);
      }
      if (after.replicas() == d.replicas()) {
        return new AppStore.Decision.Keep();
      }
      return operation(current, others, "scale", d.withReplicas(after.replicas()), requestId);
    }
    Settings settings =
        new Settings(
            after.env(),
            List.copyOf(after.secrets().keySet()),
            before.equals(after.secrets())
                ? s.sealedSecrets()
                : sealSecrets(current.id(), after.secrets()),
            after.command(),
            after.args(),
            after.size().equals(s.size()) ? s.resources() : resources(after.size()),
            after.healthCheck(),
            Objects.equals(after.imagePullSecret(), s.registry())
                ? s.pullSecret()
                : registry
                    .map(
                        r ->
                            new AppCommand.PullSecret(
                                r.name(), r.dockerConfigFor(current.id(), keys)))
                    .orElse(null));
    App.Desired next =
        d.withReplicas(after.replicas())
            .withPublic(after.isPublic())
            .released(after.image(), after.port(), settings);
    return release(
        current, others, next, "update", "changed " + String.join(", ", changed), requestId);
  }

  // names only: which variables were added, changed or removed, never their values
  private static void names(
      String field, Map<String, String> before, Map<String, String> after, List<String> changed) {
    TreeSet<String> names = new TreeSet<>();
    before.forEach(
        (k, v) -> {
          if (!v.equals(after.get(k))) {
            names.add(k);
          }
        });
    after.keySet().stream().filter(k -> !before.containsKey(k)).forEach(names::add);
    if (!names.isEmpty()) {
      changed.add(field + " (" + String.join(", ", names) + ")");
    }
  }

  /** RFC 7396: members of {@code patch} replace those of {@code target}; null removes them. */
  static Object mergePatch(Object target, Object patch) {
    if (!(patch instanceof JsonObject p)) {
      return patch;
    }
    JsonObject result = target instanceof JsonObject t ? t.copy() : new JsonObject();
    for (Map.Entry<String, Object> e : p) {
      if (e.getValue() == null) {
        result.remove(e.getKey());
      } else {
        result.put(e.getKey(), mergePatch(result.getValue(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  /**
   * Release N+1 with release {@code number}'s spec (secrets sealed as they were); {@link
   * ChangeOutcome.UnknownRelease} when the app has no such release.
   */
  public Future<ChangeOutcome> rollback(Caller caller, String id, long number) {
    String requestId = RequestIds.current();
    return store
        .release(caller.userId(), id, number)
        .compose(
            target ->
                store.change(
                    caller.userId(),
                    id,
                    (current, others) -> {
                      if (current.desired().deleting()) {
                        return new AppStore.Decision.BeingDeleted();
                      }
                      if (target.isEmpty()) {
                        return new AppStore.Decision.Refuse(
                            new ChangeOutcome.UnknownRelease(number, current.desired().release()));
                      }
                      AppRelease r = target.get();
                      App.Desired next =
                          current.desired().released(r.image(), r.port(), r.settings());
                      return release(
                          current,
                          others,
                          next,
                          "rollback",
                          "rollback to release " + number,
                          requestId);
                    }))
        .onSuccess(this::committed);
  }

  private AppStore.Decision release(
      App current,
      List<App> others,
      App.Desired next,
      String action,
      String description,
      String requestId) {
    Optional<QuotaRefusal> refused =
        refusal(others, demand(current.desired(), false), demand(next, true));
    if (refused.isPresent()) {
      return new AppStore.Decision.Refuse(new ChangeOutcome.QuotaExceeded(refused.get()));
    }
    return new AppStore.Decision.Write(
        Change.release(current.next(next, now()), action, requestId, description));
  }

  private AppStore.Decision operation(
      App current, List<App> others, String command, App.Desired next, String requestId) {
    Optional<QuotaRefusal> refused =
        refusal(others, demand(current.desired(), false), demand(next, false));
    if (refused.isPresent()) {
      return new AppStore.Decision.Refuse(new ChangeOutcome.QuotaExceeded(refused.get()));
    }
    return new AppStore.Decision.Write(
        Change.operation(current.next(next, now()), command, requestId));
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

  /**
   * The owner's account was deleted: every live app of theirs is deleted the way its owner would
   * (status {@code deleting}, a delete command each, through the outbox), then a command to remove
   * the user's namespace from every cluster follows. Apps already being deleted are left as they
   * are, so a repeated event changes nothing but a repeated namespace command (harmless). Answers
   * how many apps it started deleting.
   */
  public Future<Integer> deleteAllOf(long userId) {
    return eachApp(userId, id -> change(userId, id, "delete", App.Desired::withDeleting))
        .compose(
            deleted ->
                store
                    .command(
                        KubeNames.namespace(userId),
                        NamespaceEvents.delete(userId, now(), RequestIds.current()))
                    .map(deleted))
        .onSuccess(v -> afterCommit.run());
  }

  /**
   * The owner's account was disabled ({@code true}) or enabled again: each live app not being
   * deleted is suspended (no replicas, status {@code suspended}, its replicas and stopped kept) or
   * restored as it was. Never refused by quota or write limits (the account's state is not the
   * owner's doing); apps already so are left as they are, so repeats change nothing. Answers how
   * many apps changed.
   */
  public Future<Integer> suspendAllOf(long userId, boolean suspended) {
    String requestId = RequestIds.current();
    return eachApp(
        userId,
        id ->
            store
                .change(
                    userId,
                    id,
                    (current, others) -> {
                      if (current.desired().deleting()) {
                        return new AppStore.Decision.BeingDeleted();
                      }
                      App.Desired next = current.desired().withSuspended(suspended);
                      if (next.equals(current.desired())) {
                        return new AppStore.Decision.Keep();
                      }
                      return new AppStore.Decision.Write(
                          Change.suspension(current.next(next, now()), suspended, requestId));
                    })
                .onSuccess(this::committed));
  }

  // one app after the other, so one user's changes never contend for the owner row's lock
  private Future<Integer> eachApp(long userId, Function<String, Future<ChangeOutcome>> change) {
    return store
        .live(userId)
        .compose(
            apps -> {
              Future<Integer> chain = Future.succeededFuture(0);
              for (App app : apps) {
                chain =
                    chain.compose(
                        n ->
                            change
                                .apply(app.id())
                                .map(o -> o instanceof ChangeOutcome.Changed ? n + 1 : n));
              }
              return chain;
            });
  }

  private Future<ChangeOutcome> change(
      Caller caller, String id, String command, UnaryOperator<App.Desired> operation) {
    return change(caller.userId(), id, command, operation);
  }

  private Future<ChangeOutcome> change(
      long userId, String id, String command, UnaryOperator<App.Desired> operation) {
    String requestId = RequestIds.current();
    return store
        .change(
            userId,
            id,
            (current, others) -> {
              boolean deleteAgain = current.desired().deleting() && command.equals("delete");
              if (current.desired().deleting() && !deleteAgain) {
                return new AppStore.Decision.BeingDeleted();
              }
              App.Desired desired = operation.apply(current.desired());
              if (desired.equals(current.desired())) {
                return new AppStore.Decision.Keep();
              }
              return operation(current, others, command, desired, requestId);
            })
        .onSuccess(this::committed);
  }

  private void committed(ChangeOutcome outcome) {
    if (outcome instanceof ChangeOutcome.Changed) {
      afterCommit.run();
    }
  }

  // millisecond precision, as the database stores it, so what is answered is what is read back
  // later
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
