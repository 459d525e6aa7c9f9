package io.astro.sync.views;

import io.astro.common.kube.KubeNames;
import io.astro.sync.logs.Deadline;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.CoreV1EventList;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaList;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The namespace and event views: blocking reads, each bounded by the request's deadline. */
final class ClusterReads {

  /** Events read at most per request (pages of {@link #PAGE}) before sorting the newest first. */
  static final int MAX_EVENTS_READ = 2000;

  private static final int PAGE = 500;

  private ClusterReads() {}

  /**
   * Astro's user namespaces ({@code astro-user-<id>}, managed by Astro): owner, live app count
   * (Deployments Astro manages) and the namespace quota's hard and used figures.
   */
  static JsonArray namespaces(ApiClient client, Deadline deadline) throws ApiException {
    CoreV1Api core = new CoreV1Api(client);
    List<V1Namespace> namespaces =
        client
            .<V1NamespaceList>execute(
                deadline.bound(
                    core.listNamespace().labelSelector(KubeNames.MANAGED_SELECTOR).buildCall(null)),
                V1NamespaceList.class)
            .getData()
            .getItems();
    Map<String, Integer> apps = new HashMap<>();
    for (V1Deployment d :
        client
            .<V1DeploymentList>execute(
                deadline.bound(
                    new AppsV1Api(client)
                        .listDeploymentForAllNamespaces()
                        .labelSelector(KubeNames.MANAGED_SELECTOR)
                        .buildCall(null)),
                V1DeploymentList.class)
            .getData()
            .getItems()) {
      apps.merge(d.getMetadata().getNamespace(), 1, Integer::sum);
    }
    Map<String, V1ResourceQuota> quotas = new HashMap<>();
    for (V1ResourceQuota q :
        client
            .<V1ResourceQuotaList>execute(
                deadline.bound(
                    core.listResourceQuotaForAllNamespaces()
                        .labelSelector(KubeNames.MANAGED_SELECTOR)
                        .buildCall(null)),
                V1ResourceQuotaList.class)
            .getData()
            .getItems()) {
      if (KubeNames.QUOTA.equals(q.getMetadata().getName())) {
        quotas.put(q.getMetadata().getNamespace(), q);
      }
    }
    JsonArray out = new JsonArray();
    namespaces.stream()
        .filter(ns -> KubeNames.isUserNamespace(ns.getMetadata().getName()))
        .sorted(Comparator.comparing(ns -> ns.getMetadata().getName()))
        .forEach(
            ns -> {
              String name = ns.getMetadata().getName();
              Map<String, String> labels =
                  ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
              V1ResourceQuota quota = quotas.get(name);
              out.add(
                  new JsonObject()
                      .put("name", name)
                      .put("user_id", labels.get(KubeNames.USER_ID_LABEL))
                      .put("phase", ns.getStatus() == null ? null : ns.getStatus().getPhase())
                      .put("apps", apps.getOrDefault(name, 0))
                      .put(
                          "quota",
                          quota == null
                              ? null
                              : new JsonObject()
                                  .put(
                                      "hard",
                                      quantities(
                                          quota.getStatus() != null
                                                  && quota.getStatus().getHard() != null
                                              ? quota.getStatus().getHard()
                                              : quota.getSpec() == null
                                                  ? null
                                                  : quota.getSpec().getHard()))
                                  .put(
                                      "used",
                                      quantities(
                                          quota.getStatus() == null
                                              ? null
                                              : quota.getStatus().getUsed())))
                      .put("created_at", NodeViews.time(ns.getMetadata().getCreationTimestamp())));
            });
    return out;
  }

  /** An events query: {@code namespace} null for all, {@code type} null for both. */
  record EventQuery(String namespace, String type, Instant since, int limit) {}

  /** Events newest first, at most {@code limit}, none older than {@code since}. */
  static JsonArray events(ApiClient client, EventQuery query, Deadline deadline)
      throws ApiException {
    CoreV1Api core = new CoreV1Api(client);
    List<CoreV1Event> read = new ArrayList<>();
    String next = null;
    do {
      CoreV1EventList page;
      if (query.namespace() == null) {
        CoreV1Api.APIlistEventForAllNamespacesRequest request =
            core.listEventForAllNamespaces().limit(PAGE)._continue(next);
        if (query.type() != null) {
          request.fieldSelector("type=" + query.type());
        }
        page =
            client
                .<CoreV1EventList>execute(
                    deadline.bound(request.buildCall(null)), CoreV1EventList.class)
                .getData();
      } else {
        CoreV1Api.APIlistNamespacedEventRequest request =
            core.listNamespacedEvent(query.namespace()).limit(PAGE)._continue(next);
        if (query.type() != null) {
          request.fieldSelector("type=" + query.type());
        }
        page =
            client
                .<CoreV1EventList>execute(
                    deadline.bound(request.buildCall(null)), CoreV1EventList.class)
                .getData();
      }
      read.addAll(page.getItems());
      next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty() && read.size() < MAX_EVENTS_READ);
    JsonArray out = new JsonArray();
    read.stream()
        // held to here too: the type asked for, and not older than since
        .filter(e -> query.type() == null || query.type().equals(e.getType()))
        .filter(e -> query.since() == null || !when(e).isBefore(query.since()))
        .sorted(Comparator.comparing(ClusterReads::when).reversed())
        .limit(query.limit())
        .forEach(e -> out.add(event(e)));
    return out;
  }

  private static JsonObject event(CoreV1Event e) {
    JsonObject object =
        e.getInvolvedObject() == null
            ? null
            : new JsonObject()
                .put("kind", e.getInvolvedObject().getKind())
                .put("namespace", e.getInvolvedObject().getNamespace())
                .put("name", e.getInvolvedObject().getName());
    return new JsonObject()
        .put("namespace", e.getMetadata().getNamespace())
        .put("type", e.getType())
        .put("reason", e.getReason())
        .put("message", e.getMessage())
        .put("object", object)
        .put("count", e.getCount() == null ? 1 : e.getCount())
        .put(
            "source",
            e.getReportingComponent() != null && !e.getReportingComponent().isEmpty()
                ? e.getReportingComponent()
                : e.getSource() == null ? null : e.getSource().getComponent())
        .put("first_timestamp", NodeViews.time(e.getFirstTimestamp()))
        .put("last_timestamp", when(e).toString());
  }

  /** When the event last happened: lastTimestamp, else eventTime, firstTimestamp, creation. */
  static Instant when(CoreV1Event e) {
    for (OffsetDateTime t :
        new OffsetDateTime[] {
          e.getLastTimestamp(),
          e.getEventTime(),
          e.getFirstTimestamp(),
          e.getMetadata().getCreationTimestamp()
        }) {
      if (t != null) {
        return t.toInstant();
      }
    }
    return Instant.EPOCH;
  }

  private static JsonObject quantities(Map<String, Quantity> values) {
    JsonObject out = new JsonObject();
    if (values != null) {
      new TreeMap<>(values).forEach((k, v) -> out.put(k, v.toSuffixedString()));
    }
    return out;
  }
}
