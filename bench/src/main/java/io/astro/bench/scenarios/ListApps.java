package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;
import static io.astro.bench.Report.text;

import io.astro.bench.load.Api;
import io.astro.bench.load.LoadResult;
import io.astro.bench.load.Target;
import io.astro.bench.system.AstroSystem;
import io.astro.common.db.Database;
import io.astro.common.db.DbSettings;
import io.astro.dev.Databases;
import io.astro.testkit.db.MySqlServer;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * 5. {@code GET /api/v1/apps?limit=50} for a user with 1 000 apps, at a constant rate, straight to
 * app-service and through the gateway; a deep page too, the same server's {@code /health} beside
 * them (the tail of a request that does nothing), the database alone answering the first page's
 * statement (the part of the list app-service waits for), and MariaDB's plans for the query
 * app-service runs (the page with its total) and for the live-apps gauge's count. Runs with the
 * sync-worker stopped: the apps' commands wait on Kafka, so no cluster work competes.
 */
public final class ListApps {

  private static final int ROUNDS = 4;
  private static final String FLOOR = "direct, `/health` (no database)";
  private static final String DATABASE =
      "database alone, the first page's statement (app-service's pool settings)";

  private ListApps() {}

  public static void run(Context bench) {
    AstroSystem system = bench.system();
    Api api = new Api(system.url(AstroSystem.GATEWAY));
    Api.User user = api.newUser("many" + CommandToStatus.suffix());
    int apps = bench.profile().manyApps();
    createMany(api, user, apps);
    // another user's apps in the same table, so the index has to pick this user's out
    Api.User other = api.newUser("other" + CommandToStatus.suffix());
    createMany(api, other, Math.min(apps, 200));

    String first = "/api/v1/apps?limit=50";
    String deep = "/api/v1/apps?limit=50&page=" + Math.max(1, apps / 50);
    List<Target> targets =
        List.of(
            Target.get(
                "direct, first page", system.url(AstroSystem.APP_SERVICE) + first, user.token()),
            Target.get(
                "gateway, first page", system.url(AstroSystem.GATEWAY) + first, user.token()),
            Target.get(
                "direct, last page", system.url(AstroSystem.APP_SERVICE) + deep, user.token()),
            // the same server's cheapest answer (no token check, no database): the tail the
            // machine and this load put on any request, beside the list's
            Target.get(FLOOR, system.url(AstroSystem.APP_SERVICE) + "/health", user.token()));
    double rate = bench.profile().listRate();
    // closed loop through the gateway: both JVMs of the path compile it
    String warmed =
        JitWarmup.until(
            slice -> bench.load().closed(targets.get(1), 4, slice),
            List.of(
                system.service(AstroSystem.GATEWAY).pid(),
                system.service(AstroSystem.APP_SERVICE).pid()),
            bench.profile().listWindow().dividedBy(ROUNDS),
            bench.profile().jitWarmupBound());
    System.out.println("benchmark 5: measuring");
    StringBuilder md =
        new StringBuilder(
            f(
                "A user with %d apps (plus another with %d). A JIT warm-up through the gateway (%s),"
                    + " then open loop at %.0f req/s for %s each in 4 rounds taking turns, 4"
                    + " connections.\n\n",
                apps, Math.min(apps, 200), warmed, rate, text(bench.profile().listWindow())));
    md.append(
        "| request | req/s | p50 ms | p99 ms | p99.9 ms | errors |\n|---|---|---|---|---|---|\n");
    // the database's part of the first page: the statement behind it, from a pool with
    // app-service's settings, at the same rate
    long userId = manyAppsUser(system.database());
    Pool pool = Database.pool(bench.load().vertx(), settings(system.database()));
    String firstPage = pageStatement(userId, 0);
    IntFunction<io.vertx.core.Future<?>> query = n -> pool.preparedQuery(firstPage).execute();
    for (Target t : targets) {
      bench.load().open(t, 4, rate, bench.profile().warmup());
    }
    bench.load().open(DATABASE, 4, rate, bench.profile().warmup(), query);
    // in rounds, the requests taking turns: a stall of the machine hits all of them alike
    Map<String, LoadResult> results = new LinkedHashMap<>();
    Duration window = bench.profile().listWindow().dividedBy(ROUNDS);
    for (int round = 0; round < ROUNDS; round++) {
      for (Target t : targets) {
        results.merge(t.name(), bench.load().open(t, 4, rate, window), LoadResult::plus);
      }
      results.merge(
          DATABASE, bench.load().open(DATABASE, 4, rate, window, query), LoadResult::plus);
    }
    pool.close();
    for (LoadResult r : results.values()) {
      md.append(
          f(
              "| %s | %.0f | %.2f | %.2f | %.2f | %d |\n",
              r.target(), r.throughput(), r.millis(50), r.millis(99), r.millis(99.9), r.errors()));
    }
    LoadResult firstDirect = results.get(targets.get(0).name());
    LoadResult firstGateway = results.get(targets.get(1).name());
    LoadResult floor = results.get(FLOOR);
    LoadResult database = results.get(DATABASE);
    md.append(
        f(
            "\nThe list's own tail over the same server's `/health`: p50 %+.2f ms, p99 %+.2f ms"
                + " (direct, first page). Over the database's answer to the page's statement:"
                + " p50 %+.2f ms, p99 %+.2f ms.\n",
            firstDirect.millis(50) - floor.millis(50),
            firstDirect.millis(99) - floor.millis(99),
            firstDirect.millis(50) - database.millis(50),
            firstDirect.millis(99) - database.millis(99)));
    md.append(
            "\nMariaDB's plans for the query behind the first and the last page, and for the"
                + " live-apps gauge's count:\n\n```\n")
        .append(explain(system.database(), userId))
        .append("```\n");
    bench
        .report()
        .goal(
            "5. list apps",
            "p99 ≤ 5 ms, 1 000 apps, limit=50 (direct / gateway)",
            f("%.2f / %.2f ms", firstDirect.millis(99), firstGateway.millis(99)),
            firstGateway.millis(99) <= 5);
    bench.report().section("5. List apps of a user with many apps", md.toString());
  }

