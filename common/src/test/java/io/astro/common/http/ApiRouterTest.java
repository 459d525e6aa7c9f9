package io.astro.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.config.HttpSettings;
import io.astro.common.logging.JsonLineEncoder;
import io.astro.common.ops.OpsRoutes;
import io.astro.common.runtime.ApiServerVerticle;
import io.astro.common.runtime.Service;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The behaviour every service's HTTP edge inherits from {@link ApiRouter}. */
class ApiRouterTest {

  private static final org.slf4j.Logger HANDLER_LOG = LoggerFactory.getLogger("test.handler");
  private static final ByteArrayOutputStream LOG_LINES = new ByteArrayOutputStream();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final SigningKeys KEYS = SigningKeys.generate();
  private static final JwtSettings JWT =
      new JwtSettings("astro", "astro-api", Duration.ofSeconds(30));
  private static Service service;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    captureJsonLogs();
    service = Service.create("test-service");
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, 1024);
    OpsRoutes ops = OpsRoutes.create(service.registry(), List.of());
    ApiServerVerticle server =
        new ApiServerVerticle(
            settings,
            vertx -> {
              Router router = ApiRouter.create(vertx, settings, ops);
              ApiRouter.streamBodies(router, path -> path.startsWith("/stream/"));
              router
                  .get("/stream/refused")
                  .handler(ctx -> ctx.fail(new ApiException(ErrorCode.UNAUTHORIZED)));
              // reads the body only after an asynchronous hop, as a proxy does after authenticating
              router
                  .post("/stream/count")
                  .handler(
                      ctx ->
                          vertx.setTimer(
                              50,
                              timer -> {
                                long[] bytes = {0};
                                ctx.request()
                                    .handler(chunk -> bytes[0] += chunk.length())
                                    .endHandler(end -> ApiResponse.ok(ctx, bytes[0]));
                                ctx.request().resume();
                              }));
              router
                  .post("/echo")
                  .consumes("application/json")
                  .handler(ctx -> ApiResponse.ok(ctx, ctx.body().asJsonObject()));
              router
                  .get("/boom")
                  .handler(
                      ctx -> {
                        throw new IllegalStateException("internal detail: row 17 locked by txn 9");
                      });
              router
                  .get("/invalid")
                  .handler(
                      ctx ->
                          new FieldErrors()
                              .add("name", "must be a DNS-1123 label")
                              .add("replicas", "must be between 0 and 10")
                              .throwIfAny());
              router
                  .get("/async-conflict")
                  .handler(
                      ctx ->
                          Future.<Void>failedFuture(new ApiException(ErrorCode.APP_EXISTS))
                              .onFailure(ctx::fail));
              router
                  .get("/me")
                  .handler(
                      new AuthHandler(TokenVerifier.create(vertx, JWT, List.of(KEYS.publicJwk()))))
                  .handler(ctx -> ApiResponse.ok(ctx, AuthHandler.caller(ctx).uuid()));
              router
                  .get("/whoami")
                  .handler(ctx -> ApiResponse.ok(ctx, ctx.request().getHeader(RequestIds.HEADER)));
              // held by the route: Vert.x closes a client once nothing references it, so one made
              // per request and dropped can lose its connection to a collection mid-call
              io.vertx.core.http.HttpClient downstream = vertx.createHttpClient();
              router
                  .get("/relay")
                  .handler(
                      ctx ->
                          downstream
                              .request(
                                  new RequestOptions()
                                      .setMethod(HttpMethod.GET)
                                      .setHost("127.0.0.1")
                                      .setPort(ctx.request().localAddress().port())
                                      .setURI("/whoami")
                                      .setHeaders(RequestIds.propagate(HttpHeaders.headers())))
                              .compose(request -> request.send())
                              .compose(HttpClientResponse::body)
                              .onSuccess(
                                  body ->
                                      ApiResponse.ok(ctx, body.toJsonObject().getString("data")))
                              .onFailure(ctx::fail));
              router
                  .get("/logs")
                  .handler(
                      ctx ->
                          vertx
                              .executeBlocking(
                                  () -> {
                                    HANDLER_LOG.info("worked off the event loop");
                                    return "done";
                                  })
                              .onSuccess(done -> ApiResponse.ok(ctx, done)));
              return router;
            });
    service.deploy(() -> server, 1).await();
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  static void stop() {
    service.close().await();
  }

  @Test
  void unknown_paths_answer_404_in_the_envelope_with_a_generated_request_id() throws Exception {
    HttpResponse<String> response = get("/nowhere");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10004);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(response.headers().firstValue(RequestIds.HEADER))
        .hasValueSatisfying(id -> assertThat(id).hasSize(36));
  }

  @Test
  void a_well_formed_client_request_id_is_echoed_and_a_forged_one_replaced() throws Exception {
    HttpResponse<String> echoed =
        send(
            HttpRequest.newBuilder(URI.create(base + "/health"))
                .header(RequestIds.HEADER, "abc-123"));
    HttpResponse<String> replaced =
        send(
            HttpRequest.newBuilder(URI.create(base + "/health"))
                .header(RequestIds.HEADER, "x\"}{injected"));

    assertThat(echoed.headers().firstValue(RequestIds.HEADER)).hasValue("abc-123");
    assertThat(replaced.headers().firstValue(RequestIds.HEADER))
        .hasValueSatisfying(id -> assertThat(id).doesNotContain("injected"));
  }

  @Test
  void a_wrong_method_answers_405() throws Exception {
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(URI.create(base + "/echo")).DELETE());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10005);
  }

  @Test
  void a_body_over_the_limit_answers_413() throws Exception {
    String big = "{\"x\":\"" + "a".repeat(2048) + "\"}";
    HttpResponse<String> response = post("/echo", "application/json", big);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10006);
  }

  @Test
  void streamed_paths_skip_the_body_handler_and_keep_every_byte_for_their_handler()
      throws Exception {
    HttpResponse<String> streamed =
        post("/stream/count", "application/octet-stream", "s".repeat(64 * 1024));

    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(envelope(streamed).getLong("data")).isEqualTo(64 * 1024L);
  }

  @Test
  void a_streamed_request_refused_unread_leaves_its_connection_usable() throws Exception {
    HttpClient oneConnection = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response =
          oneConnection.send(
              HttpRequest.newBuilder(URI.create(base + "/stream/refused"))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(401);
    }
  }

  @Test
  void a_wrong_content_type_answers_415() throws Exception {
    HttpResponse<String> response = post("/echo", "text/plain", "hello");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10007);
  }

  @Test
  void malformed_json_answers_400_not_500() throws Exception {
    HttpResponse<String> response = post("/echo", "application/json", "{\"name\": ");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10001);
    assertThat(envelope(response).getString("message")).contains("JSON");
  }

  @Test
  void well_formed_json_passes_through() throws Exception {
    HttpResponse<String> response = post("/echo", "application/json", "{\"name\":\"web\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(envelope(response))
        .isEqualTo(
            new JsonObject()
                .put("code", 0)
                .put("message", "ok")
                .put("data", new JsonObject().put("name", "web")));
  }

  @Test
  void an_unexpected_exception_answers_500_without_leaking_anything() throws Exception {
    HttpResponse<String> response = get("/boom");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(envelope(response).getInteger("code")).isEqualTo(30001);
    assertThat(response.body()).doesNotContain("row 17", "txn 9", "Exception", "at io.");
    assertThat(logged())
        .contains("row 17 locked by txn 9")
        .contains(response.headers().firstValue(RequestIds.HEADER).orElseThrow());
  }

  @Test
  void validation_errors_name_every_bad_field() throws Exception {
    HttpResponse<String> response = get("/invalid");

    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject body = envelope(response);
    assertThat(body.getInteger("code")).isEqualTo(10001);
    assertThat(
            body.getJsonObject("data").getJsonArray("fields").stream()
                .map(f -> ((JsonObject) f).getString("field")))
        .containsExactly("name", "replicas");
    assertThat(body.getString("message")).contains("name", "replicas");
  }

  @Test
  void api_exceptions_failed_into_futures_keep_their_code_and_status() throws Exception {
    HttpResponse<String> response = get("/async-conflict");

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(envelope(response).getInteger("code")).isEqualTo(21002);
  }

  @Test
  void log_lines_carry_the_request_id_even_off_the_event_loop() throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/logs"))
                .header(RequestIds.HEADER, "trace-77"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(logged())
        .containsPattern(
            "\"message\":\"worked off the event loop\"[^\\n]*\"request_id\":\"trace-77\"");
  }

  @Test
  void the_request_id_is_handed_on_to_downstream_calls() throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/relay")).header(RequestIds.HEADER, "hop-1"));

    assertThat(envelope(response).getString("data")).isEqualTo("hop-1");
  }

  @Test
  void protected_routes_need_a_valid_bearer_token() throws Exception {
    String token =
        TokenIssuer.create(service.vertx(), JWT, KEYS, Duration.ofMinutes(5))
            .issue("user-9", 9, "user")
            .token();

    HttpResponse<String> none = get("/me");
    HttpResponse<String> basic =
        send(
            HttpRequest.newBuilder(URI.create(base + "/me"))
                .header("Authorization", "Basic dXNlcjpwYXNz"));
    HttpResponse<String> bearer =
        send(
            HttpRequest.newBuilder(URI.create(base + "/me"))
                .header("Authorization", "Bearer " + token));

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(envelope(none).getInteger("code")).isEqualTo(10002);
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(envelope(bearer).getString("data")).isEqualTo("user-9");
  }

  private static void captureJsonLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(LOG_LINES);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  private static String logged() {
    synchronized (LOG_LINES) {
      return LOG_LINES.toString(StandardCharsets.UTF_8);
    }
  }

  static JsonObject envelope(HttpResponse<String> response) {
    JsonObject body = new JsonObject(response.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("code", "message", "data");
    return body;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)));
  }

  private static HttpResponse<String> post(String path, String contentType, String body)
      throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
