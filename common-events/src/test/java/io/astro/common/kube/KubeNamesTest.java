package io.astro.common.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How Astro names what it creates in a cluster; app-service decides, the sync-worker writes. */
class KubeNamesTest {

  @Test
  void each_user_has_a_namespace_and_each_app_an_object_name_with_its_user() {
    assertThat(KubeNames.namespace(7)).isEqualTo("astro-user-7");
    assertThat(KubeNames.objectName("web", 7)).isEqualTo("web-u7");
  }

  @Test
  void only_user_namespaces_are_astros() {
    assertThat(KubeNames.isUserNamespace(KubeNames.namespace(42))).isTrue();
    assertThat(KubeNames.isUserNamespace("astro-user-")).isFalse();
    assertThat(KubeNames.isUserNamespace("astro-user-7x")).isFalse();
    assertThat(KubeNames.isUserNamespace("kube-system")).isFalse();
    assertThat(KubeNames.isUserNamespace(null)).isFalse();
  }

  @Test
  void the_longest_app_name_of_the_largest_user_id_is_still_a_kubernetes_name() {
    String name = KubeNames.objectName("a".repeat(40), Long.MAX_VALUE);

    assertThat(name).hasSizeLessThanOrEqualTo(KubeNames.MAX_NAME);
    assertThat(KubeNames.DNS_LABEL.matcher(name).matches()).isTrue();
  }

  @Test
  void app_objects_carry_whose_they_are_and_who_manages_them() {
    assertThat(KubeNames.appLabels("web", "web-u7", "id-1", 7))
        .containsEntry(KubeNames.MANAGED_BY_LABEL, KubeNames.MANAGER)
        .containsEntry(KubeNames.APP_ID_LABEL, "id-1")
        .containsEntry(KubeNames.USER_ID_LABEL, "7")
        .containsEntry(KubeNames.NAME_LABEL, "web")
        .containsEntry(KubeNames.INSTANCE_LABEL, "web-u7");
    assertThat(KubeNames.MANAGED_SELECTOR).isEqualTo("app.kubernetes.io/managed-by=astro");
  }
}
