package io.astro.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.RequestDeadline;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request's transaction past its deadline: answered at the deadline as "nothing changed" (503,
 * 30002), and nothing is changed afterwards either — the case of a database that stalls while the
 * gateway gives up on the request.
 */
@ExtendWith(MySqlExtension.class)
class RequestTransactionTest {

  private static final long WAIT_SECONDS = 30;
  private static Vertx vertx;
  private static Pool pool;
  // a connection of its own, to look while the pool's only one is busy
  private static Pool observer;

  @BeforeAll
  static void start(TestDatabase db) {
    vertx = Vertx.vertx();
    DbSettings settings =
        new DbSettings(
            db.host(),
            db.port(),
            db.database(),
            db.user(),
            db.password(),
            1, // one connection: a second transaction waits in the pool's queue
            Duration.ofSeconds(10),
            DbSettings.Tls.OFF,
            null);
    pool = Database.pool(vertx, settings);
    observer = Database.pool(vertx, settings);
    await(pool.query("CREATE TABLE items (name VARCHAR(64) PRIMARY KEY)").execute());
  }

  @AfterAll
  static void stop() {
    await(pool.close());
    await(observer.close());
    await(vertx.close());
  }

  @BeforeEach
  void empty() {
    await(pool.query("DELETE FROM items").execute());
  }

  @Test
  void work_in_time_commits() {
    Future<String> done = inRequest(Duration.ofSeconds(10), insert("in-time"));

    assertThat(await(done)).isEqualTo("in-time");
    assertThat(count()).isEqualTo(1);
  }

  @Test
  void a_connection_handed_out_after_the_deadline_is_given_back_unused() {
    // the only connection is busy for longer than the request may wait
    Future<Object> busy =
        pool.withTransaction(conn -> conn.query("SELECT SLEEP(1)").execute().map(r -> null));

    Throwable refused = failure(inRequest(Duration.ofMillis(200), insert("queued")));
    await(busy);
    // queued behind the refused request: by the time this runs, it has had the connection
    long after = await(Database.count(pool, "SELECT COUNT(*) AS n FROM items"));

    assertThat(refused).isInstanceOf(ApiException.class);
    assertThat(((ApiException) refused).errorCode()).isEqualTo(ErrorCode.DATABASE);
    assertThat(refused.getMessage()).contains("nothing was changed");
    assertThat(after).as("rows stored by the refused request").isZero();
  }

  @Test
  void work_still_running_at_the_deadline_is_answered_then_and_rolled_back() {
    Throwable refused =
        failure(
            inRequest(
                Duration.ofMillis(300),
                conn ->
                    insert("slow")
                        .apply(conn)
                        .compose(v -> conn.query("SELECT SLEEP(2)").execute())
                        .map("slow")));
    boolean answeredWhileItRan = sleepingSessions() > 0;
    // the work goes on until its statement returns, and ends then: the pool's only connection is
    // handed to this query once it has
    await(pool.query("SELECT 1").execute());

    assertThat(refused).isInstanceOf(ApiException.class);
    assertThat(answeredWhileItRan).as("answered at the deadline, not after the work").isTrue();
    assertThat(count()).as("rows stored by the refused request").isZero();
  }

  @Test
  void without_a_request_deadline_a_transaction_is_not_bounded() {
    Promise<String> done = Promise.promise();
    vertx.runOnContext(
        v ->
            Database.transaction(
                    pool,
                    conn ->
                        conn.query("SELECT SLEEP(0.3)")
                            .execute()
                            .compose(r -> insert("unbounded").apply(conn)))
                .onComplete(done));

    assertThat(await(done.future())).isEqualTo("unbounded");
    assertThat(count()).isEqualTo(1);
  }

  private static Function<SqlConnection, Future<String>> insert(String name) {
    return conn ->
        conn.preparedQuery("INSERT INTO items (name) VALUES (?)")
            .execute(io.vertx.sqlclient.Tuple.of(name))
            .map(name);
  }

  /** {@code work} as a request's transaction, on a request's own context with its deadline. */
  private static <T> Future<T> inRequest(Duration budget, Function<SqlConnection, Future<T>> work) {
    ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    Promise<T> done = Promise.promise();
    request.runOnContext(
        v -> {
          RequestDeadline.bind(request, System.nanoTime() + budget.toNanos());
          Database.transaction(pool, work).onComplete(done);
        });
    return done.future();
  }

  private static long count() {
    return await(Database.count(observer, "SELECT COUNT(*) AS n FROM items"));
  }

  private static long sleepingSessions() {
    return await(
        Database.count(
            observer,
            "SELECT COUNT(*) AS n FROM information_schema.processlist"
                + " WHERE info LIKE 'SELECT SLEEP(2)%'"));
  }

  private static Throwable failure(Future<?> future) {
    try {
      future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("expected a failure, got " + future.result());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
