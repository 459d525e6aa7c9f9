package io.astro.testkit.db;

/**
 * A MySQL-protocol server that tests (or dev mode) create databases on: the embedded MariaDB, an
 * external server or a MySQL container. Only plain fields are exposed so that users of the test kit
 * pick their own client (Vert.x reactive client, JDBC for Flyway) without the kit forcing one on
 * them.
 */
public interface MySqlServer extends AutoCloseable {

  String host();

  int port();

  /** An account allowed to create and drop databases. */
  String user();

  String password();

  /** Creates a fresh, empty database whose unique name starts with {@code prefix}. */
  default TestDatabase createDatabase(String prefix) {
    return TestDatabase.create(this, prefix);
  }

  /** Stops the server if this object started it; a no-op for servers it merely connects to. */
  @Override
  void close();
}
