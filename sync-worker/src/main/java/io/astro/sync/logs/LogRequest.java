package io.astro.sync.logs;

import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * One validated logs request: which Deployment of which cluster, how many lines, which container,
 * and how to answer (a tail, or a live stream as chunked text or server-sent events).
 */
record LogRequest(
    String cluster,
    String namespace,
    String deployment,
    int lines,
    String container,
    boolean previous,
    boolean follow,
    boolean sse) {

  static final int DEFAULT_LINES = 100;
  static final int MAX_LINES = 5000;

  private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** Reads the path and query of {@code ctx}; a 400 naming every bad field otherwise. */
  static LogRequest from(RoutingContext ctx) {
    FieldErrors errors = new FieldErrors();
    String cluster = ctx.pathParam("cluster");
    if (cluster == null || !CLUSTER.matcher(cluster).matches()) {
      errors.add(
          "cluster",
          "must be 1 to 253 characters of A-Z a-z 0-9 . _ - starting with a letter or digit");
    }
    String namespace = ctx.pathParam("ns");
    if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
      errors.add("namespace", "must be a DNS-1123 label (at most 63 of a-z 0-9 -)");
    } else if (!KubeNames.isUserNamespace(namespace)) {
      // only Astro's users' namespaces: the cluster credentials reach kube-system and the rest too
      errors.add("namespace", "must be a user namespace (astro-user-{id})");
    }
    String name = ctx.pathParam("name");
    if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      errors.add("name", "must be a DNS-1123 subdomain (at most 253 of a-z 0-9 - .)");
    }
    int lines = lines(ctx.request().getParam("lines"), errors);
    String container = ctx.request().getParam("container");
    if (container != null && container.isEmpty()) {
      container = null;
    }
    if (container != null && !DNS_LABEL.matcher(container).matches()) {
      errors.add("container", "must be a DNS-1123 label (at most 63 of a-z 0-9 -)");
    }
    boolean previous = flag(ctx, "previous", errors);
    boolean follow = flag(ctx, "follow", errors);
    if (previous && follow) {
      errors.add("follow", "cannot follow a previous (terminated) container");
    }
    errors.throwIfAny();
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    boolean sse = follow && accept != null && accept.contains("text/event-stream");
    return new LogRequest(cluster, namespace, name, lines, container, previous, follow, sse);
  }

  private static int lines(String raw, FieldErrors errors) {
    if (raw == null || raw.isEmpty()) {
      return DEFAULT_LINES;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= 1 && value <= MAX_LINES) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below like an out-of-range value
    }
    errors.add("lines", "must be an integer from 1 to " + MAX_LINES);
    return DEFAULT_LINES;
  }

  private static boolean flag(RoutingContext ctx, String name, FieldErrors errors) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty() || "false".equals(raw)) {
      return false;
    }
    if ("true".equals(raw)) {
      return true;
    }
    errors.add(name, "must be true or false");
    return false;
  }
}
