package io.astro.common.db.audit;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.db.outbox.OutboxStore;
import io.astro.common.events.Topics;
import io.astro.common.events.audit.AuditEvent;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a service's API calls in the audit trail ({@code io.astro.audit.v1} on {@code
 * astro.audit}): every call that changes something, whatever its answer, and the reads of other
 * users' data by operators. A service declares its actions ({@link #on}, {@link #adminRead}) and
 * mounts {@link #handler()} before its routes; once a matching request is answered, one line goes
 * into the service's own outbox in a statement of its own, and the relay publishes it.
 *
 * <p>A line holds the actor (from the verified token), the action, the target (its id from the
 * path, its name from one named field of the request body, or what the route {@linkplain #target
 * tells}), the answer's status and envelope code, the request id and the client's address. It never
 * holds a body: the only body fields read are the declared name fields (an app's, a token's, a
 * login's user name), so no password, token, kubeconfig or secret value can reach it.
 *
 * <p>A call refused before anyone is known (a token that does not verify) has no actor and is not
 * recorded, except for the actions that have none by nature (login, registration).
 */
public final class AuditTrail {

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  private static final String REAL_IP = "X-Real-IP";
  private static final String TARGET = "astro.audit.target";
  private static final String ACTOR = "astro.audit.actor";

  /** One declared action: the requests it covers and what it says about them. */
  private record Rule(
      HttpMethod method,
      Pattern path,
      String action,
      String targetType,
      List<String> nameFields,
      boolean self,
      boolean anonymous,
      boolean read) {}

  private final Pool pool;
  private final String service;
  private final String topic;
  private final Runnable wake;
  private final Clock clock;
  private final List<Rule> rules = new ArrayList<>();

  /**
   * @param service {@code user-service} or {@code app-service}
   * @param topic where the lines go ({@code astro.audit} unless configured otherwise)
   * @param wake asks the service's outbox relay for a pass after a line is committed
   */
  public AuditTrail(Pool pool, String service, String topic, Runnable wake, Clock clock) {
    if (!AuditEvent.SERVICES.contains(service)) {
      throw new IllegalArgumentException("unknown service " + service);
    }
    this.pool = pool;
    this.service = service;
    this.topic = topic;
    this.wake = wake;
    this.clock = clock;
  }

  /**
   * A change: {@code method} on paths matching {@code path} (a regular expression over the whole
   * normalized path; a group named {@code id} is the target's id, one named {@code name} its name,
   * and with a group named {@code parent} the id is {@code <parent>/<name>}) is {@code action} on a
   * {@code targetType}; its name may come from the first of {@code nameFields} the JSON body holds
   * as text.
   */
  public AuditTrail on(
      HttpMethod method, String path, String action, String targetType, String... nameFields) {
    return add(
        new Rule(
            method,
            compile(path, action),
            action,
            targetType,
            List.of(nameFields),
            false,
            false,
            false));
  }

  /** A change of the caller's own account: the target is the caller. */
  public AuditTrail onSelf(HttpMethod method, String path, String action) {
    return add(
        new Rule(method, compile(path, action), action, "user", List.of(), true, false, false));
  }

  /**
   * A call with no actor by nature (login, registration), recorded whatever its answer; the route
   * names the account once known ({@link #actor}).
   */
  public AuditTrail anonymous(
      HttpMethod method, String path, String action, String targetType, String... nameFields) {
    return add(
        new Rule(
            method,
            compile(path, action),
            action,
            targetType,
            List.of(nameFields),
            false,
            true,
            false));
  }

  /**
   * A read of other users' data, recorded when an operator makes it — or when anyone else is
   * refused it (403).
   */
  public AuditTrail adminRead(String path, String action, String targetType) {
    return add(
        new Rule(
            HttpMethod.GET,
            compile(path, action),
            action,
            targetType,
            List.of(),
            false,
            false,
            true));
  }

  /** The handler to mount before the service's routes (on every path). */
  public Handler<RoutingContext> handler() {
    List<Rule> declared = List.copyOf(rules);
    return ctx -> {
      String path = ctx.normalizedPath();
      HttpMethod method = ctx.request().method();
      for (Rule rule : declared) {
        // the method first: a matcher per declared rule was most of what a request not audited
        // (every read) allocated here
        if (!rule.method().equals(method)) {
          continue;
        }
        Matcher matcher = rule.path().matcher(path);
        if (matcher.matches()) {
          String name = group(matcher, "name");
          String parent = group(matcher, "parent");
          String id = parent != null && name != null ? parent + "/" + name : group(matcher, "id");
          ctx.addEndHandler(done -> answered(ctx, rule, id, name));
          break;
        }
      }
      ctx.next();
    };
  }

  /** Names the target once the route knows it (the id a create gave the new thing). */
  public static void target(RoutingContext ctx, String id, String name) {
    ctx.put(TARGET, new AuditEvent.Target("", clip(id), clip(name)));
  }

  /** Names the account an anonymous call turned out to be (a successful login). */
  public static void actor(RoutingContext ctx, String uuid) {
    ctx.put(ACTOR, uuid);
  }

  private AuditTrail add(Rule rule) {
    rules.add(rule);
    return this;
  }

  private void answered(RoutingContext ctx, Rule rule, String pathId, String pathName) {
    int status = ctx.response().getStatusCode();
    Caller caller = AuthHandler.callerOrNull(ctx);
    if (rule.read() && !(status == 403 || (caller != null && caller.isAdmin()))) {
      return;
    }
    AuditEvent.Actor actor = actor(ctx, caller);
    if (actor == null && !rule.anonymous()) {
      return;
    }
    AuditEvent.Target told = ctx.get(TARGET);
    String id = told != null && told.id() != null ? told.id() : pathId;
    String name = told != null && told.name() != null ? told.name() : pathName;
    if (rule.self() && caller != null) {
      id = caller.uuid();
    }
    if (name == null) {
      name = bodyName(ctx.body(), rule.nameFields());
    }
    Integer code = ctx.get(ApiResponse.ANSWERED_CODE);
    AuditEvent event =
        new AuditEvent(
            UUID.randomUUID().toString(),
            clock.instant(),
            service,
            actor,
            rule.action(),
            new AuditEvent.Target(rule.targetType(), clip(id), clip(name)),
            new AuditEvent.Outcome(status, code),
            clip(ctx.get(RequestIds.HEADER)),
            clip(clientIp(ctx)));
    record(event)
        .onFailure(
            e ->
                LOG.warn(
                    "audit line {} of request {} not written: {}",
                    event.action(),
                    event.requestId(),
                    e.getMessage()));
  }

  /**
   * Writes one line into the outbox in a statement of its own (nothing else changes with it, so no
   * transaction around it), then wakes the relay.
   */
  public Future<Void> record(AuditEvent event) {
    JsonObject headers = new JsonObject();
    if (event.requestId() != null) {
      headers.put(Topics.REQUEST_ID_HEADER, event.requestId());
    }
    OutboxMessage message = new OutboxMessage(AuditEvent.TYPE, event.encode(), headers, topic);
    return OutboxStore.insert(pool, event.key(), message).onSuccess(v -> wake.run());
  }

  private static AuditEvent.Actor actor(RoutingContext ctx, Caller caller) {
    if (caller != null) {
      boolean pat = caller.viaPersonalToken();
      return new AuditEvent.Actor(
          caller.uuid(),
          caller.userId(),
          caller.role(),
          pat ? AuditEvent.TokenKind.PAT : AuditEvent.TokenKind.SESSION,
          pat ? clip(caller.personalTokenId()) : null,
          pat ? clip(caller.personalTokenName()) : null);
    }
    String uuid = ctx.get(ACTOR);
    return uuid == null ? null : new AuditEvent.Actor(uuid, null, null, null, null, null);
  }

  // only the declared name fields are read, and only when they are text
  private static String bodyName(RequestBody body, List<String> fields) {
    if (fields.isEmpty() || body == null || body.isEmpty()) {
      return null;
    }
    JsonObject json;
    try {
      json = body.asJsonObject();
    } catch (RuntimeException notJson) {
      return null;
    }
    if (json == null) {
      return null;
    }
    for (String field : fields) {
      if (json.getValue(field) instanceof String text && !text.isBlank()) {
        return text.strip();
      }
    }
    return null;
  }

  private static String clientIp(RoutingContext ctx) {
    String real = ctx.request().getHeader(REAL_IP);
    if (real != null && !real.isBlank()) {
      return real.trim();
    }
    return ctx.request().remoteAddress() == null
        ? null
        : ctx.request().remoteAddress().hostAddress();
  }

  private static String group(Matcher matcher, String group) {
    try {
      return matcher.group(group);
    } catch (IllegalArgumentException none) {
      return null;
    }
  }

  private static String clip(String text) {
    return text == null || text.length() <= AuditEvent.MAX_TEXT
        ? text
        : text.substring(0, AuditEvent.MAX_TEXT);
  }

  private static Pattern compile(String path, String action) {
    if (!AuditEvent.ACTION.matcher(action).matches()) {
      throw new IllegalArgumentException("action " + action + " is not a dotted name");
    }
    return Pattern.compile(path);
  }
}
