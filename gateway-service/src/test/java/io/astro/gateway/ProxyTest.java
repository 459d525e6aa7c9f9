package io.astro.gateway;

import static io.astro.gateway.GatewayFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests pass through to the right upstream, with the right headers, and bodies stream both ways.
 */
class ProxyTest {

  private static final int LIMIT = 256 * 1024;
  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture().with("ASTRO_HTTP_BODY_LIMIT", Integer.toString(LIMIT)).start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void forwards_identity_and_origin_headers_and_strips_hop_by_hop_ones_both_ways() {
    String token = fixture.token();
    MultiMap headers =
        GatewayFixture.bearer(token)
            .add("X-Request-Id", "trace-42")
            .add("Connection", "keep-alive, X-Hop-Secret")
            .add("X-Hop-Secret", "only for the next hop")
            .add("Keep-Alive", "timeout=5")
            .add("Proxy-Authorization", "Basic c2VjcmV0")
            .add("TE", "trailers")
            .add("X-Forwarded-For", "6.6.6.6")
            .add("X-Real-IP", "6.6.6.6")
            .add("X-Custom", "kept");

    Reply reply =
        fixture.sendRaw(HttpMethod.GET, "/api/v1/apps/a9?page=2&status=running", headers, null);

    assertThat(reply.status()).isEqualTo(200);
    JsonObject seen = reply.json();
    assertThat(seen.getString("uri")).isEqualTo("/api/v1/apps/a9?page=2&status=running");
    JsonObject upstream = seen.getJsonObject("headers");
    assertThat(upstream.getString("x-request-id")).isEqualTo("trace-42");
    assertThat(upstream.getString("authorization")).isEqualTo("Bearer " + token);
    assertThat(upstream.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    // the address user-service's login and sign-up limits key on: ours, never the client's word
    assertThat(upstream.getString("x-real-ip")).isEqualTo("127.0.0.1");
    assertThat(upstream.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(upstream.getString("x-forwarded-host"))
        .isEqualTo("127.0.0.1:" + fixture.gateway.httpPort());
    assertThat(upstream.getString("x-custom")).isEqualTo("kept");
    assertThat(upstream.fieldNames())
        .doesNotContain("x-hop-secret", "keep-alive", "proxy-authorization", "te");

    assertThat(reply.headers().get("X-Upstream")).isEqualTo("echo");
    assertThat(reply.headers().getAll("X-Request-Id")).containsExactly("trace-42");
    assertThat(reply.headers().names()).doesNotContain("X-Upstream-Private", "Keep-Alive");
  }

  @Test
  void header_names_are_told_apart_whatever_their_case() {
    MultiMap headers =
        GatewayFixture.bearer(fixture.token())
            .add("X-REQUEST-ID", "trace-43")
            .add("CONNECTION", "X-HOP-SECRET")
            .add("x-hop-secret", "only for the next hop")
            .add("KEEP-ALIVE", "timeout=5")
            .add("proxy-AUTHORIZATION", "Basic c2VjcmV0")
            .add("X-FORWARDED-FOR", "6.6.6.6")
            .add("x-Forwarded-Proto", "https")
            .add("FORWARDED", "for=6.6.6.6")
            .add("X-REAL-IP", "6.6.6.6")
            .add("X-Custom-Mixed", "kept");

    Reply reply = fixture.sendRaw(HttpMethod.GET, "/api/v1/apps/a9", headers, null);

    assertThat(reply.status()).isEqualTo(200);
    JsonObject upstream = reply.json().getJsonObject("headers");
    assertThat(upstream.getString("x-request-id")).isEqualTo("trace-43");
    assertThat(upstream.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(upstream.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(upstream.getString("x-real-ip")).isEqualTo("127.0.0.1");
    assertThat(upstream.getString("x-custom-mixed")).isEqualTo("kept");
    assertThat(upstream.fieldNames())
        .doesNotContain("x-hop-secret", "keep-alive", "proxy-authorization", "forwarded");
  }

  @Test
  void each_route_reaches_its_upstream_and_unknown_paths_get_the_404_envelope() {
    String token = fixture.token();
    int users =
        fixture.users.hits("/api/v1/users/me")
            + fixture.users.hits("/api/v1/admin/users/u1/disable");
    List<String> appPaths =
        List.of(
            "/api/v1/apps",
            "/api/v1/clusters/c1",
            "/api/v1/registries/ghcr",
            "/api/v1/quota",
            "/api/v1/audit",
            "/api/v1/admin/audit");
    int apps = appPaths.stream().mapToInt(fixture.apps::hits).sum();

    assertThat(fixture.get("/api/v1/users/me", token).status()).isEqualTo(200);
    assertThat(fixture.post("/api/v1/admin/users/u1/disable", token, "{}").status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/apps", token).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/clusters/c1", token).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/registries/ghcr", token).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/quota", token).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/audit", token).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/admin/audit", token).status()).isEqualTo(200);
    Reply unknown = fixture.get("/api/v1/nothing-here", token);
    Reply lookalike = fixture.get("/api/v1/appsx", token);

    assertThat(
            fixture.users.hits("/api/v1/users/me")
                + fixture.users.hits("/api/v1/admin/users/u1/disable"))
        .isEqualTo(users + 2);
    assertThat(appPaths.stream().mapToInt(fixture.apps::hits).sum()).isEqualTo(apps + 6);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo(10004);
    assertThat(lookalike.status()).isEqualTo(404);
  }

  @Test
  void register_and_login_need_no_token() {
    assertThat(fixture.post("/api/v1/register", null, "{\"username\":\"ann\"}").status())
        .isEqualTo(200);
    assertThat(
            fixture
                .post("/api/v1/login", null, "{\"username\":\"ann\"}")
                .json()
                .getString("method"))
        .isEqualTo("POST");
  }

  @Test
  void a_streamed_response_reaches_the_client_chunk_by_chunk() {
    StringBuilder received = new StringBuilder();
    Promise<String> firstChunk = Promise.promise();
    Promise<Void> ended = Promise.promise();
    await(
        fixture
            .client
            .request(
                new RequestOptions()
                    .setURI(FakeUpstream.LOGS + "?follow=true")
                    .setHeaders(GatewayFixture.bearer(fixture.token())))
            .compose(HttpClientRequest::send)
            .onSuccess(
                response ->
                    response
                        .handler(
                            chunk -> {
                              synchronized (received) {
                                received.append(chunk);
                              }
                              firstChunk.tryComplete(chunk.toString());
                            })
                        .endHandler(end -> ended.complete())));

    assertThat(await(firstChunk.future())).isEqualTo("line 1\n");
    assertThat(ended.future().isComplete()).as("the upstream has not finished yet").isFalse();

    fixture.apps.releaseLogs.complete();
    await(ended.future());
    synchronized (received) {
      assertThat(received.toString()).isEqualTo("line 1\nline 2\n");
    }
  }

  @Test
  void an_answer_cut_short_reaches_the_client_cut_short_not_as_a_whole_one() {
    Future<Buffer> body =
        fixture
            .client
            .request(
                new RequestOptions()
                    .setURI(FakeUpstream.CUT)
                    .setHeaders(GatewayFixture.bearer(fixture.token())))
            .compose(HttpClientRequest::send)
            .compose(HttpClientResponse::body);

    // a failure, not the 10 bytes as a complete answer (and not a hang)
    assertThatThrownBy(() -> await(body)).isNotInstanceOf(AssertionError.class);
  }

  @Test
  void an_upload_reaches_the_upstream_while_the_client_is_still_sending() {
    long before = fixture.apps.uploaded.get();
    HttpClientRequest upload =
        await(
            fixture.client.request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setURI(FakeUpstream.UPLOAD)
                    .setHeaders(GatewayFixture.bearer(fixture.token()))));
    upload.setChunked(true);
    await(upload.write(Buffer.buffer(new byte[64 * 1024])));

    fixture.eventually(
        "the first half arrives upstream before the upload ends",
        () -> fixture.apps.uploaded.get() - before >= 64 * 1024);
    await(upload.end(Buffer.buffer(new byte[64 * 1024])));
    JsonObject seen = await(upload.response().compose(r -> r.body())).toJsonObject();

    assertThat(seen.getLong("bodyBytes")).isEqualTo(128 * 1024L);
  }

