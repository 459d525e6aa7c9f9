package io.astro.sync.clusters;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.astro.common.kubernetes.KubeJson;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
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
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.Call;
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
 * <p>What is not kept is not decoded either: each object's JSON is pruned to what its kind keeps
 * before it is read into a model ({@link KubeJson}). Decoding watch events was nearly a third of
 * the worker's CPU under a stream of rollouts.
 *
 * @param <T> the kind
 * @param <L> its list
 */
final class SlimCache<T extends KubernetesObject, L extends KubernetesListObject>
    implements ListerWatcher<T, L> {

  private static final SharedStrings STRINGS = SharedStrings.CACHES;

  private final ApiClient client;
  private final CallGenerator calls;
  private final Class<L> listType;
  private final Function<L, List<T>> items;
  private final Slimming<T> slimming;
  private final Type watchType;

  /**
   * What the cache keeps of one kind: its JSON pruned before decoding, then its model trimmed (the
   * strings shared, and what the pruning kept only for the model's sake dropped).
   */
  record Slimming<T>(Class<T> type, Consumer<JsonObject> json, UnaryOperator<T> model) {

    /** One object as the cache holds it, from its JSON (which this prunes). */
    T decode(JsonObject object) {
      json.accept(object);
      return model.apply(KubeJson.gson().fromJson(object, type));
    }
  }

  static final Slimming<V1Deployment> DEPLOYMENTS =
      new Slimming<>(V1Deployment.class, SlimCache::deploymentJson, SlimCache::deployment);
  static final Slimming<V1ReplicaSet> REPLICA_SETS =
      new Slimming<>(V1ReplicaSet.class, SlimCache::replicaSetJson, SlimCache::replicaSet);
  static final Slimming<V1Pod> PODS =
      new Slimming<>(V1Pod.class, SlimCache::podJson, SlimCache::pod);
  static final Slimming<V1Service> SERVICES =
      new Slimming<>(V1Service.class, SlimCache::serviceJson, SlimCache::service);

  private SlimCache(
      ApiClient client,
      CallGenerator calls,
      Class<L> listType,
      Function<L, List<T>> items,
      Slimming<T> slimming) {
    this.client = client;
    this.calls = calls;
    this.listType = listType;
    this.items = items;
    this.slimming = slimming;
    this.watchType = TypeToken.getParameterized(Watch.Response.class, slimming.type()).getType();
  }

  static <T extends KubernetesObject, L extends KubernetesListObject> SlimCache<T, L> of(
      ApiClient watchClient,
      CallGenerator calls,
      Class<L> listType,
      Function<L, List<T>> items,
      Slimming<T> slimming) {
    return new SlimCache<>(watchClient, calls, listType, items, slimming);
  }

  /** A Deployment's JSON without what {@link #deployment} drops. */
  static void deploymentJson(JsonObject d) {
    dropManagedFields(d);
    JsonObject spec = keep(d, "spec", "replicas", "template");
    JsonObject template = keep(spec, "template", "metadata", "spec");
    keep(template, "metadata", "labels", "annotations");
    keepInEach(keep(template, "spec", "containers"), "containers", "name", "image");
  }

  /** A ReplicaSet's JSON: its metadata, as {@link #replicaSet}. */
  static void replicaSetJson(JsonObject rs) {
    dropManagedFields(rs);
    rs.remove("spec");
    rs.remove("status");
  }

  /** A Pod's JSON without what {@link #pod} drops. */
  static void podJson(JsonObject pod) {
    dropManagedFields(pod);
    keep(pod, "spec", "nodeName");
    keepInEach(
        keep(pod, "status", "phase", "conditions", "containerStatuses"),
        "containerStatuses",
        "name",
        "ready",
        "restartCount",
        "state");
  }

  /** A Service's JSON without managedFields, as {@link #service}. */
  static void serviceJson(JsonObject service) {
    dropManagedFields(service);
  }

  private static void dropManagedFields(JsonObject object) {
    JsonElement meta = object.get("metadata");
    if (meta != null && meta.isJsonObject()) {
      meta.getAsJsonObject().remove("managedFields");
    }
  }

  /** The object at {@code field} of {@code parent}, keeping only {@code names}; null if none. */
  private static JsonObject keep(JsonObject parent, String field, String... names) {
    JsonElement child = parent == null ? null : parent.get(field);
    if (child == null || !child.isJsonObject()) {
      return null;
    }
    JsonObject object = child.getAsJsonObject();
    Set<String> kept = Set.of(names);
    object.keySet().removeIf(name -> !kept.contains(name));
    return object;
  }

  /** Each object of the array at {@code field} of {@code parent}, keeping only {@code names}. */
  private static void keepInEach(JsonObject parent, String field, String... names) {
    JsonElement array = parent == null ? null : parent.get(field);
    if (array == null || !array.isJsonArray()) {
      return;
    }
    Set<String> kept = Set.of(names);
    for (JsonElement item : array.getAsJsonArray()) {
      if (item.isJsonObject()) {
        item.getAsJsonObject().keySet().removeIf(name -> !kept.contains(name));
      }
    }
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
        throw refusal(response);
      }
      Gson gson = KubeJson.gson();
      JsonObject rest = new JsonObject();
      List<T> read = new ArrayList<>();
      try (JsonReader in = gson.newJsonReader(body.charStream())) {
        in.beginObject();
        while (in.hasNext()) {
          String field = in.nextName();
          if ("items".equals(field) && in.peek() == JsonToken.BEGIN_ARRAY) {
            in.beginArray();
            while (in.hasNext()) {
              read.add(slimming.decode(JsonParser.parseReader(in).getAsJsonObject()));
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

  /**
   * The watch, as the client's {@code Watch.createWatch} opens it (a refusal is the API server's
   * answer), with each event's object decoded as the cache keeps it.
   */
  @Override
  public Watchable<T> watch(CallGeneratorParams p) throws ApiException {
    Call call = calls.generate(p);
    try {
      Response response = call.execute();
      if (!response.isSuccessful()) {
        try (response) {
          throw refusal(response);
        }
      }
      return watching(response.body(), call);
    } catch (IOException e) {
      throw new ApiException(e);
    }
  }

  /** The API server's answer to a list or watch it refused, its body read. */
  private static ApiException refusal(Response response) throws IOException {
    ResponseBody body = response.body();
    return new ApiException(
        response.message(),
        response.code(),
        response.headers().toMultimap(),
        body == null ? null : body.string());
  }

  /** The events of a watch whose answer is {@code body}. */
  Watch<T> watching(ResponseBody body, Call call) {
    return new Slimmed(body, call);
  }

  /** The watch, each object pruned before it is decoded and trimmed after. */
  private final class Slimmed extends Watch<T> {

    Slimmed(ResponseBody body, Call call) {
      super(client.getJSON(), body, watchType, call);
    }

    @Override
    protected Watch.Response<T> parseLine(String line) throws IOException {
      JsonObject event;
      try {
        event = JsonParser.parseString(line).getAsJsonObject();
      } catch (JsonParseException | IllegalStateException e) {
        throw new IOException("unreadable watch event", e);
      }
      JsonElement object = event.get("object");
      if (object == null || !object.isJsonObject() || isStatus(object.getAsJsonObject())) {
        // an ERROR event (its object a Status, e.g. 410 Gone): the client reads it as ever
        return super.parseLine(line);
      }
      JsonElement eventType = event.get("type");
      return new Watch.Response<>(
          eventType == null ? null : eventType.getAsString(),
          slimming.decode(object.getAsJsonObject()));
    }

    private static boolean isStatus(JsonObject object) {
      JsonElement kind = object.get("kind");
      return kind != null && kind.isJsonPrimitive() && "Status".equals(kind.getAsString());
    }
  }
}
