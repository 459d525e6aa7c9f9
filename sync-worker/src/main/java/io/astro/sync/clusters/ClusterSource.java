package io.astro.sync.clusters;

import io.astro.common.config.ConfigException;
import io.astro.common.kubernetes.KubeJson;
import io.astro.common.net.ClusterAddressGuard;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.auth.ApiKeyAuth;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.StringReader;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a cluster's credentials come from: a kubeconfig (its text), or the service account of the
 * pod the worker runs in. {@code ASTRO_CLUSTERS} lists them as {@code id=source,...} where a source
 * is {@code in-cluster}, a path to a kubeconfig file, or {@code base64:<kubeconfig>}: the
 * operator's own configuration, connected to as it says. A cluster imported through the API comes
 * with {@code guard}: its clients connect only to addresses the guard allows, checked as each
 * socket connects.
 */
public record ClusterSource(String id, String kubeconfig, ClusterAddressGuard guard) {

  /** A cluster of the operator's configuration: no address check. */
  public ClusterSource(String id, String kubeconfig) {
    this(id, kubeconfig, null);
  }

  private static final Pattern ID = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final String IN_CLUSTER = "in-cluster";
  private static final String BEARER = "BearerToken";

  public static ClusterSource inCluster(String id) {
    return new ClusterSource(id, null);
  }

  public static Map<String, ClusterSource> parseAll(String spec) {
    Map<String, ClusterSource> sources = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return sources;
    }
    for (String entry : spec.split(",")) {
      int eq = entry.indexOf('=');
      String id = eq < 0 ? "" : entry.substring(0, eq).trim();
      String source = eq < 0 ? "" : entry.substring(eq + 1).trim();
      if (!ID.matcher(id).matches() || source.isEmpty()) {
        throw new ConfigException(
            "ASTRO_CLUSTERS: expected id=in-cluster|<kubeconfig path>|base64:<kubeconfig>, got '"
                + entry.trim()
                + "'");
      }
      sources.put(id, parse(id, source));
    }
    return sources;
  }

  private static ClusterSource parse(String id, String source) {
    if (source.equals(IN_CLUSTER)) {
      return inCluster(id);
    }
    if (source.startsWith("base64:")) {
      try {
        return new ClusterSource(
            id,
            new String(Base64.getDecoder().decode(source.substring(7)), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "ASTRO_CLUSTERS: the kubeconfig of cluster " + id + " is not valid base64");
      }
    }
    try {
      return new ClusterSource(id, Files.readString(Path.of(source)));
    } catch (IOException e) {
      throw new ConfigException(
          "ASTRO_CLUSTERS: cannot read the kubeconfig of cluster " + id + " at " + source);
    }
  }

  /**
   * An imported kubeconfig asking the worker to run a program or to read a file of its own disk —
   * its service account's token among them — and send what it finds to the API server. app-service
   * refuses such a kubeconfig at import; one that reaches the worker anyway is refused here, before
   * anything is run or read. The message names the field, never a value.
   */
  public static final class LocalCredentialsRefused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    LocalCredentialsRefused(String message) {
      super(message);
    }
  }

  private static final List<String> CLUSTER_LOCAL = List.of("certificate-authority");
  private static final List<String> USER_LOCAL =
      List.of("exec", "auth-provider", "tokenFile", "client-certificate", "client-key");

  /**
   * A client for this cluster's requests, each read bounded by {@code readTimeout}. Watches use the
   * client {@link #watching} makes from it.
   */
  public ApiClient client(Duration readTimeout) throws IOException {
    // the client's JSON is one for the process, set before any client reads or writes
    KubeJson.install();
    ApiClient client;
    if (kubeconfig == null) {
      client = ClientBuilder.cluster().build();
    } else {
      KubeConfig config = KubeConfig.loadKubeConfig(new StringReader(kubeconfig));
      if (guard != null) {
        refuseLocal(config.getClusters(), "clusters", "cluster", CLUSTER_LOCAL);
        refuseLocal(config.getUsers(), "users", "user", USER_LOCAL);
      }
      client = ClientBuilder.kubeconfig(config).build();
    }
    if (guard != null) {
      // through a proxy, the address checked would be the proxy's: imported clusters go direct
      client.setHttpClient(
          client
              .getHttpClient()
              .newBuilder()
              .socketFactory(guard.socketFactory())
              .proxy(Proxy.NO_PROXY)
              .build());
    }
    client.setReadTimeout((int) readTimeout.toMillis());
    client.setConnectTimeout(5_000);
    return client;
  }

  /**
   * A client for informers' lists and watches on {@code requests}' cluster: no read timeout (a
   * watch stays open), everything else {@code requests}' own — its connection pool, TLS set-up,
   * address check, credentials and JSON. A cluster's kubeconfig is read and its TLS set up once,
   * and its requests and watches share one pool of connections.
   */
  public static ApiClient watching(ApiClient requests) {
    ApiClient watches =
        new ApiClient(requests.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
    watches.setBasePath(requests.getBasePath());
    watches.setJSON(requests.getJSON());
    // a kubeconfig's token (or user and password) goes in this header; in-cluster credentials and
    // client certificates are in the HTTP client, taken above
    if (requests.getAuthentication(BEARER) instanceof ApiKeyAuth bearer) {
      watches.setApiKeyPrefix(bearer.getApiKeyPrefix());
      watches.setApiKey(bearer.getApiKey());
    }
    return watches;
  }

  private static void refuseLocal(
      List<Object> entries, String list, String field, List<String> refused) {
    if (entries == null) {
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) instanceof Map<?, ?> entry && entry.get(field) instanceof Map<?, ?> body) {
        for (String key : refused) {
          if (body.containsKey(key)) {
            throw new LocalCredentialsRefused(
                "kubeconfig."
                    + list
                    + "["
                    + i
                    + "]."
                    + field
                    + "."
                    + key
                    + ": programs and files of the worker are not used for imported clusters");
          }
        }
      }
    }
  }

  // the kubeconfig holds credentials: never print it
  @Override
  public String toString() {
    return "ClusterSource[" + id + (kubeconfig == null ? ", in-cluster]" : ", kubeconfig]");
  }
}
