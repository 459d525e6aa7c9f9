package io.astro.testkit.kube;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetCondition;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSetStatus;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The control-plane side of the simulation: what the Deployment controller, the ReplicaSet
 * controller and the garbage collector do for one Deployment. Level-triggered — every call
 * recomputes from what is stored now and writes only what differs — so it can run any number of
 * times, after any event or none.
 */
final class DeploymentController {

  static final String HASH_LABEL = "pod-template-hash";
  static final String REVISION = "deployment.kubernetes.io/revision";

  /** The old ReplicaSets a Deployment keeps when it names no {@code revisionHistoryLimit}. */
  static final int DEFAULT_REVISION_HISTORY = 10;

  private static final String CONTROLLER = "replicaset-controller";

  private final AppsV1Api apps;
  private final CoreV1Api core;
  private final Kubelet kubelet;
  private final AtomicInteger nextNode = new AtomicInteger();

  /**
   * FailedCreate events already recorded, so a blocked ReplicaSet does not post one per reconcile.
   */
  private final Set<String> recordedEvents = ConcurrentHashMap.newKeySet();

  private volatile Duration defaultProgressDeadline = Duration.ofMinutes(10);

  /**
   * Each Deployment ({@code namespace/name}) as the last pass that found it left it: its uid, and
   * its template's hash at the generation it was computed for (a change to the template is a change
   * to the spec, which moves the generation). A later pass of that same Deployment lists only the
   * pods and ReplicaSets its selector matches, as the controllers' listers do; a new uid's first
   * pass lists the whole namespace, since what a deleted Deployment of the same name owned
   * (labelled for another selector, perhaps) is removed by owner here, there being no garbage
   * collector behind the mock.
   */
  private final Map<String, Passed> passed = new ConcurrentHashMap<>();

  private record Passed(String uid, Long generation, String templateHash) {}

  DeploymentController(AppsV1Api apps, CoreV1Api core, Kubelet kubelet) {
    this.apps = apps;
    this.core = core;
    this.kubelet = kubelet;
  }

  void defaultProgressDeadline(Duration deadline) {
    this.defaultProgressDeadline = deadline;
  }

  /** What a pass left behind, so the caller knows whether time alone can change anything. */
  enum Outcome {
    /** The Deployment is gone (or going) and what it owned is removed. */
    GONE,
    /**
     * Every replica is updated and available, no old ReplicaSet holds pods, nothing was refused:
     * only a change to the stored objects (an event) can make the next pass differ.
     */
    SETTLED,
    /**
     * Still on its way (pods creating or pending, a rollout, crash loops, probes not yet due, a
     * refusal): the next pass may differ by time alone, so it has to come again.
     */
    PROGRESSING
  }

  /**
   * What a pass left: its outcome and the Deployment's resourceVersion after the pass's own writes
   * (null when it is gone), so an event for exactly that version is known to be the pass's own
   * echo.
   */
  record Pass(Outcome outcome, String resourceVersion) {}

  /** Converges the Deployment's ReplicaSets, pods and status, reading it from the API server. */
  Pass reconcile(String namespace, String name) throws ApiException {
    return reconcile(namespace, name, Optional.ofNullable(readDeployment(namespace, name)));
  }

