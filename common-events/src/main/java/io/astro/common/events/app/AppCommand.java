package io.astro.common.events.app;

import static io.astro.common.events.EventFields.flag;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.object;
import static io.astro.common.events.EventFields.optionalFlag;
import static io.astro.common.events.EventFields.optionalObject;
import static io.astro.common.events.EventFields.optionalRange;
import static io.astro.common.events.EventFields.optionalSealed;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.required;
import static io.astro.common.events.EventFields.sealed;
import static io.astro.common.events.EventFields.string;
import static io.astro.common.events.EventFields.stringMap;
import static io.astro.common.events.EventFields.strings;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.EventFields;
import io.astro.common.json.JsonWord;
import io.astro.common.kube.KubeNames;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code io.astro.app.command.v2} (schema: {@code docs/events/io.astro.app.command.v2.json}): a
 * lifecycle command for one app with the whole desired state after it, its generation and its
 * release, so the latest record per app (the topic is compacted by app id) is all the sync-worker
 * needs. Produced by app-service through its outbox on {@code astro.app.commands}, consumed by the
 * sync-worker, which also reads {@link AppCommandV1} records still on the topic ({@link #read}).
 *
 * <p>Secret values travel sealed ({@code v1.<key id>.<base64>}, the app id bound in): only the
 * sync-worker opens them.
 */
public record AppCommand(
    Command command,
    String appId,
    long userId,
    String name,
    String cluster,
    String namespace,
    String k8sName,
    long generation,
    Desired desired) {

  public static final String TYPE = "io.astro.app.command.v2";
  public static final String SOURCE = "/astro/app-service";

  /** The longest app name: with {@code -u} and a user id it stays a valid object name. */
  public static final int MAX_NAME = 40;

  public static final int MAX_REPLICAS = 10;

  /** What the user asked for. */
  public enum Command implements JsonWord {
    CREATE,
    START,
    STOP,
    RESTART,
    SCALE,
    /**
     * A new release (a change of image, settings or port, or a rollback), or a change of {@code
     * public} in the same release.
     */
    UPDATE,
    DELETE;

    public static Command of(String value) {
      return JsonWord.parse(Command.class, value)
          .orElseThrow(() -> new InvalidEventException("command " + value + " is unknown"));
    }
  }

  /**
   * The desired state. {@code restartedAt} (ISO-8601) is the rolling-restart stamp of the pod
   * template; {@code port} null means no Service; {@code release} is what the app runs; {@code
   * isPublic} (field {@code public}, absent in commands from before public URLs: true) asks for a
   * public URL for an app with a port, where the operator has an apps domain; {@code domains}
   * (absent in commands from before custom domains: none) are the app's verified custom domains,
   * which its public URL's Ingress answers for too.
   */
  public record Desired(
      String image,
      int replicas,
      Integer port,
      boolean stopped,
      String restartedAt,
      boolean deleted,
      Release release,
      boolean isPublic,
      List<String> domains) {

    public Desired {
      domains = List.copyOf(domains);
    }

    /** An app with no custom domain. */
    public Desired(
        String image,
        int replicas,
        Integer port,
        boolean stopped,
        String restartedAt,
        boolean deleted,
        Release release,
        boolean isPublic) {
      this(image, replicas, port, stopped, restartedAt, deleted, release, isPublic, List.of());
    }

    /** An app with the default exposure: public when it has a port. */
    public Desired(
        String image,
        int replicas,
        Integer port,
        boolean stopped,
        String restartedAt,
        boolean deleted,
        Release release) {
      this(image, replicas, port, stopped, restartedAt, deleted, release, true);
    }

    /** Whether the app should answer on a public URL: it asked to and has a port to reach. */
    public boolean exposed() {
      return isPublic && port != null && !deleted;
    }
  }

  /**
   * What release {@code number} fixes besides image and port. {@code secrets} is the sealed JSON
   * object of the secret variables (null when there are none) and {@code secretNames} their names;
   * {@code command}/{@code args} null keep the image's; {@code resources} null (a v1 command) means
   * the operator's default container resources; {@code healthCheck} null means no probes.
   */
  public record Release(
      long number,
      SortedMap<String, String> env,
      List<String> secretNames,
      String secrets,
      List<String> command,
      List<String> args,
      Resources resources,
      HealthCheck healthCheck,
      PullSecret imagePullSecret) {

    /** The settings of an app created before releases existed. */
    public static final Release BEFORE_RELEASES =
        new Release(0, new TreeMap<>(), List.of(), null, null, null, null, null, null);

    public Release {
      env = new TreeMap<>(env);
      secretNames = List.copyOf(secretNames);
      command = command == null ? null : List.copyOf(command);
      args = args == null ? null : List.copyOf(args);
    }
  }

  /** A size's container resources, as Kubernetes quantities. */
  public record Resources(
      String size, String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {}

  /**
   * How to tell the app is healthy: {@code type} {@code http} (GET {@code path} on {@code port}) or
   * {@code tcp} (a connection to {@code port}); the rest are the probes' timings.
   */
  public record HealthCheck(
      String type,
      String path,
      int port,
      int initialDelaySeconds,
      int periodSeconds,
      int timeoutSeconds,
      int failureThreshold) {

    public static final String HTTP = "http";
    public static final String TCP = "tcp";
  }

  /**
   * A registry credential the image is pulled with: its name among the user's credentials and its
   * {@code .dockerconfigjson}, sealed.
   */
  public record PullSecret(String registry, String dockerConfig) {}

  /** The replica count the Deployment should have now: none while stopped. */
  public int runningReplicas() {
    return desired.stopped() ? 0 : desired.replicas();
  }

  public JsonObject toData() {
    Release r = desired.release();
    JsonObject release =
        new JsonObject()
            .put("number", r.number())
            .put("env", new JsonObject(Map.copyOf(r.env())))
            .put("secretNames", new JsonArray(r.secretNames()))
            .put("secrets", r.secrets())
            .put("command", r.command() == null ? null : new JsonArray(r.command()))
            .put("args", r.args() == null ? null : new JsonArray(r.args()))
            .put("resources", r.resources() == null ? null : resources(r.resources()))
            .put("healthCheck", r.healthCheck() == null ? null : healthCheck(r.healthCheck()))
            .put(
                "imagePullSecret",
                r.imagePullSecret() == null
                    ? null
                    : new JsonObject()
                        .put("registry", r.imagePullSecret().registry())
                        .put("dockerConfig", r.imagePullSecret().dockerConfig()));
    JsonObject desiredJson =
        new JsonObject()
            .put("image", desired.image())
            .put("replicas", desired.replicas())
            .put("port", desired.port())
            .put("stopped", desired.stopped())
            .put("restartedAt", desired.restartedAt())
            .put("deleted", desired.deleted())
            .put("release", release)
            .put("public", desired.isPublic())
            .put("domains", new JsonArray(desired.domains()));
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

  /** Reads and checks a v2 record value; anything off the contract is an invalid (poison) event. */
  public static AppCommand decode(String value) {
    return checked(EventCodec.decode(value, TYPE));
  }

  /** Reads a record of either version: a v1 command is the current one it means. */
  public static AppCommand read(String value) {
    return read(EventCodec.decode(value));
  }

  /** {@link #read(String)} of a record value already parsed. */
  public static AppCommand read(CloudEvent event) {
    if (AppCommandV1.TYPE.equals(event.getType())) {
      return AppCommandV1.of(event).toCurrent();
    }
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    return checked(event);
  }

  private static AppCommand checked(CloudEvent event) {
    AppCommand command = fromData(EventCodec.data(event));
    if (!command.appId.equals(event.getSubject())) {
      throw new InvalidEventException("subject " + event.getSubject() + " is not the appId");
    }
    return command;
  }

  public static AppCommand fromData(JsonObject data) {
    JsonObject desired = object(data, "desired");
    return new AppCommand(
        Command.of(required(data, "command")),
        matching(data, "appId", EventFields.UUID, 36),
        range(data, "userId", 1, Long.MAX_VALUE),
        matching(data, "name", KubeNames.DNS_LABEL, MAX_NAME),
        required(data, "cluster"),
        matching(data, "namespace", KubeNames.NAMESPACE, KubeNames.MAX_NAME),
        matching(data, "k8sName", KubeNames.DNS_LABEL, KubeNames.MAX_NAME),
        range(data, "generation", 1, Long.MAX_VALUE),
        new Desired(
            required(desired, "image"),
            (int) range(desired, "replicas", 0, MAX_REPLICAS),
            port(optionalRange(desired, "port", 1, 65535)),
            flag(desired, "stopped"),
            string(desired, "restartedAt"),
            flag(desired, "deleted"),
            release(object(desired, "release")),
            // absent: a command from before public URLs, when an app with a port was public
            optionalFlag(desired, "public", true),
            domains(strings(desired, "domains"))));
  }

  // absent: a command from before custom domains, when an app had none
  private static List<String> domains(List<String> names) {
    if (names == null) {
      return List.of();
    }
    for (String name : names) {
      if (name.length() > KubeNames.MAX_HOST || !KubeNames.HOST.matcher(name).matches()) {
        throw new InvalidEventException("desired.domains holds " + name + ", not a host name");
      }
    }
    return names;
  }

  private static Release release(JsonObject r) {
    JsonObject resources = optionalObject(r, "resources");
    JsonObject health = optionalObject(r, "healthCheck");
    JsonObject pull = optionalObject(r, "imagePullSecret");
    List<String> secretNames = strings(r, "secretNames");
    String secrets = optionalSealed(r, "secrets");
    if (secretNames == null || (secrets == null) != secretNames.isEmpty()) {
      throw new InvalidEventException("secretNames must name exactly the sealed secrets");
    }
    return new Release(
        range(r, "number", 0, Long.MAX_VALUE),
        stringMap(r, "env"),
        secretNames,
        secrets,
        strings(r, "command"),
        strings(r, "args"),
        resources == null
            ? null
            : new Resources(
                required(resources, "size"),
                required(resources, "cpuRequest"),
                required(resources, "cpuLimit"),
                required(resources, "memoryRequest"),
                required(resources, "memoryLimit")),
        health == null
            ? null
            : new HealthCheck(
                healthType(required(health, "type")),
                string(health, "path"),
                (int) range(health, "port", 1, 65535),
                (int) range(health, "initialDelaySeconds", 0, 3600),
                (int) range(health, "periodSeconds", 1, 3600),
                (int) range(health, "timeoutSeconds", 1, 3600),
                (int) range(health, "failureThreshold", 1, 100)),
        pull == null
            ? null
            : new PullSecret(required(pull, "registry"), sealed(pull, "dockerConfig")));
  }

  private static String healthType(String type) {
    if (!HealthCheck.HTTP.equals(type) && !HealthCheck.TCP.equals(type)) {
      throw new InvalidEventException("healthCheck.type " + type + " is unknown");
    }
    return type;
  }

  private static JsonObject resources(Resources r) {
    return new JsonObject()
        .put("size", r.size())
        .put("cpuRequest", r.cpuRequest())
        .put("cpuLimit", r.cpuLimit())
        .put("memoryRequest", r.memoryRequest())
        .put("memoryLimit", r.memoryLimit());
  }

  private static JsonObject healthCheck(HealthCheck h) {
    return new JsonObject()
        .put("type", h.type())
        .put("path", h.path())
        .put("port", h.port())
        .put("initialDelaySeconds", h.initialDelaySeconds())
        .put("periodSeconds", h.periodSeconds())
        .put("timeoutSeconds", h.timeoutSeconds())
        .put("failureThreshold", h.failureThreshold());
  }

  private static Integer port(Long port) {
    return port == null ? null : port.intValue();
  }
}
