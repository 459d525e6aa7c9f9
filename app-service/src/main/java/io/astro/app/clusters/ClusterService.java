package io.astro.app.clusters;

import io.astro.app.store.Page;
import io.astro.common.crypto.KeyRing;
import io.astro.common.events.cluster.SealedKubeconfig;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters operators import. A kubeconfig is checked (shape, unattended credentials, {@code
 * /version}) before anything is stored, sealed before it touches the database, and announced —
 * still sealed — on {@code astro.clusters} through the outbox in the same transaction.
 */
public final class ClusterService {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);

  /**
   * The stored kubeconfig no configured key opens (a key retired too early, or a name-only seal
   * with legacy seals refused): a change must bring the kubeconfig again.
   */
  public static final class SealBroken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SealBroken(String cluster, String detail) {
      super("the stored kubeconfig of " + cluster + " does not open: " + detail);
    }
  }

  private final ClusterStore store;
  private final KubeconfigCheck check;
  private final KeyRing cipher;
  private final ClusterEvents events;
  private final boolean acceptLegacySeals;
  private final Runnable afterCommit;
  private final Clock clock;

  /**
   * @param acceptLegacySeals whether kubeconfigs sealed with the cluster name alone still open
   *     ({@link SealedKubeconfig})
   */
  public ClusterService(
      ClusterStore store,
      KubeconfigCheck check,
      KeyRing cipher,
      boolean acceptLegacySeals,
      String topic,
      Runnable afterCommit,
      Clock clock) {
    this.store = store;
    this.check = check;
    this.cipher = cipher;
    this.acceptLegacySeals = acceptLegacySeals;
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
              String id = UUID.randomUUID().toString();
              Cluster cluster =
                  Cluster.imported(
                      id,
                      request.name(),
                      request.description(),
                      request.labels(),
                      request.publicUrls(),
                      SealedKubeconfig.seal(cipher, id, request.name(), 1, request.kubeconfig()),
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
   * Description, labels, public-URL settings, and new credentials (checked first; the sync-worker
   * switches to them without a restart).
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
                          c,
                          c.patched(
                              patch.description() != null ? patch.description() : c.description(),
                              patch.labels() != null ? patch.labels() : c.labels(),
                              patch.publicUrls() != null
                                  ? patch.publicUrls().apply(c.publicUrls())
                                  : c.publicUrls(),
                              v != null ? v.apiServer() : c.apiServer()),
                          patch.kubeconfig()))
              .onSuccess(this::committed)
              .map(PatchOutcome::of);
        });
  }

  /** Asks the sync-worker for a health check now; empty when there is no such live cluster. */
  public Future<Optional<Cluster>> sync(String id) {
    return store
        .update(id, c -> changed(c, c.syncRequested(now()), null))
        .onSuccess(this::committed);
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
   * Moves every kubeconfig sealed under an older key, or sealed with the cluster name alone, to the
   * active key bound to its cluster and revision; answers how many moved (a cluster deleted
   * meanwhile is not counted).
   */
  public Future<Integer> reencrypt() {
    return store
        .all()
        .compose(
            all -> {
              List<Cluster> stale =
                  all.stream()
                      .filter(c -> opensForMigration(c) != null)
                      .filter(
                          c ->
                              cipher.needsRotation(c.sealedKubeconfig())
                                  || SealedKubeconfig.isLegacy(
                                      cipher, c.id(), c.name(), c.revision(), c.sealedKubeconfig()))
                      .toList();
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
                                            current,
                                            current.nextRevision(),
                                            opensForMigration(current)))
                                .map(updated -> updated.isPresent() ? moved + 1 : moved));
              }
              return chain;
            })
        .onSuccess(done -> afterCommit.run());
  }

  /**
   * The kubeconfig of {@code c} for re-encryption, legacy values accepted whatever the setting
   * (this is how they are bound); null, with a warning, when no configured key opens it.
   */
  private String opensForMigration(Cluster c) {
    try {
      return SealedKubeconfig.open(
          cipher, c.id(), c.name(), c.revision(), c.sealedKubeconfig(), true);
    } catch (IllegalArgumentException e) {
      LOG.warn("cluster {} not re-encrypted: {}", c.name(), e.getMessage());
      return null;
    }
  }

  private void committed(Optional<Cluster> updated) {
    if (updated.isPresent()) {
      afterCommit.run();
    }
  }

  /**
   * The change from {@code before} to {@code after} (its next revision) and the record announcing
   * it: the kubeconfig — {@code kubeconfig} when new credentials came, else the one held — sealed
   * anew for the new revision with the active key.
   */
  private ClusterStore.Changed changed(Cluster before, Cluster after, String kubeconfig) {
    String plain = kubeconfig != null ? kubeconfig : held(before);
    Cluster sealed =
        after.sealedAs(
            SealedKubeconfig.seal(cipher, after.id(), after.name(), after.revision(), plain),
            cipher.activeKid());
    return new ClusterStore.Changed(sealed, events.of(sealed));
  }

  private String held(Cluster c) {
    try {
      return SealedKubeconfig.open(
          cipher, c.id(), c.name(), c.revision(), c.sealedKubeconfig(), acceptLegacySeals);
    } catch (IllegalArgumentException e) {
      throw new SealBroken(c.name(), e.getMessage());
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
