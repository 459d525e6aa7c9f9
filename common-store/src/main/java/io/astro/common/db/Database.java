package io.astro.common.db;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.RequestDeadline;
import io.astro.common.ops.ReadinessCheck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's database: schema migrations at start-up (Flyway over JDBC, on a worker thread), then
 * a bounded reactive pool for everything else.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** MySQL's duplicate-key error. */
  public static final int DUPLICATE_KEY = 1062;

  private Database() {}

  /**
   * Applies the migrations under {@code classpath:<location>}; safe to run on every start and by
   * several instances. A database that has applied every one of them already, and nothing else, is
   * left as it is without starting Flyway (a restart's case): {@code pool} reads its history.
   */
  public static Future<Void> migrate(Vertx vertx, Pool pool, DbSettings settings, String location) {
    return vertx
        .executeBlocking(() -> Migrations.carried(Database.class.getClassLoader(), location))
        .compose(
            carried ->
                carried.isPresent()
                    ? carried.get().allAppliedIn(pool)
                    : Future.succeededFuture(Optional.<String>empty()))
        .compose(
            inPlace -> {
              if (inPlace.isPresent()) {
                LOG.info(
                    "database {} at schema version {} (every migration already applied)",
                    settings.database(),
                    inPlace.get());
                return Future.succeededFuture();
              }
              return vertx.executeBlocking(() -> flyway(settings, location));
            });
  }

  private static Void flyway(DbSettings settings, String location) {
    var result =
        Flyway.configure()
            .dataSource(settings.jdbcUrl(), settings.user(), settings.password())
            .locations("classpath:" + location)
            .connectRetries(5)
            .load()
            .migrate();
    // Flyway gives no target version when it applied nothing: the schema is where it was
    LOG.info(
        "database {} at schema version {} ({} migrations applied)",
        settings.database(),
        result.migrationsExecuted == 0 ? result.initialSchemaVersion : result.targetSchemaVersion,
        result.migrationsExecuted);
    return null;
  }

  public static Pool pool(Vertx vertx, DbSettings settings) {
    MySQLConnectOptions connect =
        new MySQLConnectOptions()
            .setHost(settings.host())
            .setPort(settings.port())
            .setDatabase(settings.database())
            .setUser(settings.user())
            .setPassword(settings.password())
            .setCharset("utf8mb4")
            .setCachePreparedStatements(true);
    tls(connect, settings);
    PoolOptions pool =
        new PoolOptions()
            .setMaxSize(settings.poolSize())
            // a bounded queue: when the database is gone, callers fail fast instead of piling up
            .setMaxWaitQueueSize(settings.poolSize() * 32)
            .setConnectionTimeout((int) settings.connectTimeout().toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setName("astro-db-" + settings.database());
    return MySQLBuilder.pool()
        .with(pool)
        .connectingTo(connect)
        .using(vertx)
        // every timestamp in UTC, whatever the server's zone; the handler must hand the connection
        // back
        .withConnectHandler(
            conn ->
                conn.query("SET time_zone = '+00:00'").execute().onComplete(done -> conn.close()))
        .build();
  }

  /**
   * TLS as {@code ASTRO_DB_TLS} says: the server's certificate checked against {@code
   * ASTRO_DB_TLS_CA} (or the JVM's trust), and for {@code verify-full} its name against the host.
   */
  static void tls(MySQLConnectOptions connect, DbSettings settings) {
    if (settings.tls() == DbSettings.Tls.OFF) {
      connect.setSslMode(SslMode.DISABLED);
      return;
    }
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (settings.tlsCa() != null && !settings.tlsCa().isBlank()) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(settings.tlsCa()));
    }
    if (settings.tls() == DbSettings.Tls.VERIFY_FULL) {
      ssl.setHostnameVerificationAlgorithm("HTTPS");
      connect.setSslMode(SslMode.VERIFY_IDENTITY);
    } else {
      ssl.setHostnameVerificationAlgorithm("");
      connect.setSslMode(SslMode.VERIFY_CA);
    }
    connect.setSslOptions(ssl);
  }

  /**
   * {@code work} in one transaction, like {@link Pool#withTransaction}; within an HTTP request that
   * has a {@link RequestDeadline} it commits only before that deadline, and past it fails with a
   * 503 (30002) that means nothing was changed (see {@link BoundedTransaction}).
   */
  public static <T> Future<T> transaction(Pool pool, Function<SqlConnection, Future<T>> work) {
    Context context = Vertx.currentContext();
    OptionalLong deadline = RequestDeadline.current();
    if (context == null || deadline.isEmpty()) {
      return pool.withTransaction(work);
    }
    return new BoundedTransaction<>(context, deadline.getAsLong(), work).run(pool);
  }

  public static ReadinessCheck readiness(Pool pool) {
    return ReadinessCheck.of(
        "database",
        () ->
            pool.query("SELECT 1")
                .execute()
                .<Void>mapEmpty()
                .recover(e -> Future.failedFuture("unreachable: " + e.getMessage())));
  }

  public static boolean isDuplicateKey(Throwable failure) {
    return failure instanceof MySQLException e && e.getErrorCode() == DUPLICATE_KEY;
  }

  /**
   * Any failure the caller did not expect becomes a 503: the client may retry, nothing internal
   * leaks.
   */
  public static <T> Future<T> unavailable(Throwable failure) {
    if (failure instanceof ApiException) {
      return Future.failedFuture(failure);
    }
    LOG.error("database call failed", failure);
    return Future.failedFuture(
        new ApiException(ErrorCode.DATABASE, "database unavailable, retry later"));
  }

  /** Runs {@code sql}, which selects a key and a count {@code n} per row, into a map. */
  public static Future<Map<String, Long>> counts(Pool pool, String sql) {
    return pool.query(sql)
        .execute()
        .map(
            rows -> {
              Map<String, Long> counts = new HashMap<>();
              for (Row row : rows) {
                counts.put(row.getString(0), row.getLong("n"));
              }
              return counts;
            });
  }

  /** Runs {@code sql}, which selects one count {@code n}. */
  public static Future<Long> count(Pool pool, String sql) {
    return pool.query(sql).execute().map(rows -> rows.iterator().next().getLong("n"));
  }
}
