package io.astro.testkit.db;

import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/** MySQL 8 in Docker via Testcontainers ({@code -Dastro.containers=true}). */
public final class MySqlContainerServer implements MySqlServer {

  private static final int MYSQL_PORT = 3306;

  private final MySQLContainer container;

  private MySqlContainerServer(MySQLContainer container) {
    this.container = container;
  }

  public static MySqlContainerServer start() {
    MySQLContainer container =
        new MySQLContainer(DockerImageName.parse("mysql:8.0"))
            .withUsername("root") // root, because the kit creates a database per test class
            .withPassword("astro")
            // Native password auth lets JDBC and the Vert.x client log in over plain TCP without
            // the RSA key exchange caching_sha2_password needs there.
            .withCommand("--default-authentication-plugin=mysql_native_password");
    container.start();
    return new MySqlContainerServer(container);
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return container.getMappedPort(MYSQL_PORT);
  }

  @Override
  public String user() {
    return container.getUsername();
  }

  @Override
  public String password() {
    return container.getPassword();
  }

  @Override
  public void close() {
    container.stop();
  }
}
