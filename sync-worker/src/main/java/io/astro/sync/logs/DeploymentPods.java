package io.astro.sync.logs;

import io.astro.common.http.ErrorCode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The pods of one Deployment, found the way {@code kubectl logs deploy/x} finds them: by the
 * Deployment's own label selector as stored in the cluster, not by labels Astro assumes. Blocking;
 * run it off the event loop.
 */
final class DeploymentPods {

  private DeploymentPods() {}

  /** The Deployment's pods sorted by name; a Kubernetes 404 means the Deployment does not exist. */
  static List<V1Pod> find(ApiClient client, String namespace, String deployment, Deadline deadline)
      throws ApiException {
    V1Deployment found =
        client
            .<V1Deployment>execute(
                deadline.bound(
                    new AppsV1Api(client)
                        .readNamespacedDeployment(deployment, namespace)
                        .buildCall(null)),
                V1Deployment.class)
            .getData();
    String selector = selector(found);
    V1PodList pods =
        client
            .<V1PodList>execute(
                deadline.bound(
                    new CoreV1Api(client)
                        .listNamespacedPod(namespace)
                        .labelSelector(selector)
                        .buildCall(null)),
                V1PodList.class)
            .getData();
    return pods.getItems().stream()
        .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
        .toList();
  }

  // matchExpressions are not turned into a selector: without matchLabels we would list every pod of
  // the namespace
  private static String selector(V1Deployment deployment) {
    V1LabelSelector selector =
        deployment.getSpec() == null ? null : deployment.getSpec().getSelector();
    Map<String, String> labels = selector == null ? null : selector.getMatchLabels();
    if (labels == null || labels.isEmpty()) {
      throw new io.astro.common.http.ApiException(
          ErrorCode.KUBERNETES_OPERATION,
          "the deployment has no matchLabels selector to find its pods by");
    }
    return new TreeMap<>(labels)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }
}
