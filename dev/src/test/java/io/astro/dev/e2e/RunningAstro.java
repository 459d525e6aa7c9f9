package io.astro.dev.e2e;

import io.astro.dev.AstroServices;
import io.astro.dev.DevMode;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole system started the way {@code ./astro dev} starts it — {@link DevMode} with an embedded
 * MariaDB and Kafka broker and a sandbox cluster — but on free ports and in a throw-away workspace
 * under {@code target/}. One per test JVM (a start costs seconds), stopped after the last test;
 * tests reach it only as a user (the gateway) and an integration (the topics) would, plus the
 * cluster to check what landed there.
 *
 * <p>An end-to-end test class registers it, and that is all its setup:
 *
 * <pre>{@code
 * @RegisterExtension static final RunningAstro astro = new RunningAstro();
 * }</pre>
 *
 * Before the class's first test it starts the system, or joins the one already running.
 */
public final class RunningAstro implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RunningAstro.class);

  /** The JVM's one system; the root store closes it when the whole run ends. */
  private record Started(DevMode dev) implements AutoCloseable {
    static Started start() {
      Path dir = Path.of("target", "e2e-" + ProcessHandle.current().pid()).toAbsolutePath();
      return new Started(TestSystems.start(TestSystems.options(dir, true), true));
    }

    @Override
    public void close() {
      dev.close();
    }
  }

  private DevMode dev;
  private Gateway gateway;

  @Override
  public void beforeAll(ExtensionContext context) {
    Started started =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Started.class, k -> Started.start(), Started.class);
    dev = started.dev();
    gateway = new Gateway(dev.gatewayUrl());
  }

  /** The public API, as a user reaches it. */
  public Gateway gateway() {
    return started(gateway);
  }

  public DevMode dev() {
    return started(dev);
  }

  public KafkaBroker kafka() {
    return dev().backing().kafka();
  }

  public FakeCluster cluster() {
    return dev().backing().cluster().sandbox();
  }

  public AstroServices services() {
    return dev().services();
  }

  /** The app's Deployment in the sandbox, or null when there is none. */
  public V1Deployment deployment(String namespace, String name) {
    try {
      return new AppsV1Api(cluster().apiClient())
          .readNamespacedDeployment(name, namespace)
          .execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(
          "reading deployment " + namespace + "/" + name + ": " + e.getCode(), e);
    }
  }

  private static <T> T started(T part) {
    if (part == null) {
      throw new IllegalStateException(
          "not started: register RunningAstro with @RegisterExtension on a static field");
    }
    return part;
  }
}
