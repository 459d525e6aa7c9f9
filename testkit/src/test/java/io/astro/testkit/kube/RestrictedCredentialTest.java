package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A credential lacking rights, as the official client sees it: SelfSubjectAccessReviews answer from
 * it, denied requests get the RBAC authorizer's 403; and Event field selectors as a real server
 * filters them.
 */
class RestrictedCredentialTest {

  private static FakeCluster cluster;
  private static CoreV1Api core;
  private static AuthorizationV1Api authorization;

  @BeforeAll
  static void startCluster() {
    cluster = FakeCluster.start();
    core = new CoreV1Api(cluster.apiClient());
    authorization = new AuthorizationV1Api(cluster.apiClient());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @AfterEach
  void allowAll() {
    cluster.credential().allowAll();
  }

  @Test
  void accessReviewsAnswerWhatTheCredentialMayDo() throws Exception {
    cluster.credential().deny("create", "deployments.apps");

    assertThat(review("create", "apps", "deployments", "astro-user-1")).isFalse();
    assertThat(review("delete", "apps", "deployments", "astro-user-1")).isTrue();
    assertThat(review("list", "", "pods", "")).isTrue();

    cluster.credential().allowAll();
    assertThat(review("create", "apps", "deployments", "astro-user-1")).isTrue();
  }

  @Test
  void deniedRequestsAnswerTheRealForbiddenStatus() throws Exception {
    cluster.credential().deny("list", "pods");

    assertThatThrownBy(() -> core.listPodForAllNamespaces().execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              JsonObject status = new JsonObject(e.getResponseBody());
              assertThat(status.getString("reason")).isEqualTo("Forbidden");
              assertThat(status.getString("message"))
                  .isEqualTo(
                      "pods is forbidden: User \"astro\" cannot list resource \"pods\" in API"
                          + " group \"\" at the cluster scope");
            });
    assertThatThrownBy(() -> core.listNamespacedPod("astro-user-7").execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(new JsonObject(e.getResponseBody()).getString("message"))
                    .endsWith("in the namespace \"astro-user-7\""));
    // other verbs and resources still work
    assertThat(core.listServiceForAllNamespaces().execute().getItems()).isNotNull();
  }

  @Test
  void eventsFilterByTypeOnTheServerAndRefuseFieldsARealServerDoesNotHave() throws Exception {
    String ns = "selector";
    // content can only be created in a namespace that exists
    new CoreV1Api(cluster.internalClient())
        .createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(ns)))
        .execute();
    event(ns, "a", "Warning");
    event(ns, "b", "Normal");

    assertThat(core.listNamespacedEvent(ns).fieldSelector("type=Warning").execute().getItems())
        .extracting(e -> e.getMetadata().getName())
        .containsExactly("a");
    assertThat(core.listEventForAllNamespaces().fieldSelector("type!=Warning").execute().getItems())
        .extracting(e -> e.getMetadata().getName())
        .contains("b")
        .doesNotContain("a");
    assertThatThrownBy(() -> core.listNamespacedEvent(ns).fieldSelector("message=x").execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(new JsonObject(e.getResponseBody()).getString("message"))
                  .isEqualTo("field label not supported: message");
            });
  }

  private static boolean review(String verb, String group, String resource, String namespace)
      throws ApiException {
    V1SelfSubjectAccessReview answer =
        authorization
            .createSelfSubjectAccessReview(
                new V1SelfSubjectAccessReview()
                    .spec(
                        new V1SelfSubjectAccessReviewSpec()
                            .resourceAttributes(
                                new V1ResourceAttributes()
                                    .verb(verb)
                                    .group(group)
                                    .resource(resource)
                                    .namespace(namespace))))
            .execute();
    return answer.getStatus().getAllowed();
  }

  private static void event(String ns, String name, String type) throws ApiException {
    core.createNamespacedEvent(
            ns,
            new CoreV1Event()
                .apiVersion("v1")
                .kind("Event")
                .metadata(new V1ObjectMeta().name(name).namespace(ns))
                .type(type)
                .reason("Test")
                .lastTimestamp(OffsetDateTime.now(ZoneOffset.UTC))
                .involvedObject(new V1ObjectReference().kind("Pod").name("p").namespace(ns)))
        .execute();
  }
}
