package io.astro.common.events.app;

import static io.astro.common.events.EventFields.flag;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.object;
import static io.astro.common.events.EventFields.optionalRange;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.required;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.EventFields;
import io.astro.common.kube.KubeNames;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonObject;

/**
 * {@code io.astro.app.command.v1} (schema: {@code docs/events/io.astro.app.command.v1.json}), the
 * command before releases: image, replicas and port only. No longer produced; the sync-worker still
 * reads such records left on the compacted topic, as the {@link AppCommand} they mean ({@link
 * #toCurrent()}).
 */
public record AppCommandV1(
    AppCommand.Command command,
    String appId,
    long userId,
    String name,
    String cluster,
    String namespace,
    String k8sName,
    long generation,
    Desired desired) {

  public static final String TYPE = "io.astro.app.command.v1";
  public static final String SOURCE = "/astro/app-service";

  /**
   * The desired state. {@code restartedAt} (ISO-8601) is the rolling-restart stamp of the pod
   * template; {@code port} null means no Service.
   */
  public record Desired(
      String image,
      int replicas,
      Integer port,
      boolean stopped,
      String restartedAt,
      boolean deleted) {}

  /**
   * The same desired state as a current command: release 0 (before releases) with no settings, so
   * the sync-worker keeps the container as v1 built it.
   */
  public AppCommand toCurrent() {
    return new AppCommand(
        command,
        appId,
        userId,
        name,
        cluster,
        namespace,
        k8sName,
        generation,
        new AppCommand.Desired(
            desired.image(),
            desired.replicas(),
            desired.port(),
            desired.stopped(),
            desired.restartedAt(),
            desired.deleted(),
            AppCommand.Release.BEFORE_RELEASES));
  }

  public JsonObject toData() {
    JsonObject desiredJson =
        new JsonObject()
            .put("image", desired.image())
            .put("replicas", desired.replicas())
            .put("port", desired.port())
            .put("stopped", desired.stopped())
            .put("restartedAt", desired.restartedAt())
            .put("deleted", desired.deleted());
    return new JsonObject()
        .put("command", command.value())
        .put("appId", appId)
        .put("userId", userId)
        .put("name", name)
        .put("cluster", cluster)
        .put("namespace", namespace)
        .put("k8sName", k8sName)
        .put("generation", generation)
        .put("desired", desiredJson);
  }

  /** The record value: the CloudEvent as JSON text, subject = app id. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, appId, toData()));
  }

  /** Reads and checks a record value; anything off the contract is an invalid (poison) event. */
  public static AppCommandV1 decode(String value) {
    return of(EventCodec.decode(value, TYPE));
  }

  /** A v1 event already parsed, checked as {@link #decode} checks it. */
  static AppCommandV1 of(CloudEvent event) {
    AppCommandV1 command = fromData(EventCodec.data(event));
    if (!command.appId.equals(event.getSubject())) {
      throw new InvalidEventException("subject " + event.getSubject() + " is not the appId");
    }
    return command;
  }

  public static AppCommandV1 fromData(JsonObject data) {
    JsonObject desired = object(data, "desired");
    return new AppCommandV1(
        AppCommand.Command.of(required(data, "command")),
        matching(data, "appId", EventFields.UUID, 36),
        range(data, "userId", 1, Long.MAX_VALUE),
        matching(data, "name", KubeNames.DNS_LABEL, AppCommand.MAX_NAME),
        required(data, "cluster"),
        matching(data, "namespace", KubeNames.NAMESPACE, KubeNames.MAX_NAME),
        matching(data, "k8sName", KubeNames.DNS_LABEL, KubeNames.MAX_NAME),
        range(data, "generation", 1, Long.MAX_VALUE),
        new Desired(
            required(desired, "image"),
            (int) range(desired, "replicas", 0, AppCommand.MAX_REPLICAS),
            port(optionalRange(desired, "port", 1, 65535)),
            flag(desired, "stopped"),
            string(desired, "restartedAt"),
            flag(desired, "deleted")));
  }

  private static Integer port(Long port) {
    return port == null ? null : port.intValue();
  }
}
