package io.astro.app.apps;

import io.astro.app.quota.AppSizes;
import io.astro.common.crypto.KeyRing;
import io.astro.common.events.app.AppCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a release fixes besides image and port (docs/apps.md): env, secrets (sealed for the app,
 * with their names), command, args, size (as its resources), health check, image pull secret
 * (registry name and its {@code .dockerconfigjson}, sealed for the app). {@code resources} null is
 * the {@code standard} size of an app created before sizes existed.
 */
public record Settings(
    SortedMap<String, String> env,
    List<String> secretNames,
    String sealedSecrets,
    List<String> command,
    List<String> args,
    AppCommand.Resources resources,
    AppCommand.HealthCheck healthCheck,
    AppCommand.PullSecret pullSecret) {

  /** What an app created before releases runs with. */
  public static final Settings NONE =
      new Settings(new TreeMap<>(), List.of(), null, null, null, null, null, null);

  /** What the API shows instead of a secret's value. */
  public static final String MASK = "******";

  public Settings {
    env = new TreeMap<>(env);
    secretNames = secretNames.stream().sorted().toList();
    command = command == null ? null : List.copyOf(command);
    args = args == null ? null : List.copyOf(args);
  }

  /** The size's name: {@code standard} for an app created before sizes existed. */
  public String size() {
    return resources == null ? AppSizes.STANDARD : resources.size();
  }

  /** The registry the image is pulled with, or null. */
  public String registry() {
    return pullSecret == null ? null : pullSecret.registry();
  }

  /** The release part of the command: the same ciphertexts, the release's number. */
  public AppCommand.Release release(long number) {
    return new AppCommand.Release(
        number, env, secretNames, sealedSecrets, command, args, resources, healthCheck, pullSecret);
  }

  /** The fields as the API shows them; secret values masked. */
  public void writeTo(JsonObject json) {
    JsonObject secrets = new JsonObject();
    secretNames.forEach(n -> secrets.put(n, MASK));
    json.put("env", new JsonObject(Map.copyOf(env)))
        .put("secrets", secrets)
        .put("command", command == null ? null : new JsonArray(command))
        .put("args", args == null ? null : new JsonArray(args))
        .put("size", size())
        .put("health_check", healthCheck == null ? null : healthJson(healthCheck))
        .put("image_pull_secret", registry());
  }

  static JsonObject healthJson(AppCommand.HealthCheck h) {
    JsonObject json = new JsonObject().put("type", h.type());
    if (h.path() != null) {
      json.put("path", h.path());
    }
    return json.put("port", h.port())
        .put("initial_delay_seconds", h.initialDelaySeconds())
        .put("period_seconds", h.periodSeconds())
        .put("timeout_seconds", h.timeoutSeconds())
        .put("failure_threshold", h.failureThreshold());
  }

  /** The stored form (the app row, a release row): ciphertexts only. */
  public JsonObject toStored() {
    return storedOf(release(0));
  }

  private static JsonObject storedOf(AppCommand.Release r) {
    JsonObject json =
        new JsonObject()
            .put("env", new JsonObject(Map.copyOf(r.env())))
            .put("secretNames", new JsonArray(r.secretNames()))
            .put("secrets", r.secrets())
            .put("command", r.command() == null ? null : new JsonArray(r.command()))
            .put("args", r.args() == null ? null : new JsonArray(r.args()));
    AppCommand.Resources res = r.resources();
    if (res != null) {
      json.put(
          "resources",
          new JsonObject()
              .put("size", res.size())
              .put("cpuRequest", res.cpuRequest())
              .put("cpuLimit", res.cpuLimit())
              .put("memoryRequest", res.memoryRequest())
              .put("memoryLimit", res.memoryLimit()));
    }
    AppCommand.HealthCheck h = r.healthCheck();
    if (h != null) {
      json.put(
          "healthCheck",
          new JsonObject()
              .put("type", h.type())
              .put("path", h.path())
              .put("port", h.port())
              .put("initialDelaySeconds", h.initialDelaySeconds())
              .put("periodSeconds", h.periodSeconds())
              .put("timeoutSeconds", h.timeoutSeconds())
              .put("failureThreshold", h.failureThreshold()));
    }
    if (r.imagePullSecret() != null) {
      json.put(
          "imagePullSecret",
          new JsonObject()
              .put("registry", r.imagePullSecret().registry())
              .put("dockerConfig", r.imagePullSecret().dockerConfig()));
    }
    return json;
  }

  /** Reads {@link #toStored}; null or {@code {}} is {@link #NONE}. */
  public static Settings fromStored(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return NONE;
    }
    SortedMap<String, String> env = new TreeMap<>();
    JsonObject e = json.getJsonObject("env", new JsonObject());
    e.forEach(entry -> env.put(entry.getKey(), String.valueOf(entry.getValue())));
    JsonObject res = json.getJsonObject("resources");
    JsonObject h = json.getJsonObject("healthCheck");
    JsonObject p = json.getJsonObject("imagePullSecret");
    return new Settings(
        env,
        strings(json.getJsonArray("secretNames", new JsonArray())),
        json.getString("secrets"),
        json.getJsonArray("command") == null ? null : strings(json.getJsonArray("command")),
        json.getJsonArray("args") == null ? null : strings(json.getJsonArray("args")),
        res == null
            ? null
            : new AppCommand.Resources(
                res.getString("size"),
                res.getString("cpuRequest"),
                res.getString("cpuLimit"),
                res.getString("memoryRequest"),
                res.getString("memoryLimit")),
        h == null
            ? null
            : new AppCommand.HealthCheck(
                h.getString("type"),
                h.getString("path"),
                h.getInteger("port"),
                h.getInteger("initialDelaySeconds"),
                h.getInteger("periodSeconds"),
                h.getInteger("timeoutSeconds"),
                h.getInteger("failureThreshold")),
        p == null
            ? null
            : new AppCommand.PullSecret(p.getString("registry"), p.getString("dockerConfig")));
  }

  private static List<String> strings(JsonArray array) {
    List<String> list = new ArrayList<>();
    array.forEach(o -> list.add(String.valueOf(o)));
    return list;
  }

  public Settings withSecrets(List<String> names, String sealed) {
    return new Settings(env, names, sealed, command, args, resources, healthCheck, pullSecret);
  }

  public Settings withPullSecret(AppCommand.PullSecret value) {
    return new Settings(
        env, secretNames, sealedSecrets, command, args, resources, healthCheck, value);
  }

  /**
   * These settings with every ciphertext under an older key sealed again under the active one (for
   * the same app); empty when none is.
   */
  public Optional<Settings> resealed(String appId, KeyRing keys) {
    boolean secrets = keys.needsRotation(sealedSecrets);
    boolean pull = pullSecret != null && keys.needsRotation(pullSecret.dockerConfig());
    if (!secrets && !pull) {
      return Optional.empty();
    }
    return Optional.of(
        new Settings(
            env,
            secretNames,
            secrets ? keys.seal(appId, keys.open(appId, sealedSecrets)) : sealedSecrets,
            command,
            args,
            resources,
            healthCheck,
            pull
                ? new AppCommand.PullSecret(
                    pullSecret.registry(),
                    keys.seal(appId, keys.open(appId, pullSecret.dockerConfig())))
                : pullSecret));
  }

  // never printed: a record's toString would show the ciphertexts, which logs have no use for
  @Override
  public String toString() {
    return "Settings[env " + env.keySet() + ", secrets " + secretNames + ", size " + size() + "]";
  }
}
