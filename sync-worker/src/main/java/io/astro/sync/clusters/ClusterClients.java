package io.astro.sync.clusters;

import io.kubernetes.client.openapi.ApiClient;
import java.util.Optional;

/**
 * The API client of each cluster the worker knows, by cluster id (what commands name as {@code
 * cluster}).
 */
public interface ClusterClients {

  /** The cluster's client, or empty when the worker has no such cluster. */
  Optional<ApiClient> client(String clusterId);
}
