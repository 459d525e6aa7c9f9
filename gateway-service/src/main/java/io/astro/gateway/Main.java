package io.astro.gateway;

import io.astro.common.auth.DisabledUsers;
import io.astro.common.auth.KeySource;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.http.ApiRouter;
import io.astro.common.http.StreamSlots;
import io.astro.common.ops.ReadinessCheck;
import io.astro.common.runtime.Service;
import io.astro.common.runtime.ServiceLauncher;
import io.astro.gateway.auth.Authenticator;
import io.astro.gateway.auth.PersonalTokens;
import io.astro.gateway.auth.PublicKeyPem;
import io.astro.gateway.proxy.ForwardedHeaders;
import io.astro.gateway.proxy.Upstream;
import io.astro.gateway.proxy.UpstreamProxy;
import io.astro.gateway.proxy.Upstreams;
import io.astro.gateway.ratelimit.KeyedRateLimiter;
import io.astro.gateway.ratelimit.RateLimits;
import io.github.bucket4j.TimeMeter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MetricsDomain;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/** The public HTTP edge: authenticates requests and routes them to user-service and app-service. */
public final class Main {

  public static final String NAME = "gateway-service";

  private Main() {}

  public static void main(String[] args) {
    ServiceLauncher.run(() -> start(Env.system()));
  }

  /** Starts the service in this JVM; also how a launcher runs several services in one process. */
  public static Future<Service> start(Env env) {
    GatewayConfig config = GatewayConfig.from(env);
    List<JsonObject> fixedKeys =
        config.keys().fixed() ? fixedKeys(config.keys().publicKeyPem()) : null;
    // every proxied request is an upstream call: astro_gateway_requests_seconds and resilience4j's
    // metrics already time and count them, and Vert.x's vertx_http_client_* cost ~3 % of the CPU
    Service service = Service.create(NAME, Set.of(MetricsDomain.HTTP_CLIENT));
    GatewayConfig.Resilience resilience = config.resilience();

    ControlClient control = new ControlClient(service.vertx(), resilience.timeout());
    KeySource keys =
        fixedKeys != null
            ? KeySource.fixed(config.jwt(), fixedKeys)
            : KeySource.jwks(
                config.jwt(),
                () -> control.getJson(config.keys().jwks()),
                config.keys().refresh(),
                config.keys().minRefetch());
    DisabledUsers disabled =
        new DisabledUsers(
            () -> control.getJson(config.userService().resolve("/internal/v1/users/disabled")),
            config.disabledPoll(),
            service.registry(),
            "astro.gateway");

    // exchanges have their own pool: a burst of them never delays the key and list polls
    PersonalTokens personalTokens =
        new PersonalTokens(
            new ControlClient(service.vertx(), resilience.timeout(), 16),
            config.userService().resolve("/internal/v1/tokens/exchange"),
            keys,
            disabled,
            config.tokenCache(),
            Clock.systemUTC());
    ForwardedHeaders forwarded = new ForwardedHeaders(config.trustForwarded());
    Upstreams upstreams =
        new Upstreams(service.vertx(), resilience, config.streams().bulkhead(), service.registry());
    Upstream userService = upstreams.create("user-service", config.userService());
    Upstream appService = upstreams.create("app-service", config.appService());
    RateLimits rateLimits =
        new RateLimits(
            new KeyedRateLimiter(
                config.authRate().requests(),
                config.authRate().window(),
                config.rateLimitKeys(),
                TimeMeter.SYSTEM_NANOTIME),
            new KeyedRateLimiter(
                config.userRate().requests(),
                config.userRate().window(),
                config.rateLimitKeys(),
                TimeMeter.SYSTEM_NANOTIME),
            forwarded);
    GatewayRoutes routes =
        new GatewayRoutes(
            proxy(userService, forwarded, config),
            proxy(appService, forwarded, config),
            new Authenticator(
                keys,
                disabled,
                personalTokens,
                config.tokenCache(),
                rateLimits::takeCredentialCheck),
            disabled,
            rateLimits,
            new RouteMetrics(service.registry()),
            config.http().bodyLimitBytes(),
            config.corsOrigins(),
            new StreamSlots(config.streams().perUser()));

    List<ReadinessCheck> checks =
        List.of(
            ReadinessCheck.of(
                userService.name(), () -> control.probe(config.userService().resolve("/health"))),
            ReadinessCheck.of(
                appService.name(), () -> control.probe(config.appService().resolve("/health"))),
            ReadinessCheck.loaded("token-keys", () -> keys.current() != null),
            ReadinessCheck.loaded("disabled-users", disabled::loaded));
    // each start completes after its first fetch from user-service: both fetches go out together
    return service
        .deployAll(List.of(() -> keys, () -> disabled))
        .compose(
            s ->
                s.serve(
                    config.http(),
                    checks,
                    router -> {
                      ApiRouter.streamBodies(router, GatewayRoutes::proxied);
                      routes.mount(router);
                    }))
        .onFailure(failed -> service.close());
  }

  private static UpstreamProxy proxy(
      Upstream upstream, ForwardedHeaders forwarded, GatewayConfig config) {
    return new UpstreamProxy(
        upstream,
        forwarded,
        GatewayRoutes::streaming,
        config.resilience().timeout(),
        config.resilience().streamTimeout(),
        config.streams().lifetime(),
        config.http().bodyLimitBytes());
  }

  private static List<JsonObject> fixedKeys(String pem) {
    try {
      return PublicKeyPem.toJwks(pem);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ASTRO_JWT_PUBLIC_KEY(_FILE): " + e.getMessage());
    }
  }
}
