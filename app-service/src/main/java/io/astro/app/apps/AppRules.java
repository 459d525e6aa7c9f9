package io.astro.app.apps;

import io.astro.app.quota.AppSizes;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppStatus;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a request about apps must look like (the README's API reference, Apps), with every broken
 * field named at once.
 */
public final class AppRules {

  public static final int MAX_NAME = AppCommand.MAX_NAME;
  public static final int MAX_REPLICAS = AppCommand.MAX_REPLICAS;

  /** The statuses an app can show; {@code status=} filters accept these. */
  public static final Set<String> STATUSES = AppStatus.words(AppStatus.shown());

  /**
   * An app's name starts its Kubernetes object names ({@code {name}-u{userId}}, {@link
   * KubeNames#objectName}), and its Service's name must be a DNS-1035 label: so the name must start
   * with a letter. Refused here rather than prefixed, so the name a user picks is the name they see
   * in the cluster.
   */
  private static final Pattern NAME = KubeNames.DNS_1035_LABEL;

  /** Env and secret variable names, as a container's environment takes them. */
  public static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * A secret variable is a key of the app's Secret and of its {@code secretKeyRef}: Kubernetes caps
   * those at 253 characters ({@code IsConfigMapKey}); env names share the bound.
   */
  public static final int MAX_VARIABLE_NAME = 253;

  public static final int MAX_VARIABLES = 100;
  public static final int MAX_VALUE_BYTES = 32 * 1024;
  public static final int MAX_TOTAL_BYTES = 256 * 1024;
  public static final int MAX_ARGUMENTS = 64;
  public static final int MAX_ARGUMENT = 4096;

  /** The fields of a create request. */
  public static final List<String> CREATE_FIELDS =
      List.of(
          "name",
          "image",
          "replicas",
          "port",
          "env",
          "secrets",
          "command",
          "args",
          "size",
          "health_check",
          "image_pull_secret",
          "public");

  /** The fields a patch may change: every create field but the name. */
  public static final List<String> PATCH_FIELDS = CREATE_FIELDS.subList(1, CREATE_FIELDS.size());

  /** The patch fields that always have a value: a null (remove) is refused. */
  public static final List<String> UNREMOVABLE = List.of("image", "replicas", "size", "public");

  private static final List<String> HEALTH_FIELDS =
      List.of(
          "type",
          "path",
          "port",
          "initial_delay_seconds",
          "period_seconds",
          "timeout_seconds",
          "failure_threshold");

  private final List<String> imageAllowlist;
  private final List<String> sizes;

  public AppRules(List<String> imageAllowlist, List<String> sizes) {
    this.imageAllowlist = List.copyOf(imageAllowlist);
    this.sizes = List.copyOf(sizes);
  }

  /**
   * A create request: {@code name}, {@code image}, {@code replicas} (default 1), {@code port},
   * {@code env}, {@code secrets}, {@code command}, {@code args}, {@code size} (default {@code
   * standard}), {@code health_check}, {@code image_pull_secret}, {@code public} (default true: an
   * app with a port answers on a public URL) (all optional).
   */
  public AppSpec create(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, CREATE_FIELDS.toArray(String[]::new));
    Object name = body.getValue("name");
    if (!(name instanceof String n) || n.isEmpty()) {
      errors.add("name", "is required");
    } else if (n.length() > MAX_NAME) {
      errors.add("name", "must be at most " + MAX_NAME + " characters");
    } else if (!NAME.matcher(n).matches()) {
      errors.add(
          "name",
          "must be a DNS-1035 label (it names the app's Service): lowercase letters, digits and"
              + " '-', starting with a letter and ending with a letter or digit");
    }
    AppSpec spec = spec(body, name instanceof String n ? n : null, errors);
    errors.throwIfAny();
    return spec;
  }

  /**
   * What is wrong with a patch body before it is merged: fields other than {@link #PATCH_FIELDS}, a
   * null for a field that cannot be removed, {@code secrets} that is not an object. The caller
   * leaves those fields out of the merge, so each is named once.
   */
  public FieldErrors patchShape(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, PATCH_FIELDS.toArray(String[]::new));
    for (String field : UNREMOVABLE) {
      if (body.containsKey(field) && body.getValue(field) == null) {
        errors.add(field, "cannot be removed (null); give a value");
      }
    }
    Object secrets = body.getValue("secrets");
    if (secrets != null && !(secrets instanceof JsonObject)) {
      errors.add("secrets", "must be an object of NAME: value (null removes NAME)");
    }
    return errors;
  }

  /**
   * Checks a whole spec (a create request's fields, or an app with a patch merged in), adding what
   * is wrong to {@code errors}; the spec returned is meaningful only when none was added.
   */
  public AppSpec spec(JsonObject body, String name, FieldErrors errors) {
    Object image = body.getValue("image");
    if (!(image instanceof String i) || i.isEmpty()) {
      errors.add("image", "is required");
    } else {
      ImageReference ref = ImageReference.parse(i);
      if (ref == null) {
        errors.add(
            "image",
            "is not a valid image reference such as registry.example.com/team/app:1.2 or nginx@sha256:<digest>");
      } else if (!imageAllowlist.isEmpty() && imageAllowlist.stream().noneMatch(ref::allowedBy)) {
        errors.add(
            "image",
            "registry "
                + ref.registry()
                + " is not allowed; allowed: "
                + String.join(", ", imageAllowlist));
      }
    }
    Integer replicas =
        body.containsKey("replicas")
            ? replicas(body.getValue("replicas"), errors)
            : Integer.valueOf(1);
    Integer port = port(body.getValue("port"), "port", errors);
    Map<String, String> env = variables(body.getValue("env"), "env", errors);
    Map<String, String> secrets = variables(body.getValue("secrets"), "secrets", errors);
    List<String> both = env.keySet().stream().filter(secrets::containsKey).toList();
    if (!both.isEmpty()) {
      errors.add("env", "names " + both + " are secrets too; a variable is one or the other");
    }
    if (env.size() + secrets.size() > MAX_VARIABLES) {
      errors.add(
          env.size() > secrets.size() ? "env" : "secrets",
          "env and secrets hold at most " + MAX_VARIABLES + " variables together");
    }
    long total = bytes(env) + bytes(secrets);
    if (total > MAX_TOTAL_BYTES) {
      errors.add(
          bytes(env) >= bytes(secrets) ? "env" : "secrets",
          "env and secrets hold at most " + MAX_TOTAL_BYTES / 1024 + " KiB together");
    }
    List<String> command = arguments(body.getValue("command"), "command", errors);
    List<String> args = arguments(body.getValue("args"), "args", errors);
    Object size = body.getValue("size");
    if (size != null && !(size instanceof String s && sizes.contains(s))) {
      errors.add("size", "must be one of " + sizes);
    }
    AppCommand.HealthCheck health = healthCheck(body.getValue("health_check"), errors);
    Object pull = body.getValue("image_pull_secret");
    if (pull != null
        && !(pull instanceof String p
            && p.length() <= KubeNames.MAX_NAME
            && KubeNames.DNS_LABEL.matcher(p).matches())) {
      errors.add("image_pull_secret", "must be the name of one of your registry credentials");
    }
    Object isPublic = body.getValue("public");
    if (isPublic != null && !(isPublic instanceof Boolean)) {
      errors.add("public", "must be true (a public URL for an app with a port) or false");
    }
    return new AppSpec(
        name,
        image instanceof String i ? i : null,
        replicas == null ? 0 : replicas,
        port,
        new TreeMap<>(env),
        new TreeMap<>(secrets),
        command,
        args,
        size == null ? AppSizes.STANDARD : size.toString(),
        health,
        pull instanceof String p ? p : null,
        !Boolean.FALSE.equals(isPublic));
  }

  private static Integer port(Object raw, String field, FieldErrors errors) {
    if (raw == null) {
      return null;
    }
    Integer port = integer(raw);
    if (port == null || port < 1 || port > 65535) {
      errors.add(field, "must be an integer from 1 to 65535");
      return null;
    }
    return port;
  }

  // values are never quoted back: a secret's value must not reach an answer or a log line
  private static Map<String, String> variables(Object raw, String field, FieldErrors errors) {
    Map<String, String> variables = new TreeMap<>();
    if (raw == null) {
      return variables;
    }
    if (!(raw instanceof JsonObject object)) {
      errors.add(field, "must be an object of NAME: \"value\"");
      return variables;
    }
    for (Map.Entry<String, Object> entry : object) {
      String key = entry.getKey();
      if (key.length() > MAX_VARIABLE_NAME || !VARIABLE.matcher(key).matches()) {
        errors.add(
            field,
            "name '"
                + (key.length() > 64 ? key.substring(0, 64) + "…" : key)
                + "' must match [A-Za-z_][A-Za-z0-9_]* and be at most "
                + MAX_VARIABLE_NAME
                + " characters");
      } else if (!(entry.getValue() instanceof String value)) {
        errors.add(field, key + " must be a string");
      } else if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
        errors.add(field, key + " is longer than " + MAX_VALUE_BYTES / 1024 + " KiB");
      } else {
        variables.put(key, value);
      }
    }
    return variables;
  }

  private static long bytes(Map<String, String> variables) {
    long total = 0;
    for (Map.Entry<String, String> e : variables.entrySet()) {
      total += e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return total;
  }

  private static List<String> arguments(Object raw, String field, FieldErrors errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray array)
        || array.isEmpty()
        || array.size() > MAX_ARGUMENTS
        || array.stream().anyMatch(a -> !(a instanceof String s) || s.length() > MAX_ARGUMENT)) {
      errors.add(
          field,
          "must be an array of 1 to "
              + MAX_ARGUMENTS
              + " strings of at most "
              + MAX_ARGUMENT
              + " characters (null: the image's own)");
      return null;
    }
    List<String> list = new ArrayList<>();
    array.forEach(a -> list.add((String) a));
    return list;
  }

  private static AppCommand.HealthCheck healthCheck(Object raw, FieldErrors errors) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject h)) {
      errors.add(
          "health_check",
          "must be {\"type\":\"http\",\"path\":\"/healthz\",\"port\":8080} or {\"type\":\"tcp\",\"port\":5432}");
      return null;
    }
    int before = errorCount(errors);
    List<String> unknown = h.fieldNames().stream().filter(f -> !HEALTH_FIELDS.contains(f)).toList();
    if (!unknown.isEmpty()) {
      errors.add(
          "health_check", "has unknown fields " + unknown + " (accepted: " + HEALTH_FIELDS + ")");
    }
    Object type = h.getValue("type");
    Object path = h.getValue("path");
    if (!AppCommand.HealthCheck.HTTP.equals(type) && !AppCommand.HealthCheck.TCP.equals(type)) {
      errors.add("health_check", "type must be http or tcp");
    } else if (AppCommand.HealthCheck.HTTP.equals(type)) {
      if (!(path instanceof String p)
          || !p.startsWith("/")
          || p.length() > 1024
          || p.chars().anyMatch(c -> c <= ' ' || c == 127)) {
        errors.add(
            "health_check",
            "path must be an absolute path such as /healthz (no spaces, at most 1024 characters)");
      }
    } else if (path != null) {
      errors.add("health_check", "path is for type http only");
    }
    if (h.getValue("port") == null) {
      errors.add("health_check", "port is required (1 to 65535)");
    }
    Integer port = port(h.getValue("port"), "health_check", errors);
    int initial = bounded(h, "initial_delay_seconds", 0, 0, 3600, errors);
    int period = bounded(h, "period_seconds", 10, 1, 3600, errors);
    int timeout = bounded(h, "timeout_seconds", 1, 1, 3600, errors);
    int threshold = bounded(h, "failure_threshold", 3, 1, 100, errors);
    if (timeout > period) {
      errors.add("health_check", "timeout_seconds must not exceed period_seconds");
    }
    if (errorCount(errors) > before || port == null) {
      return null;
    }
    return new AppCommand.HealthCheck(
        (String) type, (String) path, port, initial, period, timeout, threshold);
  }

  private static int bounded(
      JsonObject h, String field, int fallback, int min, int max, FieldErrors errors) {
    Object raw = h.getValue(field);
    if (raw == null) {
      return fallback;
    }
    Integer value = integer(raw);
    if (value == null || value < min || value > max) {
      errors.add("health_check", field + " must be an integer from " + min + " to " + max);
      return fallback;
    }
    return value;
  }

  private static int errorCount(FieldErrors errors) {
    return errors.size();
  }

  /** A scale request: {@code {"replicas": n}}. */
  public int scale(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, "replicas");
    Integer replicas =
        body.containsKey("replicas") ? replicas(body.getValue("replicas"), errors) : null;
    if (!body.containsKey("replicas")) {
      errors.add("replicas", "is required");
    }
    errors.throwIfAny();
    return replicas;
  }

  private static Integer replicas(Object raw, FieldErrors errors) {
    Integer replicas = integer(raw);
    if (replicas == null || replicas < 0 || replicas > MAX_REPLICAS) {
      errors.add("replicas", "must be an integer from 0 to " + MAX_REPLICAS);
      return null;
    }
    return replicas;
  }

  // JSON numbers only, and only whole ones: "3" and 2.5 are refused rather than coerced
  private static Integer integer(Object raw) {
    if (raw instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    return null;
  }
}
