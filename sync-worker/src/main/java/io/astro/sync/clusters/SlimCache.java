package io.astro.sync.clusters;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.CallGenerator;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Lists and watches that hand the informer's cache only what the worker reads, so its heap grows
 * with the number of apps by as little as it can (at 10 000 apps the caches were most of the live
 * heap). Every object loses {@code metadata.managedFields} (server-side bookkeeping, often larger
 * than the spec on a real server); a Pod keeps its metadata, {@code spec.nodeName} and the parts of
 * its status its app's status reports; a ReplicaSet keeps its metadata (what an Event about it is
 * matched to its app by). A Deployment keeps its metadata (the spec-hash annotation reconcile
 * compares), its status, and of its spec only what the drift check and the status read: replicas,
 * the pod template's metadata and each container's name and image (docs/sync-worker.md, "No write
 * when nothing changed"). Services keep their spec. Pod logs and the containers they name are read
 * from the API server, never from this cache. The strings the objects repeat (label and annotation
 * keys, names, condition types, images) are kept once, in {@link SharedStrings}.
 *
 * @param <T> the kind
 * @param <L> its list
 */
final class SlimCache<T extends KubernetesObject, L extends KubernetesListObject>
    implements ListerWatcher<T, L> {

  private static final SharedStrings STRINGS = SharedStrings.CACHES;

  private final ApiClient client;
  private final CallGenerator calls;
  private final Class<T> type;
  private final Class<L> listType;
  private final Function<L, List<T>> items;
  private final UnaryOperator<T> slim;

  private SlimCache(
      ApiClient client,
      CallGenerator calls,
      Class<T> type,
      Class<L> listType,
      Function<L, List<T>> items,
      UnaryOperator<T> slim) {
    this.client = client;
    this.calls = calls;
    this.type = type;
    this.listType = listType;
    this.items = items;
    this.slim = slim;
  }

  static <T extends KubernetesObject, L extends KubernetesListObject> SlimCache<T, L> of(
      ApiClient watchClient,
      CallGenerator calls,
      Class<T> type,
      Class<L> listType,
      Function<L, List<T>> items,
      UnaryOperator<T> slim) {
    return new SlimCache<>(watchClient, calls, type, listType, items, slim);
  }

  /**
   * A Deployment as cached: its metadata, its status, and of its spec the replicas, the pod
   * template's labels and annotations and each container's name and image. The rest of the template
   * (environment, probes, resources, volumes: most of a Deployment) is covered by the spec hash.
   */
  static V1Deployment deployment(V1Deployment d) {
    V1DeploymentSpec spec = d.getSpec();
    V1DeploymentStatus status = d.getStatus();
    if (status != null && status.getConditions() != null) {
      status.getConditions().forEach(SlimCache::share);
    }
    return new V1Deployment()
        .apiVersion(share(d.getApiVersion()))
        .kind(share(d.getKind()))
        .metadata(withoutManagedFields(d.getMetadata()))
        .spec(
            spec == null
                ? null
                : new V1DeploymentSpec()
                    .replicas(spec.getReplicas())
                    .template(template(spec.getTemplate())))
        .status(status);
  }

  private static V1PodTemplateSpec template(V1PodTemplateSpec template) {
    if (template == null) {
      return null;
    }
    V1ObjectMeta meta = template.getMetadata();
    V1PodSpec spec = template.getSpec();
    return new V1PodTemplateSpec()
        .metadata(
            meta == null
                ? null
                : new V1ObjectMeta()
                    .labels(STRINGS.share(meta.getLabels()))
                    .annotations(STRINGS.share(meta.getAnnotations())))
        .spec(
            spec == null || spec.getContainers() == null
                ? null
                : new V1PodSpec()
                    .containers(
                        spec.getContainers().stream()
                            .map(
                                c ->
                                    new V1Container()
                                        .name(share(c.getName()))
                                        .image(share(c.getImage())))
                            .toList()));
  }

  /** A Service as cached: without managedFields. */
  static V1Service service(V1Service s) {
    withoutManagedFields(s.getMetadata());
    if (s.getSpec() != null) {
      s.getSpec().setSelector(STRINGS.share(s.getSpec().getSelector()));
    }
    return s;
  }

  /** A ReplicaSet as cached: its metadata only. */
  static V1ReplicaSet replicaSet(V1ReplicaSet rs) {
    return new V1ReplicaSet()
        .apiVersion(share(rs.getApiVersion()))
        .kind(share(rs.getKind()))
        .metadata(withoutManagedFields(rs.getMetadata()));
  }

  /**
   * A Pod as cached: its metadata, the node it is bound to, its phase, conditions, and of each
   * container's status its name, readiness, restarts and state (the last one's termination, image
   * ids, IPs and times are not read).
   */
  static V1Pod pod(V1Pod pod) {
    V1PodStatus status = pod.getStatus();
    if (status != null && status.getConditions() != null) {
      status.getConditions().forEach(SlimCache::share);
    }
    return new V1Pod()
        .apiVersion(share(pod.getApiVersion()))
        .kind(share(pod.getKind()))
        .metadata(withoutManagedFields(pod.getMetadata()))
        .spec(
            pod.getSpec() == null
                ? null
                : new V1PodSpec().nodeName(share(pod.getSpec().getNodeName())))
        .status(
            status == null
                ? null
                : new V1PodStatus()
                    .phase(share(status.getPhase()))
                    .conditions(status.getConditions())
                    .containerStatuses(
                        status.getContainerStatuses() == null
                            ? null
                            : status.getContainerStatuses().stream()
                                .map(
                                    c ->
                                        new V1ContainerStatus()
                                            .name(share(c.getName()))
                                            .ready(c.getReady())
                                            .restartCount(c.getRestartCount())
                                            .state(share(c.getState())))
                                .toList()));
  }

  /**
   * The metadata without managedFields, its names, labels, annotations and owners' names shared
   * with the other cached objects (uids and resource versions are unique: not shared).
   */
  private static V1ObjectMeta withoutManagedFields(V1ObjectMeta meta) {
    if (meta != null) {
      meta.setManagedFields(null);
      meta.setName(share(meta.getName()));
      meta.setNamespace(share(meta.getNamespace()));
      meta.setGenerateName(share(meta.getGenerateName()));
      meta.setLabels(STRINGS.share(meta.getLabels()));
      meta.setAnnotations(STRINGS.share(meta.getAnnotations()));
      if (meta.getOwnerReferences() != null) {
        for (V1OwnerReference owner : meta.getOwnerReferences()) {
          owner.setApiVersion(share(owner.getApiVersion()));
          owner.setKind(share(owner.getKind()));
          owner.setName(share(owner.getName()));
        }
      }
    }
    return meta;
  }

  private static String share(String s) {
    return STRINGS.share(s);
  }

  private static void share(V1DeploymentCondition c) {
    c.setType(share(c.getType()));
    c.setStatus(share(c.getStatus()));
    c.setReason(share(c.getReason()));
    c.setMessage(share(c.getMessage()));
  }

  private static void share(V1PodCondition c) {
    c.setType(share(c.getType()));
    c.setStatus(share(c.getStatus()));
    c.setReason(share(c.getReason()));
    c.setMessage(share(c.getMessage()));
  }

  private static V1ContainerState share(V1ContainerState state) {
    if (state != null && state.getWaiting() != null) {
      state.getWaiting().setReason(share(state.getWaiting().getReason()));
      state.getWaiting().setMessage(share(state.getWaiting().getMessage()));
    }
    if (state != null && state.getTerminated() != null) {
      state.getTerminated().setReason(share(state.getTerminated().getReason()));
    }
    return state;
  }

  /**
   * Reads the list item by item and slims each as it is read: a whole list decoded first (the
   * client's way) holds every full object at once, and a restarted worker listing every kind of ten
   * clusters with thousands of apps at the same moment ran out of heap doing so.
   */
  @Override
  public L list(CallGeneratorParams p) throws ApiException {
    try (Response response = calls.generate(p).execute()) {
      ResponseBody body = response.body();
      if (!response.isSuccessful() || body == null) {
        throw new ApiException(
            response.message(),
            response.code(),
            response.headers().toMultimap(),
            body == null ? null : body.string());
      }
      Gson gson = JSON.getGson();
      JsonObject rest = new JsonObject();
      List<T> read = new ArrayList<>();
      try (JsonReader in = gson.newJsonReader(body.charStream())) {
        in.beginObject();
        while (in.hasNext()) {
          String field = in.nextName();
          if ("items".equals(field) && in.peek() == JsonToken.BEGIN_ARRAY) {
            in.beginArray();
            while (in.hasNext()) {
              read.add(slim.apply(gson.<T>fromJson(in, type)));
            }
            in.endArray();
          } else {
            rest.add(field, JsonParser.parseReader(in));
          }
        }
        in.endObject();
      }
      rest.add("items", new JsonArray());
      L list = gson.fromJson(rest, listType);
      items.apply(list).addAll(read);
      return list;
    } catch (IOException | JsonParseException e) {
      throw new ApiException(e);
    }
  }

  @Override
  public Watchable<T> watch(CallGeneratorParams p) throws ApiException {
    Watch<T> watch =
        Watch.createWatch(
            client,
            calls.generate(p),
            TypeToken.getParameterized(Watch.Response.class, type).getType());
    return new Slimmed(watch);
  }

  /** The watch, each object slimmed as it arrives. */
  private final class Slimmed implements Watchable<T> {
    private final Watch<T> watch;

    Slimmed(Watch<T> watch) {
      this.watch = watch;
    }

    @Override
    public boolean hasNext() {
      return watch.hasNext();
    }

    @Override
    public Watch.Response<T> next() {
      Watch.Response<T> r = watch.next();
      return r.object == null ? r : new Watch.Response<>(r.type, slim.apply(r.object));
    }

    @Override
    public Iterator<Watch.Response<T>> iterator() {
      return this;
    }

    @Override
    public void close() throws IOException {
      watch.close();
    }
  }
}