  private static void createMany(Api api, Api.User user, int apps) {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < apps; i++) {
        String name = "app-" + i;
        done.add(pool.submit(() -> api.create(user, name)));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      throw new IllegalStateException("creating " + apps + " apps failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** EXPLAIN of the first and the last page's statement and of the live-apps gauge's count. */
  private static String explain(MySqlServer db, long userId) {
    StringBuilder out = new StringBuilder();
    try (Connection c = connect(db)) {
      for (String sql :
          List.of(
              pageStatement(userId, 0),
              // the last page's offset shows the index-only skip
              pageStatement(userId, 950),
              // the live-apps gauge's (AppMetrics), every 5 s on every instance
              "SELECT status, COUNT(*) AS n FROM apps WHERE deleted_at IS NULL GROUP BY status")) {
        out.append(sql).append('\n');
        try (PreparedStatement s = c.prepareStatement("EXPLAIN " + sql);
            ResultSet rows = s.executeQuery()) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 1; i <= columns; i++) {
              line.append(rows.getMetaData().getColumnLabel(i))
                  .append('=')
                  .append(rows.getString(i))
                  .append(' ');
            }
            out.append(line.toString().stripTrailing()).append('\n');
          }
        }
      }
    } catch (SQLException e) {
      out.append("EXPLAIN failed: ").append(e.getMessage()).append('\n');
    }
    return out.toString();
  }

  /**
   * A page of 50 with the total (the owner's count of live apps), as AppStore.list sends it, the
   * user's id written in; every column of the rows (app-service names 33 of them).
   */
  private static String pageStatement(long userId, int offset) {
    return "SELECT (SELECT live_apps FROM app_owners WHERE user_id = "
        + userId
        + ") AS total, a.* FROM apps a JOIN (SELECT seq FROM apps WHERE user_id = "
        + userId
        + " AND deleted_at IS NULL ORDER BY seq DESC LIMIT 50 OFFSET "
        + offset
        + ") picked USING (seq) ORDER BY seq DESC";
  }

  /** The id of the user with the most live apps: the one the list is measured for. */
  private static long manyAppsUser(MySqlServer db) {
    try (Connection c = connect(db);
        PreparedStatement s =
            c.prepareStatement(
                "SELECT user_id FROM apps WHERE deleted_at IS NULL"
                    + " GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1");
        ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("finding the user with many apps: " + e.getMessage(), e);
    }
  }

  private static Connection connect(MySqlServer db) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + Databases.APPS,
        db.user(),
        db.password());
  }

  /** app-service's pool settings, four connections like the load's. */
  private static DbSettings settings(MySqlServer db) {
    return new DbSettings(
        db.host(),
        db.port(),
        Databases.APPS,
        db.user(),
        db.password(),
        4,
        Duration.ofSeconds(2),
        DbSettings.Tls.OFF,
        null);
  }
}
