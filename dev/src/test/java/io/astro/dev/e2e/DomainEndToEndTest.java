package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A custom domain end to end: claimed through the gateway, verified once the tests' DNS server
 * (app-service's {@code ASTRO_DNS_RESOLVERS}) holds its token, then served by the app's Ingress in
 * the sandbox with a TLS Secret of its own; freed, it leaves the Ingress. No one else may claim it
 * meanwhile.
 */
class DomainEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void a_verified_domain_is_served_by_the_apps_ingress_until_it_is_removed() throws Exception {
    Gateway api = astro.gateway();
    User owner = api.newUser("domain");
    JsonObject app =
        api.create(
            owner, new JsonObject().put("name", "shop").put("image", "nginx:1.27").put("port", 80));
    String id = app.getString("id");
    String namespace = app.getString("namespace");
    String k8sName = app.getString("k8s_name");
    String domain = "www." + k8sName + ".example.org";
    String path = "/api/v1/apps/" + id + "/domains";

    Gateway.Answer claimed = api.post(path, owner.token(), new JsonObject().put("domain", domain));
    assertThat(claimed.status()).as(claimed.body()).isEqualTo(201);
    assertThat(claimed.data().getString("status")).isEqualTo("pending_verification");
    JsonObject txt = claimed.data().getJsonArray("dns_records").getJsonObject(0);
    assertThat(txt.getString("name")).isEqualTo("_astro-challenge." + domain);
    assertThat(claimed.data().getJsonArray("dns_records").getJsonObject(1).getString("value"))
        .isEqualTo(k8sName + ".apps.localtest.me");

    User other = api.newUser("squatter");
    JsonObject theirs =
        api.create(
            other, new JsonObject().put("name", "shop").put("image", "nginx:1.27").put("port", 80));
    Gateway.Answer squat =
        api.post(
            "/api/v1/apps/" + theirs.getString("id") + "/domains",
            other.token(),
            new JsonObject().put("domain", domain));
    assertThat(squat.status()).as(squat.body()).isEqualTo(409);
    assertThat(squat.body()).doesNotContain(id);

    TestSystems.DNS.txt(txt.getString("name"), txt.getString("value"));
    api.awaitAnswer(
        owner,
        path,
        "the domain verified",
        a ->
            "verified".equals(a.data().getJsonArray("items").getJsonObject(0).getString("status")));
    Eventually.until(
        "the Ingress to answer for " + domain,
        Gateway.WAIT,
        () -> hosts(namespace, k8sName).contains(domain));
    V1Ingress ingress = ingress(namespace, k8sName);
    assertThat(hosts(namespace, k8sName)).containsExactly(k8sName + ".apps.localtest.me", domain);
    assertThat(ingress.getSpec().getTls()).hasSize(2);
    assertThat(ingress.getSpec().getTls().get(1).getHosts()).containsExactly(domain);
    // the sandbox plays cert-manager (ASTRO_TLS_ISSUER is set): the domain's certificate is issued
    Gateway.Answer issued =
        api.awaitAnswer(
            owner,
            path,
            "the domain's certificate issued",
            a ->
                "issued"
                    .equals(
                        a.data().getJsonArray("items").getJsonObject(0).getString("certificate")));
    assertThat(
            issued.data().getJsonArray("items").getJsonObject(0).getString("certificate_message"))
        .isEqualTo("the certificate is issued; the host answers on https");
    api.awaitAnswer(
        owner,
        "/api/v1/apps/" + id,
        "the app's own certificate issued",
        a ->
            a.data().getJsonArray("certificates").stream()
                .map(JsonObject.class::cast)
                .anyMatch(
                    c ->
                        (k8sName + ".apps.localtest.me").equals(c.getString("host"))
                            && "issued".equals(c.getString("certificate"))));

    Gateway.Answer removed = api.delete(path + "/" + domain, owner.token());
    assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    Eventually.until(
        "the domain to leave the Ingress",
        Gateway.WAIT,
        () -> hosts(namespace, k8sName).equals(List.of(k8sName + ".apps.localtest.me")));
    assertThat(api.get(path, owner.token()).items()).isEmpty();
    TestSystems.DNS.forget(txt.getString("name"));
  }

  private static List<String> hosts(String namespace, String name) {
    V1Ingress ingress = ingress(namespace, name);
    return ingress == null
        ? List.of()
        : ingress.getSpec().getRules().stream().map(V1IngressRule::getHost).toList();
  }

  private static V1Ingress ingress(String namespace, String name) {
    try {
      return new NetworkingV1Api(astro.kube().apiClient())
          .readNamespacedIngress(name, namespace)
          .execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }
}
