package io.astro.app.clusters;

import io.astro.common.kube.ClusterRights;
import io.astro.common.net.ClusterAddressGuard;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.StringReader;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks a kubeconfig before it is stored: one current context naming a cluster with a server URL,
 * credentials that need nothing interactive or local (no {@code exec}, no {@code auth-provider}, no
 * file paths in the cluster or user, which would be read from this server's disk), an API server
 * that answers {@code /version} in time, and credentials holding every required right of
 * docs/rbac.md ({@link ClusterRights}), checked by SelfSubjectAccessReview; a refusal names the
 * rights missing. A refusal says why; the kubeconfig itself never appears in it.
 */
public final class KubeconfigCheck {

  /** What the check found. */
  public sealed interface Verdict {}

  /** What the API server said about itself. */
  public record Verified(String apiServer, String version) implements Verdict {}

  /**
   * The kubeconfig cannot work unattended, or its API server refused it; {@code reason} says why.
   */
  public record Rejected(String reason) implements Verdict {}

  /**
   * Fields naming a file on the disk of whoever reads the kubeconfig, each with the field that
   * carries the same thing inline: a file would be read from Astro's own servers.
   */
  private static final List<FileField> CLUSTER_FILE_FIELDS =
      List.of(new FileField("certificate-authority", "certificate-authority-data"));

  private static final List<FileField> USER_FILE_FIELDS =
      List.of(
          new FileField("client-certificate", "client-certificate-data"),
          new FileField("client-key", "client-key-data"),
          new FileField("tokenFile", "token"));

  private record FileField(String name, String inline) {}

  /**
   * What callers are told when the API server gave no usable answer — refused, timed out, TLS
   * failure, not Kubernetes — one text for all, so an import tells nothing of what listens where;
   * the detail goes to the log.
   */
  static final String NO_VALID_ANSWER =
      "unreachable: the API server did not answer as a Kubernetes API server (details in the"
          + " app-service log)";

  private static final Logger LOG = LoggerFactory.getLogger(KubeconfigCheck.class);

  private final Vertx vertx;
  private final Duration timeout;
  private final ClusterAddressGuard guard;

  public KubeconfigCheck(Vertx vertx, Duration timeout, ClusterAddressGuard guard) {
    this.vertx = vertx;
    this.timeout = timeout;
    this.guard = guard;
  }

  /**
   * Parses, checks the server's address (resolved once, every address checked) and calls the API
   * server (off the event loop) through sockets that check the address again as they connect.
   */
  public Future<Verdict> verify(String kubeconfig) {
    Shape shape;
    try {
      shape = checkShape(kubeconfig);
    } catch (Refusal e) {
      return Future.succeededFuture(new Rejected(e.getMessage()));
    }
    return vertx
        .<Verdict>executeBlocking(
            () -> {
              checkAddress(shape);
              return call(kubeconfig, shape.server());
            },
            false)
        .recover(
            failure ->
                failure instanceof Refusal refusal
                    ? Future.succeededFuture(new Rejected(refusal.getMessage()))
                    : Future.failedFuture(failure));
  }

  /** The server URL of the current context's cluster and the field that holds it. */
  record Shape(String server, String serverField) {}

  @SuppressWarnings("unchecked")
  static Shape checkShape(String kubeconfig) {
    Object parsed;
    try {
      parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(kubeconfig);
    } catch (RuntimeException e) {
      throw rejected("kubeconfig is not valid YAML");
    }
    if (!(parsed instanceof Map<?, ?> root)) {
      throw rejected("kubeconfig is not a YAML mapping");
    }
    Object current = root.get("current-context");
    if (!(current instanceof String name) || name.isBlank()) {
      throw rejected("kubeconfig has no current-context");
    }
    Entry context = named((Map<String, Object>) root, "contexts", name, "context");
    if (context == null) {
      throw rejected("current-context " + name + " is not among the contexts");
    }
    Entry cluster =
        named(
            (Map<String, Object>) root,
            "clusters",
            String.valueOf(context.body().get("cluster")),
            "cluster");
    Object server = cluster == null ? null : cluster.body().get("server");
    if (!(server instanceof String url)
        || !(url.startsWith("https://") || url.startsWith("http://"))) {
      throw rejected("the current context's cluster has no server URL");
    }
    refuseFiles(cluster, CLUSTER_FILE_FIELDS);
    Entry user =
        named(
            (Map<String, Object>) root,
            "users",
            String.valueOf(context.body().get("user")),
            "user");
    if (user == null) {
      throw rejected("the current context's user is not among the users");
    }
    if (user.body().containsKey("exec") || user.body().containsKey("auth-provider")) {
      throw rejected(
          "the user authenticates through an exec plugin or auth provider; Astro needs credentials that "
              + "work unattended (a token or a client certificate)");
    }
    refuseFiles(user, USER_FILE_FIELDS);
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        throw rejected("the current context's cluster server URL has no host");
      }
      return new Shape(uri.toString(), cluster.path() + ".server");
    } catch (URISyntaxException e) {
      throw rejected("the current context's cluster server URL is malformed");
    }
  }

  /**
   * Refuses a server whose scheme or address {@link ClusterAddressGuard} bars, before any
   * connection; the caller learns which field, the log what the host resolved to.
   */
  private void checkAddress(Shape shape) {
    try {
      guard.check(URI.create(shape.server()));
    } catch (ClusterAddressGuard.Refused refused) {
      LOG.warn("cluster server {} refused: {}", shape.server(), refused.getMessage());
      throw rejected(
          shape.serverField()
              + (refused.code().equals("scheme")
                  ? ": only https API servers are accepted"
                  : ": the server's address is not allowed for clusters"));
    }
  }

  /** One named entry of a kubeconfig list, with where it sits for refusals to point at. */
  private record Entry(String path, Map<String, Object> body) {}

  @SuppressWarnings("unchecked")
  private static Entry named(Map<String, Object> root, String list, String name, String field) {
    if (!(root.get(list) instanceof List<?> entries)) {
      return null;
    }
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) instanceof Map<?, ?> map
          && name.equals(map.get("name"))
          && map.get(field) instanceof Map<?, ?> body) {
        return new Entry("kubeconfig." + list + "[" + i + "]." + field, (Map<String, Object>) body);
      }
    }
    return null;
  }

  /**
   * Refuses an entry naming a file: client-java would read it from this server's disk (and the
   * sync-worker's), never from the importer's machine.
   */
  private static void refuseFiles(Entry entry, List<FileField> fileFields) {
    for (FileField field : fileFields) {
      if (entry.body().containsKey(field.name())) {
        throw rejected(
            entry.path()
                + "."
                + field.name()
                + ": file paths are not accepted; embed "
                + field.inline());
      }
    }
  }

  private Verified call(String kubeconfig, String server) {
    ApiClient client;
    try {
      client =
          ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(kubeconfig))).build();
    } catch (Exception e) {
      throw rejected("kubeconfig credentials cannot be used: " + e.getClass().getSimpleName());
    }
    // every socket checks the address it connects to (a name may resolve elsewhere by now), and
    // goes there directly: through a proxy, the address checked would be the proxy's
    client.setHttpClient(
        client
            .getHttpClient()
            .newBuilder()
            .socketFactory(guard.socketFactory())
            .proxy(Proxy.NO_PROXY)
            .build());
    int millis = (int) timeout.toMillis();
    client.setConnectTimeout(millis);
    client.setReadTimeout(millis);
    try {
      String version = new VersionApi(client).getCode().execute().getGitVersion();
      List<String> missing;
      try {
        missing = missingRights(client);
      } catch (io.kubernetes.client.openapi.ApiException e) {
        LOG.warn("cluster server {}: SelfSubjectAccessReview failed: {}", server, detail(e));
        throw rejected(NO_VALID_ANSWER);
      }
      if (!missing.isEmpty()) {
        throw rejected("missing rights: " + String.join(", ", missing));
      }
      return new Verified(server, version);
    } catch (io.kubernetes.client.openapi.ApiException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw rejected(
            "unauthorized: the API server refused the credentials (HTTP " + e.getCode() + ")");
      }
      LOG.warn("cluster server {}: /version failed: {}", server, detail(e));
      throw rejected(NO_VALID_ANSWER);
    } finally {
      client.getHttpClient().dispatcher().executorService().shutdown();
      client.getHttpClient().connectionPool().evictAll();
    }
  }

  /**
   * The required rows of {@link ClusterRights#MATRIX} the credentials lack, one
   * SelfSubjectAccessReview each (the API server answers them from its authorizers, whatever grants
   * the rights).
   */
  private static List<String> missingRights(ApiClient client)
      throws io.kubernetes.client.openapi.ApiException {
    AuthorizationV1Api authorization = new AuthorizationV1Api(client);
    List<String> missing = new ArrayList<>();
    for (ClusterRights.Right right : ClusterRights.required()) {
      V1SelfSubjectAccessReview review =
          authorization
              .createSelfSubjectAccessReview(
                  new V1SelfSubjectAccessReview()
                      .spec(
                          new V1SelfSubjectAccessReviewSpec()
                              .resourceAttributes(
                                  new V1ResourceAttributes()
                                      .verb(right.verb())
                                      .group(right.group())
                                      .resource(right.resource())
                                      .namespace(right.reviewNamespace()))))
              .execute();
      if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAllowed())) {
        missing.add(right.describe());
      }
    }
    return missing;
  }

  // for the log only: what failed, as the client saw it (never the request or a body)
  private static String detail(io.kubernetes.client.openapi.ApiException e) {
    if (e.getCode() > 0) {
      return "HTTP " + e.getCode();
    }
    StringBuilder causes = new StringBuilder();
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      causes.append(causes.length() == 0 ? "" : " <- ").append(cause);
    }
    return causes.length() == 0 ? e.getClass().getSimpleName() : causes.toString();
  }

  private static Refusal rejected(String reason) {
    return new Refusal(reason);
  }

  /**
   * Ends the check at the first reason to refuse; {@link #verify} answers it as {@link Rejected}.
   */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String reason) {
      super(reason, null, false, false);
    }
  }
}