  @Test
  void a_body_announced_over_the_limit_is_refused_before_reaching_the_upstream() {
    int hits = fixture.apps.hits("/api/v1/apps");

    Reply reply =
        fixture.send(
            HttpMethod.POST,
            "/api/v1/apps",
            GatewayFixture.bearer(fixture.token()),
            Buffer.buffer(new byte[LIMIT + 1]));

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.code()).isEqualTo(10006);
    assertThat(fixture.apps.hits("/api/v1/apps")).isEqualTo(hits);
  }

  @Test
  void a_streamed_body_growing_over_the_limit_is_cut_off_with_413() {
    HttpClientRequest upload =
        await(
            fixture.client.request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setURI("/api/v1/apps/too-big")
                    .setHeaders(GatewayFixture.bearer(fixture.token()))));
    upload.setChunked(true);
    upload.end(Buffer.buffer(new byte[LIMIT + 1024]));

    Reply reply =
        await(
            upload
                .response()
                .compose(
                    r -> r.body().map(b -> new Reply(r.statusCode(), r.headers(), b.toString()))));

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.code()).isEqualTo(10006);
  }

  @Test
  void a_refused_request_with_an_unread_body_leaves_the_connection_usable() {
    HttpClient oneConnection =
        fixture.vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(fixture.gateway.httpPort()),
            new PoolOptions().setHttp1MaxSize(1));
    for (int i = 0; i < 3; i++) {
      int status =
          await(
              oneConnection
                  .request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/v1/apps"))
                  .compose(request -> request.send(Buffer.buffer(new byte[100 * 1024])))
                  .map(response -> response.statusCode()));
      assertThat(status).isEqualTo(401);
    }
    await(oneConnection.close());
  }

  @Test
  void metrics_label_requests_by_route_template_not_raw_path() {
    fixture.get("/api/v1/apps/some-app-id", fixture.token());

    String metrics = fixture.metrics();

    assertThat(metrics)
        .containsPattern(
            "astro_gateway_requests_seconds_count\\{[^}]*route=\"/api/v1/apps/\\*\\*\"[^}]*status=\"200\"");
    assertThat(metrics).contains("astro_gateway_requests_seconds_bucket{");
    assertThat(metrics).doesNotContain("some-app-id");
  }

  @Test
  void upstream_calls_are_timed_by_the_route_metrics_not_again_by_vertx_client_metrics() {
    fixture.get("/api/v1/apps", fixture.token());

    String metrics = fixture.metrics();

    assertThat(metrics).contains("vertx_http_server_requests_total{");
    assertThat(metrics)
        .containsPattern("astro_gateway_requests_seconds_count\\{[^}]*status=\"200\"");
    assertThat(metrics).doesNotContain("vertx_http_client_");
  }
}
