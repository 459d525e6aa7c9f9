package io.astro.user;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.config.Env;
import io.astro.common.db.Database;
import io.astro.common.db.Housekeeping;
import io.astro.common.db.audit.AuditTrail;
import io.astro.common.db.outbox.OutboxRelay;
import io.astro.common.db.outbox.OutboxStore;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.ops.ReadinessCheck;
import io.astro.common.runtime.Service;
import io.astro.common.runtime.ServiceLauncher;
import io.astro.user.accounts.Accounts;
import io.astro.user.accounts.KeyMaterial;
import io.astro.user.accounts.LoginThrottle;
import io.astro.user.accounts.PasswordHasher;
import io.astro.user.accounts.WindowedCounter;
import io.astro.user.events.UserEvents;
import io.astro.user.http.AppCountsClient;
import io.astro.user.http.AuditActions;
import io.astro.user.http.UserRoutes;
import io.astro.user.store.UserMetrics;
import io.astro.user.store.UserStore;
import io.astro.user.tokens.ApiTokenStore;
import io.astro.user.tokens.ApiTokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Accounts, passwords and tokens. */
public final class Main {

  public static final String NAME = "user-service";

  // accounts and addresses each throttle remembers at most: a bounded memory under a flood
  private static final int MAX_TRACKED = 100_000;
  private static final int HOUSEKEEPING_BATCH = 5_000;

  private Main() {}

  public static void main(String[] args) {
    ServiceLauncher.run(() -> start(Env.system()));
  }

  /** Starts the service in this JVM; also how a launcher runs several services in one process. */
  public static Future<Service> start(Env env) {
    UserServiceConfig config = UserServiceConfig.from(env);
    SigningKeys keys = KeyMaterial.load(env);
    Service service = Service.create(NAME);
    Vertx vertx = service.vertx();
    Promise<Service> started = Promise.promise();
    Pool pool = Database.pool(vertx, config.db());
    // the schema is brought up on a worker thread while everything that does not read the
    // database is built and the ports open: each start-up step waits only for what it needs
    Future<Void> migrated = Database.migrate(vertx, pool, config.db(), "db/users");
    UserStore store = new UserStore(pool);
    PasswordHasher hasher =
        PasswordHasher.create(
            vertx, config.bcryptCost(), config.bcryptThreads(), config.bcryptMaxQueued());
    TokenIssuer issuer = TokenIssuer.create(vertx, config.jwt(), keys, config.tokenTtl());
    LoginThrottle throttle = new LoginThrottle(config.login(), MAX_TRACKED, Clock.systemUTC());
    WindowedCounter signups =
        new WindowedCounter(
            config.signupsPerIp(), config.signupWindow(), MAX_TRACKED, Clock.systemUTC());
    Accounts accounts =
        new Accounts(store, hasher, issuer, throttle, signups, new UserEvents(Clock.systemUTC()));
    OutboxRelay relay =
        new OutboxRelay(
            new OutboxStore(pool),
            config.kafka().bootstrap(),
            config.kafka().security(),
            config.kafka().usersTopic(),
            config.kafka().outboxPollInterval(),
            service.registry(),
            "user-service-outbox",
            "astro_user_events_emitted");
    UserServiceConfig.Lifecycle lifecycle = config.lifecycle();
    AuditTrail audit =
        AuditActions.declare(
            new AuditTrail(
                pool, NAME, config.kafka().auditTopic(), relay::wake, Clock.systemUTC()));
    AuthHandler auth =
        new AuthHandler(TokenVerifier.create(vertx, config.jwt(), List.of(keys.publicJwk())));
    UserRoutes routes =
        new UserRoutes(
            accounts,
            new ApiTokens(new ApiTokenStore(pool), issuer, config.apiTokensPerUser()),
            store,
            auth,
            keys,
            // a token issued just before a password change lives this long at most
            config.tokenTtl().plus(JwtSettings.MAX_LEEWAY),
            new AppCountsClient(vertx, config.appServiceUrl(), Duration.ofSeconds(2)));
    // the bootstrap admin (a bcrypt hash) beside the verticles' deployments, not before them
    Future<Void> admin =
        migrated.compose(
            v ->
                config.admin().configured()
                    ? accounts.ensureAdmin(
                        config.admin().username(),
                        config.admin().email(),
                        config.admin().password())
                    : Future.succeededFuture());
    Future<Service> workers =
        migrated
            .compose(v -> service.deploy(() -> UserMetrics.polled(pool, service.registry()), 1))
            // user events wait in the outbox while Kafka is away; nothing here needs it
            .compose(s -> service.deploy(() -> relay, 1))
            .compose(
                s ->
                    service.deploy(
                        () ->
                            new Housekeeping(
                                    pool,
                                    lifecycle.housekeepingInterval(),
                                    lifecycle.outboxRetention(),
                                    Clock.systemUTC(),
                                    HOUSEKEEPING_BATCH)
                                // deleted accounts' usernames and emails, once reserved long
                                // enough
                                .task(
                                    "released_names",
                                    (now, batch) ->
                                        store.releaseNames(lifecycle.usernameReservation(), batch)),
                        1));
    // open before the schema and the admin are in place, but not ready until they are
    BooleanSupplier startedUp = () -> admin.succeeded() && workers.succeeded();
    Future<Service> served =
        service.serve(
            config.http(),
            List.of(ReadinessCheck.loaded("start-up", startedUp), Database.readiness(pool)),
            router -> {
              // the port opens early; the API answers once the schema and the admin are in place
              router
                  .route("/api/*")
                  .handler(
                      ctx -> {
                        if (startedUp.getAsBoolean()) {
                          ctx.next();
                        } else {
                          var unused =
                              ApiResponse.error(
                                  ctx, ErrorCode.UNAVAILABLE, "starting up, retry shortly", null);
                        }
                      });
              // before the routes: it records each answer of theirs
              router.route("/api/*").handler(audit.handler());
              routes.mount(router);
            });
    // joined, not all: a refused start closes Vert.x only once every step has settled
    Future.join(migrated, admin, workers, served)
        .onComplete(
            done -> {
              if (done.succeeded()) {
                started.complete(service);
              } else {
                // a refused start (a bootstrap admin that would take over an account) leaves
                // nothing running; answered once Vert.x is closed, so not on one of its contexts
                service.close().onComplete(closed -> started.fail(done.cause()));
              }
            });
    return started.future();
  }
}
