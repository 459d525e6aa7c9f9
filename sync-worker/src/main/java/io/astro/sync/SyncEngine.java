package io.astro.sync;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.NamespaceCommand;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.commands.CommandConsumer;
import io.astro.sync.commands.DesiredState;
import io.astro.sync.health.ClusterHealthMonitor;
import io.astro.sync.reconcile.AppReconciler;
import io.astro.sync.reconcile.NamespaceRemoval;
import io.astro.sync.reconcile.NamespaceSetup;
import io.astro.sync.reconcile.ReconcileLoop;
import io.astro.sync.status.StatusPublisher;
import java.util.List;

/**
 * Joins the parts: commands change desired state and queue their app; informer events queue the app
 * they concern, ahead of apps still to be created (its objects exist: mostly a status to publish);
 * a cluster that answers again (or is put, or replaced) re-queues its apps and forgets what was
 * published for them, so their status goes out once more. (Partitions assigned anew are read from
 * the beginning, which queues their apps the same way.) A cluster that fails or answers again also
 * gets its health checked, so the change is published without waiting for the next round of checks.
 */
final class SyncEngine implements CommandConsumer.Listener, ClusterConnection.Events {

  private final DesiredState state;
  private final StatusPublisher publisher;
  private final NamespaceSetup namespaces;
  private final ReconcileLoop loop;
  private final AppReconciler reconciler;
  private final ClusterHealthMonitor health;
  private final NamespaceRemoval removals;

  SyncEngine(
      DesiredState state,
      StatusPublisher publisher,
      NamespaceSetup namespaces,
      ReconcileLoop loop,
      AppReconciler reconciler,
      ClusterHealthMonitor health,
      NamespaceRemoval removals) {
    this.removals = removals;
    this.state = state;
    this.publisher = publisher;
    this.namespaces = namespaces;
    this.loop = loop;
    this.reconciler = reconciler;
    this.health = health;
  }

  @Override
  public void changed(AppCommand app, long commandTime) {
    publisher.commanded(app.appId(), app.generation(), commandTime);
    loop.enqueue(app.appId());
  }

  @Override
  public void released(List<String> appIds) {
    publisher.forget(appIds);
    reconciler.forget(appIds);
  }

  @Override
  public void assigned() {
    reconciler.ownersChanged();
  }

  @Override
  public void removeNamespace(NamespaceCommand command) {
    removals.request(command);
  }

  @Override
  public void appTouched(String cluster, String appId) {
    loop.touched(appId);
  }

  @Override
  public void unreachable(String cluster) {
    loop.enqueueAll(state.appsOn(cluster));
    health.request(cluster);
  }

  /**
   * The cluster's public-URL settings changed: its namespaces' NetworkPolicies are checked again
   * and its apps reconciled (Ingress hosts, class, issuer, reported URLs).
   */
  public void urlsChanged(String cluster) {
    namespaces.forget(cluster);
    loop.enqueueAll(state.appsOn(cluster));
  }

  @Override
  public void reconnected(String cluster) {
    List<String> apps = state.appsOn(cluster);
    namespaces.forget(cluster);
    reconciler.forgetCluster(cluster);
    publisher.forget(apps);
    loop.enqueueAll(apps);
    health.request(cluster);
  }
}
