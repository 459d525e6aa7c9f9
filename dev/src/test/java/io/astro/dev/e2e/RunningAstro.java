package io.astro.dev.e2e;

import io.astro.dev.AstroServices;
import io.astro.dev.DevMode;
import io.astro.dev.DevOptions;
import io.astro.testkit.Backends;
import io.astro.testkit.db.MySqlServer;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kube.FakeCluster;
import io.astro.testkit.kube.K3sCluster;
import io.astro.testkit.kube.KubeCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole system started the way {@code ./astro dev} starts it — {@link DevMode} with an embedded
 * MariaDB and Kafka broker and a sandbox cluster — but on free ports and in a throw-away workspace
 * under {@code target/}. One per test JVM (a start costs seconds), stopped after the last test;
 * tests reach it only as a user (the gateway) and an integration (the topics) would, plus the
 * cluster and the databases to check what landed there.
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
  private record Started(DevMode dev, K3sCluster k3s) implements AutoCloseable {
    static Started start() {
      Path dir = Path.of("target", "e2e-" + ProcessHandle.current().pid()).toAbsolutePath();
      DevOptions options = TestSystems.options(dir, true);
      if (!Backends.containers()) {
        return new Started(TestSystems.start(options, true), null);
      }
      // -Dastro.containers=true: dev mode on a real K3s (Docker) through its --kubeconfig path
      K3sCluster k3s = K3sCluster.start();
      try {
        Path kubeconfig = dir.resolveSibling(dir.getFileName() + "-k3s.kubeconfig");
        Files.createDirectories(kubeconfig.getParent());
        Files.writeString(kubeconfig, k3s.kubeconfig());
        DevOptions onK3s =
            new DevOptions(
                options.workDir(),
                options.reset(),
                kubeconfig,
                options.httpHost(),
                options.ports(),
                options.env());
        return new Started(TestSystems.start(onK3s, true), k3s);
      } catch (IOException | RuntimeException e) {
        k3s.close();
        throw new IllegalStateException("e2e on K3s did not start: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      dev.close();
      if (k3s != null) {
        k3s.close();
      }
    }
  }

  private DevMode dev;
  private KubeCluster kube;
  private Gateway gateway;

  @Override
  public void beforeAll(ExtensionContext context) {
    Started started =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Started.class, k -> Started.start(), Started.class);
    dev = started.dev();
    kube = started.k3s() != null ? started.k3s() : dev.backing().cluster().sandbox();
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

  /**
   * The sandbox, for tests that steer its faults or simulator; such tests are skipped on K3s
   * ({@code -Dastro.containers=true}).
   */
  public FakeCluster cluster() {
    Assumptions.assumeFalse(
        Backends.containers(), "steers the sandbox's faults and simulator; K3s has none");
    return dev().backing().cluster().sandbox();
  }

  /** The cluster apps run on: the sandbox, or K3s with {@code -Dastro.containers=true}. */
  public KubeCluster kube() {
    return started(kube);
  }

  public AstroServices services() {
    return dev().services();
  }

  /**
   * A connection to one of Astro's databases ({@link io.astro.dev.Databases}), for what no API
   * shows.
   */
  public Connection database(String name) throws SQLException {
    MySqlServer db = dev().backing().database();
    String url = "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + name;
    return DriverManager.getConnection(url, db.user(), db.password());
  }

  /** The app's Deployment in the sandbox, or null when there is none. */
  public V1Deployment deployment(String namespace, String name) {
    try {
      return new AppsV1Api(kube().apiClient()).readNamespacedDeployment(name, namespace).execute();
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
