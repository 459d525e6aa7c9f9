package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.astro.testkit.Eventually;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl, with its default validation, against the fake: it finds the OpenAPI documents it needs
 * and gets the refusals a real API server gives, with their status codes and reasons. Runs where
 * kubectl is on the PATH; the same refusals are checked through the official client in {@link
 * KubeApiValidationTest} everywhere.
 */
class KubectlTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static FakeCluster cluster;
  private static Path kubeconfig;

  @BeforeAll
  static void start(@TempDir Path dir) throws IOException {
    assumeTrue(onPath("kubectl"), "kubectl is not on the PATH: the kubectl checks are skipped");
    cluster = FakeCluster.start();
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, cluster.kubeconfig());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void a_service_named_2048_is_invalid() throws Exception {
    String ns = namespace("kc-svc");
    Result result =
        create(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: "2048"
              namespace: %s
            spec:
              ports:
              - port: 80
            """
                .formatted(ns));
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .contains(
            "The Service \"2048\" is invalid: metadata.name: Invalid value: \"2048\": a DNS-1035"
                + " label must consist of lower case alphanumeric characters or '-', start with an"
                + " alphabetic character");
  }

  @Test
  void requests_above_limits_are_invalid() throws Exception {
    String ns = namespace("kc-limits");
    Result result = create(pod(ns, "greedy", "{requests: {cpu: \"1\"}, limits: {cpu: 500m}}"));
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .contains(
            "The Pod \"greedy\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid"
                + " value: \"1\": must be less than or equal to cpu limit of 500m");
  }

  @Test
  void an_object_in_a_missing_namespace_is_not_found() throws Exception {
    Result result = create(pod("kc-nowhere", "web", "{}"));
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .contains("Error from server (NotFound)")
        .contains("namespaces \"kc-nowhere\" not found");
  }

  @Test
  void a_pod_over_the_namespace_quota_is_forbidden() throws Exception {
    String ns = namespace("kc-quota");
    Result quota =
        create(
            """
            apiVersion: v1
            kind: ResourceQuota
            metadata: {name: small, namespace: %s}
            spec:
              hard: {pods: "1"}
            """
                .formatted(ns));
    assertThat(quota.code()).as(quota.err()).isZero();
    assertThat(create(pod(ns, "one", "{}")).code()).isZero();

    Result second = create(pod(ns, "two", "{}"));
    assertThat(second.code()).isEqualTo(1);
    assertThat(second.err())
        .contains("Error from server (Forbidden)")
        .contains(
            "pods \"two\" is forbidden: exceeded quota: small, requested: pods=1, used: pods=1,"
                + " limited: pods=1");
  }

  @Test
  void a_deleted_namespace_shows_terminating_then_is_gone() throws Exception {
    String ns = namespace("kc-delete");
    cluster.namespaceDeletionDelay(Duration.ofSeconds(3));
    try {
      Result deleted = kubectl(null, "delete", "namespace", ns, "--wait=false");
      assertThat(deleted.code()).as(deleted.err()).isZero();
      assertThat(deleted.out()).contains("namespace \"" + ns + "\" deleted");

      // the phase as stored; the fake serves no server-side Table, so the default columns differ
      Result shown = kubectl(null, "get", "namespace", ns, "-o", "jsonpath={.status.phase}");
      assertThat(shown.out()).isEqualTo("Terminating");

      Eventually.await(
          "namespace " + ns + " gone",
          WAIT,
          () -> kubectl(null, "get", "namespace", ns).err(),
          err -> err.contains("Error from server (NotFound): namespaces \"" + ns + "\" not found"));
    } finally {
      cluster.namespaceDeletionDelay(NamespaceLifecycle.DEFAULT_DELAY);
    }
  }

  private static String pod(String ns, String name, String resources) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: %s}
        spec:
          containers:
          - name: app
            image: nginx:1.27
            resources: %s
        """
        .formatted(name, ns, resources);
  }

  private static String namespace(String name) throws Exception {
    Result created = kubectl(null, "create", "namespace", name);
    assertThat(created.code()).as(created.err()).isZero();
    return name;
  }

  private static Result create(String manifest) throws Exception {
    return kubectl(manifest, "create", "-f", "-");
  }

  private record Result(int code, String out, String err) {}

  private static Result kubectl(String stdin, String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not end");
      }
      return new Result(
          process.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean onPath(String executable) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, executable))) {
        return true;
      }
    }
    return false;
  }
}
