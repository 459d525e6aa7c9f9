package io.astro.sync.logs;

import io.astro.common.http.FieldErrors;
import io.astro.common.http.QueryParams;
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
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String LABEL_RULE = "a DNS-1123 label (at most 63 of a-z 0-9 -)";

  /** Reads the path and query of {@code ctx}; a 400 naming every bad field otherwise. */
  static LogRequest from(RoutingContext ctx) {
    QueryParams params = QueryParams.of(ctx);
    FieldErrors errors = params.errors();
    String cluster = ctx.pathParam("cluster");
    if (cluster == null || !CLUSTER.matcher(cluster).matches()) {
      errors.add(
          "cluster",
          "must be 1 to 253 characters of A-Z a-z 0-9 . _ - starting with a letter or digit");
    }
    String namespace = ctx.pathParam("ns");
    if (namespace == null
        || namespace.length() > KubeNames.MAX_NAME
        || !KubeNames.DNS_LABEL.matcher(namespace).matches()) {
      errors.add("namespace", "must be " + LABEL_RULE);
    } else if (!KubeNames.isUserNamespace(namespace)) {
      // only Astro's users' namespaces: the cluster credentials reach kube-system and the rest too
      errors.add("namespace", "must be a user namespace (" + KubeNames.NAMESPACE_FORM + ")");
    }
    String name = ctx.pathParam("name");
    if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      errors.add("name", "must be a DNS-1123 subdomain (at most 253 of a-z 0-9 - .)");
    }
    int lines = params.integer("lines", DEFAULT_LINES, 1, MAX_LINES);
    String container =
        params.name("container", KubeNames.DNS_LABEL, KubeNames.MAX_NAME, LABEL_RULE);
    boolean previous = params.flag("previous");
    boolean follow = params.flag("follow");
    if (previous && follow) {
      errors.add("follow", "cannot follow a previous (terminated) container");
    }
    params.throwIfAny();
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    boolean sse = follow && accept != null && accept.contains("text/event-stream");
    return new LogRequest(cluster, namespace, name, lines, container, previous, follow, sse);
  }
}
