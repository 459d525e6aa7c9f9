package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1MatchCondition;
import io.kubernetes.client.openapi.models.V1NamedRuleWithOperations;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1ValidatingAdmissionPolicy;
import io.kubernetes.client.openapi.models.V1ValidatingAdmissionPolicyBinding;
import io.kubernetes.client.openapi.models.V1Validation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * k8s/base/admission-policy.yaml fences the sync-worker's cluster-wide ClusterRole into user
 * namespaces: the policy is bound with {@code Deny}, matches the service account the sync-worker
 * Deployment runs as, covers every kind and verb the ClusterRole lets it write, and its CEL
 * expression admits exactly the names {@link KubeNames#NAMESPACE} describes.
 *
 * <p>No CEL library is in the build, so the expressions are held to one shape (parsed here with
 * regular expressions) and that shape is evaluated against sample requests; a policy written any
 * other way fails rather than passing unchecked.
 */
class AdmissionPolicyTest {

  static final String POLICY = "astro-sync-worker-fence";

  /** RBAC verb → the admission operation it is checked under. Reads are not admitted. */
  static final Map<String, String> OPERATION =
      Map.of(
          "create", "CREATE",
          "update", "UPDATE",
          "patch", "UPDATE",
          "delete", "DELETE",
          "deletecollection", "DELETE");

  /**
   * Writes the ClusterRole grants that the fence must not match, and why (docs/rbac.md): matched,
   * its namespace check would refuse them all.
   */
  static final Map<String, String> EXCEPTIONS =
      Map.of(
          "pods/eviction", "node drains evict pods in any namespace",
          "nodes", "cordon, labels and taints of a Node, which is in no namespace");

  static final Pattern USER_CONDITION =
      Pattern.compile("request\\.userInfo\\.username == '([^']+)'");

  static final Pattern NAMESPACE_VALIDATION =
      Pattern.compile(
          "\\(request\\.resource\\.resource == 'namespaces' \\? request\\.name :"
              + " request\\.namespace\\)\\.matches\\('\\^([^']+)\\$'\\)");

  static Stream<String> overlays() {
    return KubernetesManifestsTest.overlays();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void thePolicyIsBoundToDenyAndMatchesTheSyncWorkersServiceAccount(String name) {
    Overlay overlay = Overlay.of(name);
    V1ValidatingAdmissionPolicy policy = policy(overlay);
    assertThat(policy.getSpec().getFailurePolicy()).as("failurePolicy").isEqualTo("Fail");
    assertThat(policy.getSpec().getParamKind()).as("paramKind").isNull();

    List<V1ValidatingAdmissionPolicyBinding> bindings =
        overlay
            .all("ValidatingAdmissionPolicyBinding", V1ValidatingAdmissionPolicyBinding.class)
            .stream()
            .filter(b -> POLICY.equals(b.getSpec().getPolicyName()))
            .toList();
    assertThat(bindings).as("bindings of " + POLICY).hasSize(1);
    var binding = bindings.get(0).getSpec();
    assertThat(binding.getValidationActions()).as("validationActions").contains("Deny");
    assertThat(binding.getParamRef()).as("paramRef").isNull();
    assertThat(binding.getMatchResources()).as("the binding narrows nothing").isNull();

    String serviceAccount =
        overlay.deployment("sync-worker").getSpec().getTemplate().getSpec().getServiceAccountName();
    assertThat(serviceAccount).isNotNull();
    List<V1MatchCondition> conditions = policy.getSpec().getMatchConditions();
    assertThat(conditions).as("matchConditions").hasSize(1);
    Matcher m = USER_CONDITION.matcher(conditions.get(0).getExpression().strip());
    assertThat(m.matches())
        .as("matchCondition has the shape " + USER_CONDITION + ": " + conditions.get(0))
        .isTrue();
    assertThat(m.group(1))
        .as("the user the sync-worker's requests carry")
        .isEqualTo(
            "system:serviceaccount:" + KubernetesManifestsTest.NAMESPACE + ":" + serviceAccount);
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void thePolicyCoversEveryWriteTheClusterRoleGrants(String name) {
    Overlay overlay = Overlay.of(name);
    List<V1NamedRuleWithOperations> rules =
        policy(overlay).getSpec().getMatchConstraints().getResourceRules();
    assertThat(policy(overlay).getSpec().getMatchConstraints().getNamespaceSelector())
        .as("matches in every namespace: no namespaceSelector")
        .isNull();
    int writes = 0;
    for (V1ClusterRole role : overlay.all("ClusterRole", V1ClusterRole.class)) {
      for (V1PolicyRule rule : role.getRules()) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            if (EXCEPTIONS.containsKey(resource)) {
              assertThat(rules)
                  .as(resource + " is not fenced: " + EXCEPTIONS.get(resource))
                  .noneMatch(
                      r -> covers(r.getApiGroups(), group) && covers(r.getResources(), resource));
              continue;
            }
            for (String verb : rule.getVerbs()) {
              String operation = OPERATION.get(verb);
              if (operation == null) {
                continue;
              }
              writes++;
              assertThat(rules)
                  .as(
                      "the policy matches "
                          + operation
                          + " of "
                          + (group.isEmpty() ? "" : group + "/")
                          + resource
                          + " (the ClusterRole grants "
                          + verb
                          + ")")
                  .anyMatch(
                      r ->
                          covers(r.getApiGroups(), group)
                              && covers(r.getResources(), resource)
                              && covers(r.getOperations(), operation)
                              && covers(r.getApiVersions(), "v1"));
            }
          }
        }
      }
    }
    assertThat(writes).as("writes the ClusterRole grants").isPositive();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theValidationAdmitsUserNamespacesOnly(String name) {
    List<V1Validation> validations = policy(Overlay.of(name)).getSpec().getValidations();
    assertThat(validations).as("validations").hasSize(1);
    Matcher m = NAMESPACE_VALIDATION.matcher(validations.get(0).getExpression().strip());
    assertThat(m.matches())
        .as("validation has the shape " + NAMESPACE_VALIDATION + ": " + validations.get(0))
        .isTrue();
    Pattern allowed = Pattern.compile(m.group(1));
    assertThat(allowed.pattern())
        .as("the names Astro gives user namespaces")
        .isEqualTo(KubeNames.NAMESPACE.pattern());
    assertThat(validations.get(0).getReason()).isEqualTo("Forbidden");
    assertThat(validations.get(0).getMessageExpression()).contains("request.namespace");

    // the expression evaluated as CEL would: the namespace's name for a Namespace, the request's
    // namespace for anything else; matches() is an unanchored RE2 search, anchored by ^…$ here
    record Sample(String resource, String namespace, String objectName, boolean admitted) {}
    for (Sample s :
        List.of(
            new Sample("deployments", KubeNames.namespace(42), "web", true),
            new Sample("secrets", KubeNames.namespace(1), "web-env", true),
            new Sample("namespaces", "", KubeNames.namespace(7), true),
            new Sample("deployments", "kube-system", "coredns", false),
            new Sample("services", KubernetesManifestsTest.NAMESPACE, "gateway-service", false),
            new Sample("secrets", "default", "astro-user-1", false),
            new Sample("namespaces", "", "kube-system", false),
            new Sample("namespaces", "", "astro-user-", false),
            new Sample("limitranges", "astro-user-1x", "astro-limits", false),
            new Sample("resourcequotas", "x-astro-user-1", "astro-quota", false))) {
      String subject = s.resource().equals("namespaces") ? s.objectName() : s.namespace();
      assertThat(Pattern.compile("^" + allowed.pattern() + "$").matcher(subject).find())
          .as(s.toString())
          .isEqualTo(s.admitted());
    }
  }

  private static boolean covers(List<String> values, String value) {
    return values != null && (values.contains(value) || values.contains("*"));
  }

  private static V1ValidatingAdmissionPolicy policy(Overlay overlay) {
    List<V1ValidatingAdmissionPolicy> policies =
        overlay.all("ValidatingAdmissionPolicy", V1ValidatingAdmissionPolicy.class).stream()
            .filter(p -> POLICY.equals(p.getMetadata().getName()))
            .toList();
    assertThat(policies).as(overlay.name + ": ValidatingAdmissionPolicy " + POLICY).hasSize(1);
    assertThat(Set.of("admissionregistration.k8s.io/v1")).contains(policies.get(0).getApiVersion());
    return policies.get(0);
  }
}
