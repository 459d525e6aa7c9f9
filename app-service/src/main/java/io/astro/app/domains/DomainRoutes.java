package io.astro.app.domains;

import static io.astro.app.http.Requests.body;

import io.astro.app.apps.TenantText;
import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An app's custom domains under {@code /api/v1/apps/{id}/domains} (behind the apps API's token
 * check, mounted after it): claim one (201, {@code pending_verification}, with the DNS records to
 * create), list them, free one. Another user's app answers 404 as everywhere in the apps API; a
 * domain any app already holds answers 409.
 */
public final class DomainRoutes {

  private static final String BASE = "/api/v1/apps/:id/domains";
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** The operator's side of custom domains. */
  public record Settings(
      String appsDomain, List<String> ingressAddresses, int maxPerApp, Clock clock) {

    public Settings {
      ingressAddresses = List.copyOf(ingressAddresses);
    }
  }

  private final DomainStore store;
  private final DomainRules rules;
  private final Settings settings;
  private final SecureRandom random = new SecureRandom();

  public DomainRoutes(DomainStore store, Settings settings) {
    this.store = store;
    this.settings = settings;
    this.rules = new DomainRules(settings.appsDomain());
  }

  public void mount(Router router) {
    router.post(BASE).consumes("application/json").handler(this::add);
    router.get(BASE).handler(this::list);
    router.delete(BASE + "/:domain").handler(this::remove);
    router.post(BASE + "/:domain/verify").handler(this::verify);
  }

  // a failed domain gets a fresh round of checks (same token); a pending one is checked now
  private void verify(RoutingContext ctx) {
    String appId = appId(ctx);
    if (appId == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    String domain = rules.domain(ctx.pathParam("domain"));
    store
        .retry(AuthHandler.caller(ctx).userId(), appId, domain, settings.clock().instant())
        .onSuccess(outcome -> answer(ctx, 200, outcome))
        .onFailure(ctx::fail);
  }

  private void add(RoutingContext ctx) {
    String domain = rules.domain(body(ctx));
    String appId = appId(ctx);
    if (appId == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    Caller caller = AuthHandler.caller(ctx);
    Domain claim =
        Domain.claim(domain, appId, caller.userId(), token(), settings.clock().instant());
    store
        .add(claim, settings.maxPerApp(), settings.appsDomain())
        .onSuccess(outcome -> answer(ctx, 201, outcome))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String appId = appId(ctx);
    if (appId == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    store
        .list(AuthHandler.caller(ctx).userId(), appId)
        .onSuccess(outcome -> answer(ctx, 200, outcome))
        .onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    String appId = appId(ctx);
    if (appId == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    String domain = rules.domain(ctx.pathParam("domain"));
    store
        .remove(AuthHandler.caller(ctx).userId(), appId, domain, settings.clock().instant())
        .onSuccess(outcome -> answer(ctx, 200, outcome))
        .onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, int status, DomainOutcome outcome) {
    if (outcome instanceof DomainOutcome.Added added) {
      ApiResponse.ok(
          ctx,
          status,
          view(added.domain(), added.k8sName(), added.appsDomain())
              .mergeIn(TenantText.certificate(null, null)));
    } else if (outcome instanceof DomainOutcome.Listed listed) {
      JsonArray items = new JsonArray();
      listed
          .domains()
          .forEach(
              d ->
                  items.add(
                      view(d, listed.k8sName(), listed.appsDomain())
                          .mergeIn(certificate(d, listed.certificates()))));
      ApiResponse.ok(
          ctx, status, new JsonObject().put("items", items).put("max", settings.maxPerApp()));
    } else if (outcome instanceof DomainOutcome.Retried retried) {
      ApiResponse.ok(
          ctx,
          status,
          view(retried.domain(), retried.k8sName(), retried.appsDomain())
              .mergeIn(TenantText.certificate(null, null)));
    } else if (outcome instanceof DomainOutcome.AlreadyVerified) {
      ctx.fail(
          new ApiException(
              ErrorCode.CONFLICT,
              "the domain is verified already; only a failed or pending one is checked again",
              new JsonObject().put("field", "domain")));
    } else if (outcome instanceof DomainOutcome.Throttled throttled) {
      ctx.response().putHeader("Retry-After", Long.toString(throttled.limit().retryAfterSeconds()));
      ctx.fail(
          new ApiException(
              ErrorCode.RATE_LIMITED, throttled.limit().message(), throttled.limit().toJson()));
    } else if (outcome instanceof DomainOutcome.Removed) {
      ApiResponse.ok(ctx, status, null);
    } else if (outcome instanceof DomainOutcome.AppNotFound) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
    } else if (outcome instanceof DomainOutcome.DomainNotFound) {
      ctx.fail(new ApiException(ErrorCode.NOT_FOUND, "the app has no such domain"));
    } else if (outcome instanceof DomainOutcome.BeingDeleted) {
      ctx.fail(new ApiException(ErrorCode.CONFLICT, "app is being deleted"));
    } else if (outcome instanceof DomainOutcome.Taken taken) {
      ctx.fail(
          new ApiException(
              ErrorCode.CONFLICT,
              taken.byThisApp()
                  ? "the app already has this domain"
                  : "this domain belongs to another app",
              new JsonObject().put("field", "domain")));
    } else if (outcome instanceof DomainOutcome.NoPublicUrls) {
      ctx.fail(
          new ApiException(
              ErrorCode.CONFLICT,
              "apps have no public URLs here, so no custom domain can reach them",
              new JsonObject().put("field", "domain")));
    } else if (outcome instanceof DomainOutcome.Reserved reserved) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNPROCESSABLE,
              "domain: names under "
                  + reserved.appsDomain()
                  + " are Astro's own; every app already has one there",
              new JsonObject().put("field", "domain")));
    } else if (outcome instanceof DomainOutcome.LimitReached limit) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNPROCESSABLE,
              "domain: the app already has "
                  + limit.max()
                  + " domains, the most allowed; remove one first",
              new JsonObject().put("field", "domain").put("max", limit.max())));
    }
  }

  // the app's own host: under its cluster's apps domain, else the operator's
  private JsonObject view(Domain domain, String k8sName, String clusterAppsDomain) {
    return domain.toJson(
        KubeNames.publicHost(
            k8sName, clusterAppsDomain != null ? clusterAppsDomain : settings.appsDomain()),
        settings.ingressAddresses());
  }

  /**
   * The domain's certificate as the app's last status reported it; a domain that is not verified
   * has none (its Ingress rule and certificate come with the verification).
   */
  private static JsonObject certificate(Domain domain, JsonArray certificates) {
    if (domain.status() == DomainStatus.VERIFIED) {
      for (Object o : certificates) {
        if (o instanceof JsonObject c && domain.domain().equals(c.getString("host"))) {
          return TenantText.certificate(c.getString("state"), c.getString("reason"));
        }
      }
    }
    return TenantText.certificate(null, null);
  }

  // 32 random bytes: no one guesses the value a domain's owner is asked to publish
  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String appId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return id != null && UUID.matcher(id).matches() ? id : null;
  }
}
