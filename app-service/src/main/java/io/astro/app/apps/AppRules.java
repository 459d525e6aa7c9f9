package io.astro.app.apps;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppStatus;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
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

  private final List<String> imageAllowlist;

  public AppRules(List<String> imageAllowlist) {
    this.imageAllowlist = List.copyOf(imageAllowlist);
  }

  /**
   * A create request: {@code name}, {@code image}, {@code replicas} (default 1), {@code port}
   * (optional).
   */
  public AppSpec create(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, "name", "image", "replicas", "port");
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
    Integer port = null;
    Object rawPort = body.getValue("port");
    if (rawPort != null) {
      port = integer(rawPort);
      if (port == null || port < 1 || port > 65535) {
        errors.add("port", "must be an integer from 1 to 65535");
        port = null;
      }
    }
    errors.throwIfAny();
    return new AppSpec((String) name, (String) image, replicas, port);
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
