package io.astro.sync.clusters;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressList;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeList;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyList;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaList;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.generic.GenericKubernetesApi;

/** The typed APIs of the objects Astro writes, on one cluster's client. */
public record KubeApis(
    GenericKubernetesApi<V1Namespace, V1NamespaceList> namespaces,
    GenericKubernetesApi<V1NetworkPolicy, V1NetworkPolicyList> networkPolicies,
    GenericKubernetesApi<V1ResourceQuota, V1ResourceQuotaList> resourceQuotas,
    GenericKubernetesApi<V1LimitRange, V1LimitRangeList> limitRanges,
    GenericKubernetesApi<V1Deployment, V1DeploymentList> deployments,
    GenericKubernetesApi<V1Service, V1ServiceList> services,
    GenericKubernetesApi<V1Secret, V1SecretList> secrets,
    GenericKubernetesApi<V1Ingress, V1IngressList> ingresses) {

  public static KubeApis on(ApiClient client) {
    return new KubeApis(
        new GenericKubernetesApi<>(
            V1Namespace.class, V1NamespaceList.class, "", "v1", "namespaces", client),
        new GenericKubernetesApi<>(
            V1NetworkPolicy.class,
            V1NetworkPolicyList.class,
            "networking.k8s.io",
            "v1",
            "networkpolicies",
            client),
        new GenericKubernetesApi<>(
            V1ResourceQuota.class, V1ResourceQuotaList.class, "", "v1", "resourcequotas", client),
        new GenericKubernetesApi<>(
            V1LimitRange.class, V1LimitRangeList.class, "", "v1", "limitranges", client),
        new GenericKubernetesApi<>(
            V1Deployment.class, V1DeploymentList.class, "apps", "v1", "deployments", client),
        new GenericKubernetesApi<>(
            V1Service.class, V1ServiceList.class, "", "v1", "services", client),
        new GenericKubernetesApi<>(V1Secret.class, V1SecretList.class, "", "v1", "secrets", client),
        new GenericKubernetesApi<>(
            V1Ingress.class, V1IngressList.class, "networking.k8s.io", "v1", "ingresses", client));
  }
}
