package io.astro.app.clusters;

import io.astro.app.store.Page;
import io.astro.common.crypto.KubeconfigCipher;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * The clusters operators import. A kubeconfig is checked (shape, unattended credentials, {@code
 * /version}) before anything is stored, sealed before it touches the database, and announced —
 * still sealed — on {@code astro.clusters} through the outbox in the same transaction.
 */
public final class ClusterService {

  private final ClusterStore store;
  private final KubeconfigCheck check;
  private final KubeconfigCipher cipher;
  private final ClusterEvents events;
  private final Runnable afterCommit;
  private final Clock clock;

  public ClusterService(
      ClusterStore store,
      KubeconfigCheck check,
      KubeconfigCipher cipher,
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

  public Future<Cluster> importCluster(ClusterRules.Import request) {
    return check
        .verify(request.kubeconfig())
        .compose(
            verified -> {
              Instant now = now();
              Cluster cluster =
                  new Cluster(
                      UUID.randomUUID().toString(),
                      request.name(),
                      request.description(),
                      request.labels(),
                      cipher.seal(request.name(), request.kubeconfig()),
                      cipher.activeKid(),
                      verified.apiServer(),
                      1,
                      null,
                      now,
                      now,
                      null,
                      0);
              return store.insert(cluster, events.of(cluster));
            })
        .onSuccess(done -> afterCommit.run());
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

  public Future<Cluster> get(String id) {
    return store.find(id);
  }

  /**
   * Description, labels, and new credentials (checked first; the sync-worker switches to them
   * without a restart).
   */
  public Future<Cluster> patch(String id, ClusterRules.Patch patch) {
    Future<KubeconfigCheck.Verified> verified =
        patch.kubeconfig() == null ? Future.succeededFuture() : check.verify(patch.kubeconfig());
    return verified
        .compose(
            v ->
                store.update(
                    id,
                    c ->
                        changed(
                            c.with(
                                patch.description() != null ? patch.description() : c.description(),
                                patch.labels() != null ? patch.labels() : c.labels(),
                                patch.kubeconfig() != null
                                    ? cipher.seal(c.name(), patch.kubeconfig())
                                    : c.sealedKubeconfig(),
                                patch.kubeconfig() != null ? cipher.activeKid() : c.keyId(),
                                v != null ? v.apiServer() : c.apiServer(),
                                c.syncRequestedAt()))))
        .onSuccess(done -> afterCommit.run());
  }

  /** Asks the sync-worker for a health check now. */
  public Future<Cluster> sync(String id) {
    return store
        .update(
            id,
            c ->
                changed(
                    c.with(
                        c.description(),
                        c.labels(),
                        c.sealedKubeconfig(),
                        c.keyId(),
                        c.apiServer(),
                        now())))
        .onSuccess(done -> afterCommit.run());
  }

  public Future<Void> delete(String id, boolean force) {
    return store.delete(id, force, events.tombstone()).onSuccess(done -> afterCommit.run());
  }

  /** Moves every kubeconfig sealed under an older key to the active one; answers how many moved. */
  public Future<Integer> reencrypt() {
    return store
        .all()
        .compose(
            all -> {
              List<Cluster> stale =
                  all.stream().filter(c -> cipher.needsRotation(c.sealedKubeconfig())).toList();
              Future<Void> chain = Future.succeededFuture();
              for (Cluster c : stale) {
                chain =
                    chain.compose(
                        v ->
                            store
                                .update(
                                    c.id(),
                                    current ->
                                        changed(
                                            current.with(
                                                current.description(),
                                                current.labels(),
                                                cipher.seal(
                                                    current.name(),
                                                    cipher.open(
                                                        current.name(),
                                                        current.sealedKubeconfig())),
                                                cipher.activeKid(),
                                                current.apiServer(),
                                                current.syncRequestedAt())))
                                .mapEmpty());
              }
              return chain.map(v -> stale.size());
            })
        .onSuccess(done -> afterCommit.run());
  }

  private ClusterStore.Changed changed(Cluster after) {
    return new ClusterStore.Changed(after, events.of(after));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
