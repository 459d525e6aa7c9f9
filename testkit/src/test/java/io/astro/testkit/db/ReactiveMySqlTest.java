package io.astro.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database the kit hands out, driven by the client the services use: Vert.x 5's reactive MySQL
 * client.
 */
@ExtendWith(MySqlExtension.class)
class ReactiveMySqlTest {

  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void connect(TestDatabase db) {
    vertx = Vertx.vertx();
    // How a service builds its options from the kit's fields.
    MySQLConnectOptions options =
        new MySQLConnectOptions()
            .setHost(db.host())
            .setPort(db.port())
            .setDatabase(db.database())
            .setUser(db.user())
            .setPassword(db.password());
    pool =
        MySQLBuilder.pool()
            .with(new PoolOptions().setMaxSize(4))
            .connectingTo(options)
            .using(vertx)
            .build();
  }

  @AfterAll
  static void disconnect() throws Exception {
    await(pool.close());
    await(vertx.close());
  }

  @Test
  void rolledBackTransactionLeavesNoRow() throws Exception {
    await(pool.query("CREATE TABLE rolled_back (id INT PRIMARY KEY)").execute());

    Future<Long> transaction =
        pool.withTransaction(
            connection ->
                connection
                    .query("INSERT INTO rolled_back (id) VALUES (1)")
                    .execute()
                    .compose(inserted -> count(connection, "rolled_back"))
                    // failing the function makes withTransaction roll back
                    .compose(
                        seenInside ->
                            Future.failedFuture(
                                new IllegalStateException("rows inside: " + seenInside))));

    assertThatThrownBy(() -> await(transaction)).hasRootCauseMessage("rows inside: 1");
    assertThat(countRows("rolled_back")).isZero();
  }

  @Test
  void committedTransactionKeepsRow() throws Exception {
    await(pool.query("CREATE TABLE committed (id INT PRIMARY KEY)").execute());

    await(
        pool.withTransaction(
            connection -> connection.query("INSERT INTO committed (id) VALUES (1)").execute()));

    assertThat(countRows("committed")).isEqualTo(1);
  }

  /**
   * Later code keeps names unique among live rows only; this needs the real engine's generated
   * columns.
   */
  @Test
  void uniqueKeyOnStoredGeneratedColumnCoversLiveRowsOnly() throws Exception {
    await(
        pool.query(
                """
        CREATE TABLE apps (
         id INT AUTO_INCREMENT PRIMARY KEY,
         name VARCHAR(63) NOT NULL,
         deleted_at DATETIME(3) NULL,
         live_name VARCHAR(63) AS (IF(deleted_at IS NULL, name, NULL)) STORED,
         UNIQUE KEY apps_live_name (live_name)
        )""")
            .execute());
    String insert = "INSERT INTO apps (name) VALUES (?)";
    await(pool.preparedQuery(insert).execute(Tuple.of("web")));

    assertThatThrownBy(() -> await(pool.preparedQuery(insert).execute(Tuple.of("web"))))
        .hasCauseInstanceOf(MySQLException.class)
        .satisfies(e -> assertThat(((MySQLException) e.getCause()).getErrorCode()).isEqualTo(1062));

    await(pool.query("UPDATE apps SET deleted_at = NOW(3) WHERE name = 'web'").execute());
    await(pool.preparedQuery(insert).execute(Tuple.of("web")));
    await(
        pool.query("UPDATE apps SET deleted_at = NOW(3) WHERE name = 'web' AND deleted_at IS NULL")
            .execute());
    await(pool.preparedQuery(insert).execute(Tuple.of("web")));

    assertThat(countRows("apps")).isEqualTo(3);
  }

  @Test
  void uriGivesTheSameDatabase(TestDatabase db) throws Exception {
    Pool fromUri =
        MySQLBuilder.pool()
            .connectingTo(MySQLConnectOptions.fromUri(db.uri()))
            .using(vertx)
            .build();
    try {
      String current =
          await(fromUri.query("SELECT DATABASE()").execute()).iterator().next().getString(0);
      assertThat(current).isEqualTo(db.database());
    } finally {
      await(fromUri.close());
    }
  }

  /** Counted on a connection of its own, outside any transaction. */
  private static long countRows(String table) throws Exception {
    return await(pool.withConnection(connection -> count(connection, table)));
  }

  private static Future<Long> count(SqlConnection connection, String table) {
    return connection
        .query("SELECT COUNT(*) FROM " + table)
        .execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * Bounded wait for a Future from the test thread; a failure surfaces as ExecutionException with
   * its cause.
   */
  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
