package io.astro.app.clusters;

import io.astro.app.store.Page;
import io.astro.common.crypto.KeyRing;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The clusters operators import. A kubeconfig is checked (shape, unattended credentials, {@code
 * /version}) before anything is stored, sealed before it touches the database, and announced —
 * still sealed — on {@code astro.clusters} through the outbox in the same transaction.
 */
public final class ClusterService {

  private final ClusterStore store;
  private final KubeconfigCheck check;
  private final KeyRing cipher;
  private final ClusterEvents events;
  private final Runnable afterCommit;
  private final Clock clock;

  public ClusterService(
      ClusterStore store,
      KubeconfigCheck check,
      KeyRing cipher,
      String topic,
      Runnable afterCommit,
      Clock clock) {
    this.store = store;
    this.check = check;
    this.cipher = cipher;
    this.events = new ClusterEvents(topic);
    this.afterCommit = afterCommit;
    this.clock = clock;
  }

  public Future<ImportOutcome> importCluster(ClusterRules.Import request) {
    return check
        .verify(request.kubeconfig())
        .compose(
            verdict -> {
              if (verdict instanceof KubeconfigCheck.Rejected rejected) {
                return Future.succeededFuture(new ImportOutcome.Rejected(rejected.reason()));
              }
              KubeconfigCheck.Verified verified = (KubeconfigCheck.Verified) verdict;
              Cluster cluster =
                  Cluster.imported(
                      UUID.randomUUID().toString(),
                      request.name(),
                      request.description(),
                      request.labels(),
                      cipher.seal(request.name(), request.kubeconfig()),
                      cipher.activeKid(),
                      verified.apiServer(),
                      now());
              return store.insert(cluster, events.of(cluster));
            })
        .onSuccess(
            outcome -> {
              if (outcome instanceof ImportOutcome.Imported) {
                afterCommit.run();
              }
            });
  }

  public Future<Page<Cluster>> list(
      String status, String search, String[] label, int page, int limit) {
    return store.list(
        status,
        search,
        label == null ? null : label[0],
        label == null ? null : label[1],
        page,
        limit);
  }

  /** A live cluster; empty when there is none with that id. */
  public Future<Optional<Cluster>> get(String id) {
    return store.find(id);
  }

  /**
   * Description, labels, and new credentials (checked first; the sync-worker switches to them
   * without a restart).
   */
  public Future<PatchOutcome> patch(String id, ClusterRules.Patch patch) {
    Future<KubeconfigCheck.Verdict> verdict =
        patch.kubeconfig() == null ? Future.succeededFuture() : check.verify(patch.kubeconfig());
    return verdict.compose(
        checked -> {
          if (checked instanceof KubeconfigCheck.Rejected rejected) {
            return Future.succeededFuture(new PatchOutcome.Rejected(rejected.reason()));
          }
          KubeconfigCheck.Verified v = (KubeconfigCheck.Verified) checked;
          return store
              .update(
                  id,
                  c ->
                      changed(
                          c.patched(
                              patch.description() != null ? patch.description() : c.description(),
                              patch.labels() != null ? patch.labels() : c.labels(),
                              patch.kubeconfig() != null
                                  ? cipher.seal(c.name(), patch.kubeconfig())
                                  : c.sealedKubeconfig(),
                              patch.kubeconfig() != null ? cipher.activeKid() : c.keyId(),
                              v != null ? v.apiServer() : c.apiServer())))
              .onSuccess(this::committed)
              .map(PatchOutcome::of);
        });
  }

  /** Asks the sync-worker for a health check now; empty when there is no such live cluster. */
  public Future<Optional<Cluster>> sync(String id) {
    return store.update(id, c -> changed(c.syncRequested(now()))).onSuccess(this::committed);
  }

  public Future<DeleteOutcome> delete(String id, boolean force) {
    return store
        .delete(id, force, events.tombstone())
        .onSuccess(
            outcome -> {
              if (outcome instanceof DeleteOutcome.Deleted) {
                afterCommit.run();
              }
            });
  }

  /**
   * Moves every kubeconfig sealed under an older key to the active one; answers how many moved (a
   * cluster deleted meanwhile is not counted).
   */
  public Future<Integer> reencrypt() {
    return store
        .all()
        .compose(
            all -> {
              List<Cluster> stale =
                  all.stream().filter(c -> cipher.needsRotation(c.sealedKubeconfig())).toList();
              Future<Integer> chain = Future.succeededFuture(0);
              for (Cluster c : stale) {
                chain =
                    chain.compose(
                        moved ->
                            store
                                .update(
                                    c.id(),
                                    current ->
                                        changed(
                                            current.resealed(
                                                cipher.seal(
                                                    current.name(),
                                                    cipher.open(
                                                        current.name(),
                                                        current.sealedKubeconfig())),
                                                cipher.activeKid())))
                                .map(updated -> updated.isPresent() ? moved + 1 : moved));
              }
              return chain;
            })
        .onSuccess(done -> afterCommit.run());
  }

  private void committed(Optional<Cluster> updated) {
    if (updated.isPresent()) {
      afterCommit.run();
    }
  }

  private ClusterStore.Changed changed(Cluster after) {
    return new ClusterStore.Changed(after, events.of(after));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
