package io.astro.sync.clusters;

import io.astro.common.config.ConfigException;
import io.astro.common.net.ClusterAddressGuard;
import io.kubernetes.client.openapi.ApiClient;
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

  /** A client for this cluster; {@code readTimeout} zero for one that holds watches open. */
  public ApiClient client(Duration readTimeout) throws IOException {
    ApiClient client =
        kubeconfig == null
            ? ClientBuilder.cluster().build()
            : ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(kubeconfig)))
                .build();
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

  // the kubeconfig holds credentials: never print it
  @Override
  public String toString() {
    return "ClusterSource[" + id + (kubeconfig == null ? ", in-cluster]" : ", kubeconfig]");
  }
}
