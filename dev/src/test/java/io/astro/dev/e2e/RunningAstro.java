package io.astro.dev.e2e;

import io.astro.dev.AstroServices;
import io.astro.dev.DevMode;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The whole system started the way {@code ./astro dev} starts it — {@link DevMode} with an embedded
 * MariaDB and Kafka broker and a sandbox cluster — but on free ports and in a throw-away workspace
 * under {@code target/}. One per test JVM (a start costs seconds), stopped after the last test;
 * tests reach it only as a user (the gateway) and an integration (the topics) would, plus the
 * cluster to check what landed there.
 */
public final class RunningAstro implements AutoCloseable {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RunningAstro.class);

  /** Injects the JVM's running system into test and lifecycle methods. */
  public static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == RunningAstro.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      // the root store closes AutoCloseable values when the whole run ends
      return context
          .getRoot()
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(RunningAstro.class, k -> start(), RunningAstro.class);
    }
  }

  private final DevMode dev;
  private final Gateway gateway;

  private RunningAstro(DevMode dev) {
    this.dev = dev;
    this.gateway = new Gateway(dev.gatewayUrl());
  }

  static RunningAstro start() {
    Path dir = Path.of("target", "e2e-" + ProcessHandle.current().pid()).toAbsolutePath();
    return new RunningAstro(TestSystems.start(TestSystems.options(dir, true), true));
  }

  public Gateway gateway() {
    return gateway;
  }

  public DevMode dev() {
    return dev;
  }

  public KafkaBroker kafka() {
    return dev.backing().kafka();
  }

  public FakeCluster cluster() {
    return dev.backing().cluster().sandbox();
  }

  public AstroServices services() {
    return dev.services();
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

  @Override
  public void close() {
    dev.close();
  }
}