  /**
   * Converges the Deployment's ReplicaSets, pods and status from the Deployment as a watch
   * delivered it (empty: gone). A stale one is refused by the status write's resourceVersion (409),
   * as the real controller's writes from its lister are.
   */
  Pass reconcile(String namespace, String name, Optional<V1Deployment> watched)
      throws ApiException {
    Instant now = Instant.now();
    V1Deployment d = watched.map(DeploymentController::withOwnStatus).orElse(null);
    String uid = d == null ? null : d.getMetadata().getUid();
    String key = namespace + "/" + name;
    Passed before = passed.get(key);
    boolean known = uid != null && before != null && uid.equals(before.uid());
    String selector = known ? matchLabels(d) : null;
    List<V1ReplicaSet> owned = new ArrayList<>();
    List<V1Pod> allPods =
        core.listNamespacedPod(namespace).labelSelector(selector).execute().getItems();
    for (V1ReplicaSet rs :
        apps.listNamespacedReplicaSet(namespace).labelSelector(selector).execute().getItems()) {
      V1OwnerReference owner = controllerOf(rs.getMetadata());
      if (owner == null || !"Deployment".equals(owner.getKind()) || !name.equals(owner.getName())) {
        continue;
      }
      if (d == null
          || d.getMetadata().getDeletionTimestamp() != null
          || !owner.getUid().equals(uid)) {
        // No garbage collector behind the mock: remove what the deleted (or replaced) Deployment
        // owned.
        deleteReplicaSet(rs, podsOf(rs, allPods));
      } else {
        owned.add(rs);
      }
    }
    if (d == null || d.getMetadata().getDeletionTimestamp() != null) {
      passed.remove(key);
      return new Pass(Outcome.GONE, null);
    }
    Long generation = d.getMetadata().getGeneration();
    String hash =
        known && generation != null && generation.equals(before.generation())
            ? before.templateHash()
            : PodTemplateHash.of(d.getSpec().getTemplate());
    // what a predecessor of the same name owned is gone now (its pods too, whatever their labels)
    passed.put(key, new Passed(uid, generation, hash));

    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    String newName = name + "-" + hash;
    V1ReplicaSet newRs =
        owned.stream()
            .filter(rs -> newName.equals(rs.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    if (newRs == null) {
      newRs =
          apps.createNamespacedReplicaSet(namespace, newReplicaSet(d, hash, nextRevision(owned)))
              .execute();
    } else {
      owned.remove(newRs);
    }
    // what the old ReplicaSets hold, and which new pods were ready before this pass: a rollout
    // steps
    // by what was available, so each step is written (and watchable) before the next
    List<V1Pod> oldBefore = new ArrayList<>();
    for (V1ReplicaSet old : owned) {
      oldBefore.addAll(podsOf(old, allPods));
    }
    Rolling rolling = Rolling.of(d, desired);
    int newTarget = desired;
    if (!oldBefore.isEmpty()) {
      // RollingUpdate: at most desired + maxSurge pods in all; the new ReplicaSet grows into the
      // room
      int existingNew = podsOf(newRs, allPods).size();
      int room = desired + rolling.maxSurge() - existingNew - oldBefore.size();
      newTarget = Math.min(desired, existingNew + Math.max(0, room));
    }
    newRs = scale(newRs, newTarget);

    Supplier<String> readyNode = this::pickReadyNode;
    List<V1Pod> newPods = new ArrayList<>(podsOf(newRs, allPods));
    String quotaFailure = null;
    while (newPods.size() < newTarget && quotaFailure == null) {
      try {
        newPods.add(core.createNamespacedPod(namespace, newPod(newRs)).execute());
      } catch (ApiException e) {
        if (e.getCode() != 403) {
          throw e;
        }
        // refused by admission (ResourceQuota, LimitRanger): as the ReplicaSet controller, record
        // it on the ReplicaSet and retry on a later sync
        quotaFailure = statusMessage(e);
        recordFailedCreate(newRs, quotaFailure, now);
      }
    }
    newPods.sort(
        Comparator.comparing(
                (V1Pod p) -> p.getMetadata().getCreationTimestamp(),
                Comparator.nullsLast(Comparator.naturalOrder()))
            .reversed());
    while (newPods.size() > newTarget) {
      deletePod(newPods.remove(0));
    }
    int newReadyBefore = (int) newPods.stream().filter(Kubelet::isReady).count();
    for (V1Pod pod : newPods) {
      kubelet.sync(pod, readyNode, now);
    }
    writeReplicaSetStatus(newRs, newPods, quotaFailure, now);

    // Old pods go as the rollout allows (a failing rollout keeps them serving): unready ones first
    // (they serve nothing), ready ones only while desired - maxUnavailable stay available — counted
    // with the new pods that were ready before this pass.
    int minAvailable = desired - rolling.maxUnavailable();
    int oldReady = (int) oldBefore.stream().filter(Kubelet::isReady).count();
    int allPodsCount = newPods.size() + oldBefore.size();
    int newUnavailable = newPods.size() - newReadyBefore;
    int cleanup = Math.max(0, allPodsCount - minAvailable - newUnavailable);
    int scaleDown = Math.max(0, newReadyBefore + oldReady - minAvailable);
    List<V1Pod> oldPods = new ArrayList<>();
    List<V1ReplicaSet> olds = new ArrayList<>();
    for (V1ReplicaSet old : owned) {
      List<V1Pod> still = new ArrayList<>();
      List<V1Pod> pods = new ArrayList<>(podsOf(old, allPods));
      pods.sort(Comparator.comparing(Kubelet::isReady));
      for (V1Pod pod : pods) {
        boolean ready = Kubelet.isReady(pod);
        if (!ready && cleanup > 0) {
          cleanup--;
          deletePod(pod);
        } else if (ready && scaleDown > 0) {
          scaleDown--;
          cleanup--;
          deletePod(pod);
        } else {
          kubelet.sync(pod, readyNode, now);
          still.add(pod);
        }
      }
      old = scale(old, still.size());
      writeReplicaSetStatus(old, still, null, now);
      oldPods.addAll(still);
      olds.add(old);
    }
    boolean complete = rolledOut(desired, newPods, oldPods);
    String version =
        writeDeploymentStatus(d, newRs, desired, complete, newPods, oldPods, quotaFailure, now);
    boolean settled = complete && quotaFailure == null && oldPods.isEmpty();
    if (settled) {
      dropHistory(d, olds);
    }
    return new Pass(settled ? Outcome.SETTLED : Outcome.PROGRESSING, version);
  }

  /**
   * The Deployment with a status of its own for the pass to write into; the rest is the object the
   * informer holds (shared, so never changed here). A deep copy through JSON on every pass was 6 %
   * of the simulator's CPU.
   */
  private static V1Deployment withOwnStatus(V1Deployment watched) {
    return new V1Deployment()
        .apiVersion(watched.getApiVersion())
        .kind(watched.getKind())
        .metadata(watched.getMetadata())
        .spec(watched.getSpec())
        .status(watched.getStatus());
  }

  /**
   * A rollout complete, the old ReplicaSets past the Deployment's {@code revisionHistoryLimit} (10
   * when unset, the apps/v1 default) go, oldest revision first, as the deployment controller's
   * cleanupDeployment (pkg/controller/deployment/sync.go) removes those scaled to zero.
   */
  private void dropHistory(V1Deployment d, List<V1ReplicaSet> olds) throws ApiException {
    Integer limit = d.getSpec().getRevisionHistoryLimit();
    int excess = olds.size() - (limit == null ? DEFAULT_REVISION_HISTORY : limit);
    List<V1ReplicaSet> oldestFirst = new ArrayList<>(olds);
    oldestFirst.sort(Comparator.comparingInt(DeploymentController::revision));
    for (V1ReplicaSet rs : oldestFirst.subList(0, Math.max(0, excess))) {
      if (Objects.equals(rs.getSpec().getReplicas(), 0)) {
        deleteReplicaSet(rs, List.of());
      }
    }
  }

  /**
   * A RollingUpdate's bounds resolved against the replica count as the real controller does
   * (deployment/util.ResolveFenceposts): a percentage of maxSurge rounds up, of maxUnavailable
   * down; both 0 would stall, so maxUnavailable is then 1. Unset (or a Recreate strategy, which the
   * simulator rolls the same way) means Kubernetes' defaults, 25 % and 25 %.
   */
  record Rolling(int maxSurge, int maxUnavailable) {

    static Rolling of(V1Deployment d, int desired) {
      V1DeploymentStrategy strategy = d.getSpec().getStrategy();
      V1RollingUpdateDeployment rolling = strategy == null ? null : strategy.getRollingUpdate();
      int surge = resolve(rolling == null ? null : rolling.getMaxSurge(), desired, true);
      int unavailable =
          resolve(rolling == null ? null : rolling.getMaxUnavailable(), desired, false);
      if (surge == 0 && unavailable == 0) {
        unavailable = 1;
      }
      return new Rolling(surge, Math.min(unavailable, desired));
    }

    private static int resolve(IntOrString value, int desired, boolean roundUp) {
      if (value == null) {
        return roundUp ? (desired + 3) / 4 : desired / 4;
      }
      if (value.isInteger()) {
        return value.getIntValue();
      }
      int percent = Integer.parseInt(value.getStrValue().replace("%", "").trim());
      return roundUp ? (desired * percent + 99) / 100 : desired * percent / 100;
    }
  }

  /**
   * The Deployment's {@code matchLabels} as a label selector, or null (list everything) when it has
   * match expressions too or no labels: every pod and ReplicaSet it owns carries them, its
   * template's labels being checked against the selector, which cannot change.
   */
  private static String matchLabels(V1Deployment d) {
    V1LabelSelector selector = d.getSpec().getSelector();
    if (selector == null
        || selector.getMatchLabels() == null
        || selector.getMatchLabels().isEmpty()
        || (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty())) {
      return null;
    }
    return selector.getMatchLabels().entrySet().stream()
        .map(label -> label.getKey() + "=" + label.getValue())
        .sorted()
        .collect(Collectors.joining(","));
  }

  private V1Deployment readDeployment(String namespace, String name) throws ApiException {
    try {
      return apps.readNamespacedDeployment(name, namespace).execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  private V1ReplicaSet newReplicaSet(V1Deployment d, String hash, int revision) {
    V1PodTemplateSpec template = copy(d.getSpec().getTemplate(), V1PodTemplateSpec.class);
    Map<String, String> labels =
        new HashMap<>(
            template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of()
                : template.getMetadata().getLabels());
    labels.put(HASH_LABEL, hash);
    if (template.getMetadata() == null) {
      template.setMetadata(new V1ObjectMeta());
    }
    template.getMetadata().setLabels(labels);
    V1LabelSelector selector = copy(d.getSpec().getSelector(), V1LabelSelector.class);
    Map<String, String> matchLabels =
        new HashMap<>(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
    matchLabels.put(HASH_LABEL, hash);
    selector.setMatchLabels(matchLabels);
    return new V1ReplicaSet()
        .apiVersion("apps/v1")
        .kind("ReplicaSet")
        .metadata(
            new V1ObjectMeta()
                .name(d.getMetadata().getName() + "-" + hash)
                .namespace(d.getMetadata().getNamespace())
                .labels(labels)
                .annotations(Map.of(REVISION, String.valueOf(revision)))
                .ownerReferences(List.of(ownerReference("apps/v1", "Deployment", d.getMetadata()))))
        .spec(
            new V1ReplicaSetSpec()
                .replicas(d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas())
                .minReadySeconds(d.getSpec().getMinReadySeconds())
                .selector(selector)
                .template(template));
  }

  private static int revision(V1ReplicaSet rs) {
    Map<String, String> annotations = rs.getMetadata().getAnnotations();
    String revision = annotations == null ? null : annotations.get(REVISION);
    return revision == null ? 0 : Integer.parseInt(revision);
  }

  private static int nextRevision(List<V1ReplicaSet> owned) {
    return owned.stream().mapToInt(DeploymentController::revision).max().orElse(0) + 1;
  }

  private V1ReplicaSet scale(V1ReplicaSet rs, int replicas) throws ApiException {
    if (Objects.equals(rs.getSpec().getReplicas(), replicas)) {
      return rs;
    }
    rs.getSpec().setReplicas(replicas);
    Written.send(
            apps.replaceNamespacedReplicaSet(
                    rs.getMetadata().getName(), rs.getMetadata().getNamespace(), rs)
                .buildCall(null))
        .applyTo(rs.getMetadata());
    return rs;
  }

  private V1Pod newPod(V1ReplicaSet rs) {
    V1PodTemplateSpec template = copy(rs.getSpec().getTemplate(), V1PodTemplateSpec.class);
    return new V1Pod()
        .apiVersion("v1")
        .kind("Pod")
        .metadata(
            new V1ObjectMeta()
                .name(rs.getMetadata().getName() + "-" + PodTemplateHash.randomSuffix())
                .namespace(rs.getMetadata().getNamespace())
                .labels(template.getMetadata().getLabels())
                .annotations(template.getMetadata().getAnnotations())
                .ownerReferences(
                    List.of(ownerReference("apps/v1", "ReplicaSet", rs.getMetadata()))))
        .spec(template.getSpec());
  }

  private void deleteReplicaSet(V1ReplicaSet rs, List<V1Pod> pods) throws ApiException {
    for (V1Pod pod : pods) {
      deletePod(pod);
    }
    ignoreNotFound(
        () ->
            Written.send(
                apps.deleteNamespacedReplicaSet(
                        rs.getMetadata().getName(), rs.getMetadata().getNamespace())
                    .buildCall(null)));
  }

  private void deletePod(V1Pod pod) throws ApiException {
    ignoreNotFound(
        () ->
            Written.send(
                core.deleteNamespacedPod(
                        pod.getMetadata().getName(), pod.getMetadata().getNamespace())
                    .buildCall(null)));
    kubelet.forget(pod);
  }

  private String pickReadyNode() {
    try {
      List<String> ready = new ArrayList<>();
      for (V1Node node : core.listNode().execute().getItems()) {
        // a cordoned node (spec.unschedulable) or one whose taints keep pods off takes no new
        // pods; Astro's pods carry no tolerations
        if (!schedulable(node)) {
          continue;
        }
        if (node.getStatus() != null
            && node.getStatus().getConditions() != null
            && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
          ready.add(node.getMetadata().getName());
        }
      }
      ready.sort(Comparator.naturalOrder());
      return ready.isEmpty()
          ? null
          : ready.get(Math.floorMod(nextNode.getAndIncrement(), ready.size()));
    } catch (ApiException e) {
      return null;
    }
  }

  /**
   * Whether the scheduler may place a pod without tolerations here: not cordoned and no {@code
   * NoSchedule} or {@code NoExecute} taint (the scheduler's NodeUnschedulable and TaintToleration
   * filters).
   */
  static boolean schedulable(V1Node node) {
    if (node.getSpec() == null) {
      return true;
    }
    if (Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return false;
    }
    return node.getSpec().getTaints() == null
        || node.getSpec().getTaints().stream()
            .noneMatch(
                t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()));
  }

  /** The message of the Status body an API error carries. */
  private static String statusMessage(ApiException e) {
    try {
      String message =
          JSON.getGson()
              .fromJson(e.getResponseBody(), io.kubernetes.client.openapi.models.V1Status.class)
              .getMessage();
      return message == null ? e.getMessage() : message;
    } catch (RuntimeException notAStatus) {
      return e.getResponseBody();
    }
  }

  private void recordFailedCreate(V1ReplicaSet rs, String message, Instant now)
      throws ApiException {
    String eventName =
        rs.getMetadata().getName() + "." + PodTemplateHash.stableSuffix(rs.getMetadata().getUid());
    String key = rs.getMetadata().getNamespace() + "/" + eventName;
    if (recordedEvents.contains(key)) {
      return;
    }
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    CoreV1Event event =
        new CoreV1Event()
            .apiVersion("v1")
            .kind("Event")
            .metadata(new V1ObjectMeta().name(eventName).namespace(rs.getMetadata().getNamespace()))
            .involvedObject(
                new V1ObjectReference()
                    .apiVersion("apps/v1")
                    .kind("ReplicaSet")
                    .name(rs.getMetadata().getName())
                    .namespace(rs.getMetadata().getNamespace())
                    .uid(rs.getMetadata().getUid())
                    .resourceVersion(rs.getMetadata().getResourceVersion()))
            .type("Warning")
            .reason("FailedCreate")
            .message("Error creating: " + message)
            .source(new V1EventSource().component(CONTROLLER))
            .reportingComponent(CONTROLLER)
            .firstTimestamp(at)
            .lastTimestamp(at)
            .count(1);
    try {
      core.createNamespacedEvent(rs.getMetadata().getNamespace(), event).execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    recordedEvents.add(key);
  }

  private void writeReplicaSetStatus(
      V1ReplicaSet rs, List<V1Pod> pods, String quotaFailure, Instant now) throws ApiException {
    int ready = (int) pods.stream().filter(Kubelet::isReady).count();
    List<V1ReplicaSetCondition> conditions = new ArrayList<>();
    if (quotaFailure != null) {
      V1ReplicaSetCondition failure =
          new V1ReplicaSetCondition()
              .type("ReplicaFailure")
              .status("True")
              .reason("FailedCreate")
              .message(quotaFailure)
              .lastTransitionTime(now.atOffset(ZoneOffset.UTC));
      V1ReplicaSetCondition before =
          rs.getStatus() == null || rs.getStatus().getConditions() == null
              ? null
              : rs.getStatus().getConditions().stream()
                  .filter(c -> "ReplicaFailure".equals(c.getType()))
                  .findFirst()
                  .orElse(null);
      if (before != null && "True".equals(before.getStatus())) {
        failure.setLastTransitionTime(before.getLastTransitionTime());
      }
      conditions.add(failure);
    }
    V1ReplicaSetStatus status =
        new V1ReplicaSetStatus()
            .replicas(pods.size())
            .fullyLabeledReplicas(omitZero(pods.size()))
            .readyReplicas(omitZero(ready))
            .availableReplicas(omitZero(ready))
            .observedGeneration(rs.getMetadata().getGeneration())
            .conditions(conditions);
    // Compared as read back: client-java's models start every list empty, so a stored status
    // without conditions reads as an empty list. Compared with none, every ReplicaSet of the
    // Deployment had its status written again on every pass.
    if (!JSON.serialize(status).equals(JSON.serialize(rs.getStatus()))) {
      // sent as the API server stores it: an empty list is omitted (omitempty)
      rs.setStatus(status.conditions(conditions.isEmpty() ? null : conditions));
      Written.send(
              apps.replaceNamespacedReplicaSetStatus(
                      rs.getMetadata().getName(), rs.getMetadata().getNamespace(), rs)
                  .buildCall(null))
          .applyTo(rs.getMetadata());
    }
  }

  /** Every replica updated and available, and no other pod left. */
  private static boolean rolledOut(int desired, List<V1Pod> newPods, List<V1Pod> oldPods) {
    return newPods.size() == desired
        && oldPods.isEmpty()
        && newPods.stream().filter(Kubelet::isReady).count() == desired;
  }

  /**
   * Writes the Deployment's status if it changed; returns its resourceVersion after this (the
   * written one, else the one it was read at).
   */
  private String writeDeploymentStatus(
      V1Deployment d,
      V1ReplicaSet newRs,
      int desired,
      boolean complete,
      List<V1Pod> newPods,
      List<V1Pod> oldPods,
      String quotaFailure,
      Instant now)
      throws ApiException {
    int total = newPods.size() + oldPods.size();
    int updated = newPods.size();
    int available =
        (int)
            (newPods.stream().filter(Kubelet::isReady).count()
                + oldPods.stream().filter(Kubelet::isReady).count());
    Map<String, V1DeploymentCondition> before = new HashMap<>();
    if (d.getStatus() != null && d.getStatus().getConditions() != null) {
      d.getStatus().getConditions().forEach(c -> before.put(c.getType(), c));
    }

    // progress as the real controller counts it (deployment/util.DeploymentProgressing): more
    // updated,
    // ready or available pods, or fewer old ones; each resets the progress deadline
    V1DeploymentStatus was = d.getStatus();
    boolean progressed =
        was != null
            && (updated > orZero(was.getUpdatedReplicas())
                || total - updated < orZero(was.getReplicas()) - orZero(was.getUpdatedReplicas())
                || available > orZero(was.getAvailableReplicas()));
    boolean minimumAvailable = available >= desired - Rolling.of(d, desired).maxUnavailable();
    List<V1DeploymentCondition> conditions = new ArrayList<>();
    conditions.add(
        minimumAvailable
            ? condition(
                "Available",
                true,
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.")
            : condition(
                "Available",
                false,
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability."));
    conditions.add(
        progressing(
            d,
            newRs.getMetadata().getName(),
            complete,
            progressed,
            before.get("Progressing"),
            now));
    if (quotaFailure != null) {
      conditions.add(condition("ReplicaFailure", true, "FailedCreate", quotaFailure));
    }
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    for (V1DeploymentCondition c : conditions) {
      V1DeploymentCondition old = before.get(c.getType());
      boolean sameStatus = old != null && Objects.equals(old.getStatus(), c.getStatus());
      boolean sameDetail =
          sameStatus
              && Objects.equals(old.getReason(), c.getReason())
              && Objects.equals(old.getMessage(), c.getMessage());
      boolean madeProgress = progressed && "ReplicaSetUpdated".equals(c.getReason());
      c.lastTransitionTime(sameStatus ? old.getLastTransitionTime() : at)
          .lastUpdateTime(sameDetail && !madeProgress ? old.getLastUpdateTime() : at);
    }
    V1DeploymentStatus status =
        new V1DeploymentStatus()
            .observedGeneration(d.getMetadata().getGeneration())
            .replicas(omitZero(total))
            .updatedReplicas(omitZero(updated))
            .readyReplicas(omitZero(available))
            .availableReplicas(omitZero(available))
            .unavailableReplicas(omitZero(Math.max(0, desired - available)))
            .conditions(conditions);
    if (JSON.serialize(status).equals(JSON.serialize(d.getStatus()))) {
      return d.getMetadata().getResourceVersion();
    }
    d.setStatus(status);
    return Written.send(
            apps.replaceNamespacedDeploymentStatus(
                    d.getMetadata().getName(), d.getMetadata().getNamespace(), d)
                .buildCall(null))
        .resourceVersion();
  }

  /**
   * Progressing as the real controller reports it: NewReplicaSetAvailable once done;
   * ReplicaSetUpdated while progress is possible (and again after a time-out when progress is
   * made); ProgressDeadlineExceeded (status False) once the rollout of this ReplicaSet has made no
   * progress for longer than {@code spec.progressDeadlineSeconds}.
   */
  private V1DeploymentCondition progressing(
      V1Deployment d,
      String rsName,
      boolean complete,
      boolean progressed,
      V1DeploymentCondition before,
      Instant now) {
    if (complete) {
      return condition(
          "Progressing",
          true,
          "NewReplicaSetAvailable",
          "ReplicaSet \"" + rsName + "\" has successfully progressed.");
    }
    V1DeploymentCondition updating =
        condition(
            "Progressing",
            true,
            "ReplicaSetUpdated",
            "ReplicaSet \"" + rsName + "\" is progressing.");
    V1DeploymentCondition timedOut =
        condition(
            "Progressing",
            false,
            "ProgressDeadlineExceeded",
            "ReplicaSet \"" + rsName + "\" has timed out progressing.");
    if (progressed) {
      return updating;
    }
    if (before != null && Objects.equals(before.getMessage(), timedOut.getMessage())) {
      return timedOut;
    }
    boolean stillUpdating =
        before != null
            && Objects.equals(before.getMessage(), updating.getMessage())
            && before.getLastUpdateTime() != null;
    Instant since = stillUpdating ? before.getLastUpdateTime().toInstant() : now;
    Integer seconds = d.getSpec().getProgressDeadlineSeconds();
    Duration deadline = seconds != null ? Duration.ofSeconds(seconds) : defaultProgressDeadline;
    return Duration.between(since, now).compareTo(deadline) > 0 ? timedOut : updating;
  }

  private static V1DeploymentCondition condition(
      String type, boolean status, String reason, String message) {
    return new V1DeploymentCondition()
        .type(type)
        .status(status ? "True" : "False")
        .reason(reason)
        .message(message);
  }

  private static List<V1Pod> podsOf(V1ReplicaSet rs, List<V1Pod> pods) {
    List<V1Pod> out = new ArrayList<>();
    for (V1Pod pod : pods) {
      V1OwnerReference owner = controllerOf(pod.getMetadata());
      if (owner != null
          && "ReplicaSet".equals(owner.getKind())
          && rs.getMetadata().getName().equals(owner.getName())
          && rs.getMetadata().getUid().equals(owner.getUid())) {
        out.add(pod);
      }
    }
    return out;
  }

  private static V1OwnerReference controllerOf(V1ObjectMeta meta) {
    if (meta.getOwnerReferences() == null) {
      return null;
    }
    return meta.getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()))
        .findFirst()
        .orElse(null);
  }

  private static V1OwnerReference ownerReference(
      String apiVersion, String kind, V1ObjectMeta owner) {
    return new V1OwnerReference()
        .apiVersion(apiVersion)
        .kind(kind)
        .name(owner.getName())
        .uid(owner.getUid())
        .controller(true)
        .blockOwnerDeletion(true);
  }

  /**
   * A real server omits zero counts from status ({@code omitempty}); code reading them must cope
   * with null.
   */
  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }

  private static Integer omitZero(int n) {
    return n == 0 ? null : n;
  }

  private static <T> T copy(T object, Class<T> type) {
    return JSON.deserialize(JSON.serialize(object), type);
  }

  private interface ApiCall {
    void run() throws ApiException;
  }

  private static void ignoreNotFound(ApiCall call) throws ApiException {
    try {
      call.run();
    } catch (ApiException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }
}
