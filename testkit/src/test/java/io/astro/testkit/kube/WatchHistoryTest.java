package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.reflect.TypeToken;
import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.Watch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A watch from a resourceVersion is sent the deletions that came after it, as a real API server
 * sends them from its watch cache: an informer that watches again from the last version it saw (its
 * watch ended after {@code timeoutSeconds}) learns of an object deleted in between.
 */
class WatchHistoryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static FakeCluster cluster;
  private static CoreV1Api core;

  @BeforeAll
  static void startCluster() {
    cluster = FakeCluster.start();
    core = new CoreV1Api(cluster.apiClient());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void aWatchAgainFromTheLastSeenVersionIsSentADeletionBetweenTheTwoWatches() throws Exception {
    String ns = namespace("rewatch");
    String listedAt = core.listNamespacedConfigMap(ns).execute().getMetadata().getResourceVersion();
    List<Watch.Response<V1ConfigMap>> first = new CopyOnWriteArrayList<>();
    String lastSeen;
    try (Watch<V1ConfigMap> watch = watch(ns, listedAt)) {
      read(watch, first);
      create(ns, "gone");
      Eventually.until("the first watch saw the ConfigMap", WAIT, () -> first.size() == 1);
      lastSeen = first.get(0).object.getMetadata().getResourceVersion();
    }

    core.deleteNamespacedConfigMap("gone", ns).execute();

    List<Watch.Response<V1ConfigMap>> second = new CopyOnWriteArrayList<>();
    try (Watch<V1ConfigMap> watch = watch(ns, lastSeen)) {
      read(watch, second);
      Eventually.until("the second watch was sent the deletion", WAIT, () -> !second.isEmpty());
      create(ns, "marker");
      Eventually.until("the second watch saw the marker", WAIT, () -> second.size() >= 2);
    }
    assertThat(events(second)).containsExactly("DELETED gone", "ADDED marker");
    // the deletion has a resourceVersion of its own, after the object's last write
    assertThat(version(second.get(0))).isGreaterThan(Long.parseLong(lastSeen));
  }

  @Test
  void onlyDeletionsAfterTheVersionInTheWatchedNamespaceAreSentInTheirOrderBeforeLaterChanges()
      throws Exception {
    String ns = namespace("history");
    String elsewhere = namespace("history-elsewhere");
    for (String name : List.of("before", "first", "second", "again")) {
      create(ns, name);
    }
    create(elsewhere, "other");
    core.deleteNamespacedConfigMap("before", ns).execute();
    String since = core.listNamespacedConfigMap(ns).execute().getMetadata().getResourceVersion();
    core.deleteNamespacedConfigMap("first", ns).execute();
    core.deleteNamespacedConfigMap("other", elsewhere).execute();
    core.deleteNamespacedConfigMap("second", ns).execute();
    core.deleteNamespacedConfigMap("again", ns).execute();
    create(ns, "again");

    List<Watch.Response<V1ConfigMap>> events = new CopyOnWriteArrayList<>();
    try (Watch<V1ConfigMap> watch = watch(ns, since)) {
      read(watch, events);
      Eventually.until("the watch replayed the history", WAIT, () -> events.size() >= 4);
      create(ns, "after");
      Eventually.until("the watch saw the later change", WAIT, () -> events.size() >= 5);
    }
    assertThat(events(events))
        .containsExactly(
            "DELETED first", "DELETED second", "DELETED again", "ADDED again", "ADDED after");
    assertThat(events.stream().map(WatchHistoryTest::version).toList())
        .isSorted()
        .allMatch(v -> v > Long.parseLong(since));
  }

  @Test
  void aWatchOfOneNamedObjectIsSentOnlyItsDeletion() throws Exception {
    String ns = namespace("named");
    create(ns, "kept");
    create(ns, "watched");
    create(ns, "neighbour");
    String since = core.listNamespacedConfigMap(ns).execute().getMetadata().getResourceVersion();
    core.deleteNamespacedConfigMap("neighbour", ns).execute();
    core.deleteNamespacedConfigMap("watched", ns).execute();

    List<Watch.Response<V1ConfigMap>> events = new CopyOnWriteArrayList<>();
    try (Watch<V1ConfigMap> watch =
        Watch.createWatch(
            cluster.apiClient(),
            core.listNamespacedConfigMap(ns)
                .watch(true)
                .resourceVersion(since)
                .fieldSelector("metadata.name=watched")
                .buildCall(null),
            new TypeToken<Watch.Response<V1ConfigMap>>() {}.getType())) {
      read(watch, events);
      Eventually.until("the watch was sent the deletion", WAIT, () -> !events.isEmpty());
      create(ns, "watched");
      Eventually.until("the watch saw the object again", WAIT, () -> events.size() >= 2);
    }
    assertThat(events(events)).containsExactly("DELETED watched", "ADDED watched");
  }

  private static Watch<V1ConfigMap> watch(String ns, String resourceVersion) throws ApiException {
    return Watch.createWatch(
        cluster.apiClient(),
        core.listNamespacedConfigMap(ns)
            .watch(true)
            .resourceVersion(resourceVersion)
            .buildCall(null),
        new TypeToken<Watch.Response<V1ConfigMap>>() {}.getType());
  }

  private static void read(Watch<V1ConfigMap> watch, List<Watch.Response<V1ConfigMap>> events) {
    Thread reader =
        new Thread(
            () -> {
              try {
                watch.forEach(events::add);
              } catch (RuntimeException closed) {
                // the test closes the watch once it has seen what it waits for
              }
            },
            "watch-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private static List<String> events(List<Watch.Response<V1ConfigMap>> events) {
    return events.stream().map(e -> e.type + " " + e.object.getMetadata().getName()).toList();
  }

  private static long version(Watch.Response<V1ConfigMap> event) {
    return Long.parseLong(event.object.getMetadata().getResourceVersion());
  }

  private static void create(String ns, String name) throws ApiException {
    core.createNamespacedConfigMap(
            ns,
            new V1ConfigMap()
                .apiVersion("v1")
                .kind("ConfigMap")
                .metadata(new V1ObjectMeta().name(name).namespace(ns))
                .data(Map.of("k", "v")))
        .execute();
  }

  private static String namespace(String ns) throws ApiException {
    new CoreV1Api(cluster.internalClient())
        .createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(ns)))
        .execute();
    return ns;
  }
}
