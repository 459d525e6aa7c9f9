package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code ASTRO_APPS_DOMAIN=apps.localtest.me} and {@code ASTRO_TLS_ISSUER=letsencrypt}, an app
 * with a port answers at {@code https://{name}-u{id}.apps.localtest.me}: the app shows the URL and
 * the cluster holds its Ingress; made internal, both go.
 */
class PublicUrlEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void an_app_with_a_port_gets_a_public_url_and_loses_it_when_made_internal() throws Exception {
    Gateway api = astro.gateway();
    User owner = api.newUser("url");
    JsonObject app =
        api.create(
            owner, new JsonObject().put("name", "site").put("image", "nginx:1.27").put("port", 80));
    String id = app.getString("id");
    String k8sName = app.getString("k8s_name");
    assertThat(k8sName).matches("site-u[0-9]+");
    assertThat(app.getBoolean("public")).isTrue();

    String url = "https://" + k8sName + ".apps.localtest.me";
    api.awaitApp(owner, id, "its url", a -> url.equals(a.getString("url")));
    V1Ingress ingress = ingress(app.getString("namespace"), k8sName);
    assertThat(ingress).isNotNull();
    assertThat(ingress.getSpec().getRules().get(0).getHost())
        .isEqualTo(k8sName + ".apps.localtest.me");
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/cluster-issuer", "letsencrypt");

    Gateway.Answer internal =
        api.send(
            "PATCH",
            "/api/v1/apps/" + id,
            owner.token(),
            new JsonObject().put("public", false).encode(),
            Map.of("Content-Type", "application/merge-patch+json"));
    assertThat(internal.status()).as(internal.body()).isEqualTo(202);
    api.awaitApp(owner, id, "no url", a -> a.getValue("url") == null);
    Eventually.until(
        "the Ingress to go",
        Gateway.WAIT,
        () -> ingress(app.getString("namespace"), k8sName) == null);
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
