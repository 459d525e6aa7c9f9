package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.app.apps.AppRules;
import io.astro.app.apps.AppSpec;
import io.astro.common.events.app.AppCommand;
import io.astro.common.http.ApiException;
import io.astro.common.kube.KubeNames;
import io.astro.sync.reconcile.Manifests;
import io.astro.sync.reconcile.TenantPolicy;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every app name {@code AppRules} accepts, for every user id, makes object names and labels a real
 * API server accepts for every kind Astro writes. The rules are the API server's validation
 * (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
 * IsValidLabelValue, IsValidPortName), checked here directly.
 */
class AppNamesTest {

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private static final AppRules RULES = new AppRules(List.of(), List.of("standard"));
  private static final Manifests MANIFESTS = new Manifests(TenantPolicy.defaults());
  private static final List<Long> USER_IDS = List.of(1L, 7L, 999_999_999L, Long.MAX_VALUE);

  /**
   * The extremes of what the rules accept: shortest, longest, hyphens and digits wherever allowed.
   */
  static Stream<Arguments> acceptedNames() {
    int max = AppRules.MAX_NAME;
    List<String> names = new ArrayList<>();
    names.add("a");
    names.add("z");
    names.add("a0");
    names.add("a-0");
    names.add("a--b");
    names.add("web");
    names.add("a".repeat(max));
    names.add("z" + "9".repeat(max - 1));
    names.add("a" + "-".repeat(max - 2) + "0");
    names.add("x" + "-9".repeat((max - 1) / 2));
    names.add("a".repeat(max - 1));
    List<Arguments> out = new ArrayList<>();
    for (String name : names) {
      for (long userId : USER_IDS) {
        out.add(Arguments.of(name, userId));
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("acceptedNames")
  void everyAcceptedNameMakesValidObjectNamesForEveryKind(String name, long userId) {
    AppSpec spec = RULES.create(create(name));
    AppCommand app =
        new AppCommand(
            AppCommand.Command.CREATE,
            "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01",
            userId,
            spec.name(),
            "default",
            KubeNames.namespace(userId),
            KubeNames.objectName(spec.name(), userId),
            1,
            new AppCommand.Desired(
                spec.image(),
                spec.replicas(),
                spec.port(),
                false,
                null,
                false,
                AppCommand.Release.BEFORE_RELEASES));

    V1Deployment deployment = MANIFESTS.deployment(app);
    V1Service service = MANIFESTS.service(app);

    assertValid("namespace", KubeNames.namespace(userId), DNS_1123_LABEL, 63);
    assertValid("Deployment", deployment.getMetadata().getName(), DNS_1123_SUBDOMAIN, 253);
    // the ReplicaSet controller appends "-" + a 10-character pod-template-hash, and pods another 6
    assertValid(
        "ReplicaSet", deployment.getMetadata().getName() + "-5d9c7b8f6d", DNS_1123_SUBDOMAIN, 253);
    assertValid("Service", service.getMetadata().getName(), DNS_1035_LABEL, 63);
    assertValid(
        "env Secret",
        KubeNames.envSecret(KubeNames.objectName(spec.name(), userId)),
        DNS_1123_SUBDOMAIN,
        253);
    assertValid(
        "pull Secret",
        KubeNames.pullSecret(KubeNames.objectName(spec.name(), userId)),
        DNS_1123_SUBDOMAIN,
        253);
    assertValid(
        "container",
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getName(),
        DNS_1123_LABEL,
        63);
    assertValid("port name", service.getSpec().getPorts().get(0).getName(), PORT_NAME, 15);
    for (Map<String, String> labels :
        List.of(
            deployment.getMetadata().getLabels(),
            deployment.getSpec().getTemplate().getMetadata().getLabels(),
            deployment.getSpec().getSelector().getMatchLabels(),
            service.getMetadata().getLabels(),
            service.getSpec().getSelector())) {
      labels.forEach((key, value) -> assertValid("label " + key, value, LABEL_VALUE, 63));
    }
    // the command carrying these names must pass its own contract, as the sync-worker reads it
    assertThat(AppCommand.fromData(app.toData())).isEqualTo(app);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2048", "0web", "9", "-web", "web-", "Web", "a_b"})
  void namesNoServiceCouldCarryAreRefusedNamingTheRule(String name) {
    assertThatThrownBy(() -> RULES.create(create(name)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.data().toString())
                    .contains("\"field\":\"name\"")
                    .contains("DNS-1035 label"));
  }

  private static JsonObject create(String name) {
    return new JsonObject().put("name", name).put("image", "nginx:1.27").put("port", 80);
  }

  private static void assertValid(String what, String value, Pattern rule, int maxLength) {
    assertThat(value).as(what + " " + value).matches(rule).hasSizeLessThanOrEqualTo(maxLength);
  }
}
