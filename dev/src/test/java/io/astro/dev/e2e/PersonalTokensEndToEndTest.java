package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.Databases;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Personal API tokens as a CI job uses them, through the gateway only, with the secret as the
 * bearer token (as {@code curl -H "Authorization: Bearer astro_pat_..."} sends it): a write token
 * creates an app, a read token lists but may not create, a revoked token is refused within the
 * bound the poll promises, an expired one at once; app-service refuses a read token's write itself
 * too.
 */
class PersonalTokensEndToEndTest {

  /** The gateway drops a revoked token's access tokens within this (README: 15 s). */
  private static final Duration REVOCATION_BOUND = Duration.ofSeconds(15);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void a_write_token_creates_an_app_and_a_read_token_lists_it_but_may_not_create() {
    Gateway api = astro.gateway();
    User user = api.newUser("ci");
    String writer = create(api, user, "deploy job", "write").getString("token");
    String reader = create(api, user, "dashboard", "read").getString("token");

    Answer created =
        api.post(
            "/api/v1/apps",
            writer,
            new JsonObject().put("name", "from-ci").put("image", "nginx:1.27").put("port", 80));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.data().getString("id");

    Answer listed = api.get("/api/v1/apps", reader);
    assertThat(listed.status()).as(listed.body()).isEqualTo(200);
    assertThat(listed.items().stream().map(a -> ((JsonObject) a).getString("id"))).contains(id);
    assertThat(api.get("/api/v1/apps/" + id, reader).status()).isEqualTo(200);
    Answer refused =
        api.post(
            "/api/v1/apps",
            reader,
            new JsonObject().put("name", "not-allowed").put("image", "nginx:1.27"));
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo(10012);
    assertThat(api.delete("/api/v1/apps/" + id, reader).status()).isEqualTo(403);
    assertThat(api.get("/api/v1/apps", user.token()).items()).hasSize(1);

    // personal tokens cannot manage personal tokens, whatever their scope
    Answer selfMinted =
        api.post(
            "/api/v1/users/me/tokens",
            writer,
            new JsonObject()
                .put("name", "forever")
                .put("expires_in_days", 365)
                .put("scope", "write"));
    assertThat(selfMinted.status()).isEqualTo(403);
    assertThat(selfMinted.code()).isEqualTo(10012);
    assertThat(api.get("/api/v1/users/me/tokens", user.token()).items()).hasSize(2);

    // the audit trail tells the login's calls from each personal token's, by name; the read
    // token's writes were refused by the gateway itself and never reached a service that records
    Answer trail =
        Eventually.await(
            "the user's five actions on the audit trail",
            Gateway.WAIT,
            () -> api.get("/api/v1/audit?limit=100", user.token()),
            a -> a.status() == 200 && a.items().size() >= 5);
    List<String> lines =
        trail.items().stream()
            .map(JsonObject.class::cast)
            .map(
                l ->
                    l.getString("action")
                        + " "
                        + l.getJsonObject("outcome").getInteger("status")
                        + " "
                        + l.getJsonObject("actor").getString("token_kind")
                        + " "
                        + l.getJsonObject("actor").getString("token_name"))
            .toList();
    // a login names the account, not a token
    assertThat(lines)
        .containsExactlyInAnyOrder(
            "user.login 200 null null",
            "token.create 201 session null",
            "token.create 201 session null",
            "app.create 201 pat deploy job",
            "token.create 403 pat deploy job");
    // nobody else sees them (another user's trail holds at most that user's own login)
    assertThat(
            api.get("/api/v1/audit?limit=100", api.newUser("other").token()).items().stream()
                .map(JsonObject.class::cast)
                .map(l -> l.getJsonObject("actor").getString("uuid")))
        .doesNotContain(user.uuid());
  }

  @Test
  void app_service_reached_directly_refuses_a_read_tokens_write_itself() throws Exception {
    Gateway api = astro.gateway();
    User user = api.newUser("direct");
    String reader = create(api, user, "read only", "read").getString("token");
    String access = exchange(reader);
    Gateway appService = new Gateway(astro.dev().serviceUrl(AstroServices.APP_SERVICE));

    assertThat(appService.get("/api/v1/apps", access).status()).isEqualTo(200);
    Answer refused =
        appService.post(
            "/api/v1/apps",
            access,
            new JsonObject().put("name", "sneaky").put("image", "nginx:1.27"));
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo(10012);
  }

  @Test
  void a_revoked_token_is_refused_within_the_bound_and_an_expired_one_at_once() throws Exception {
    Gateway api = astro.gateway();
    User user = api.newUser("revoke");
    JsonObject revoked = create(api, user, "leaked", "write");
    JsonObject kept = create(api, user, "still good", "read");
    JsonObject expired = create(api, user, "old", "read");
    assertThat(api.get("/api/v1/apps", revoked.getString("token")).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/apps", kept.getString("token")).status()).isEqualTo(200);

    Answer revocation =
        api.delete("/api/v1/users/me/tokens/" + revoked.getString("id"), user.token());
    assertThat(revocation.status()).as(revocation.body()).isEqualTo(200);
    Answer refused =
        Eventually.await(
            "the gateway to refuse a revoked personal token",
            REVOCATION_BOUND,
            () -> api.get("/api/v1/apps", revoked.getString("token")),
            a -> a.status() != 200);
    assertThat(refused.status()).as(refused.body()).isEqualTo(401);
    assertThat(refused.code()).isEqualTo(10002);
    assertThat(api.get("/api/v1/apps", kept.getString("token")).status()).isEqualTo(200);

    expire(expired.getString("id"));
    Answer tooOld = api.get("/api/v1/apps", expired.getString("token"));
    assertThat(tooOld.status()).as(tooOld.body()).isEqualTo(401);
    assertThat(tooOld.code()).isEqualTo(10002);
    assertThat(
            api.get("/api/v1/users/me/tokens", user.token()).items().stream()
                .map(t -> ((JsonObject) t).getString("name")))
        .containsExactly("still good");
  }

  private static JsonObject create(Gateway api, User user, String name, String scope) {
    Answer created =
        api.post(
            "/api/v1/users/me/tokens",
            user.token(),
            new JsonObject().put("name", name).put("expires_in_days", 30).put("scope", scope));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.data().getString("token")).startsWith("astro_pat_");
    return created.data();
  }

  // the internal exchange the gateway makes, to reach app-service with the access token itself
  private static String exchange(String secret) throws Exception {
    HttpResponse<String> answer =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        astro.dev().serviceUrl(AstroServices.USER_SERVICE)
                            + "/internal/v1/tokens/exchange"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("token", secret).encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body()).getJsonObject("data").getString("token");
  }

  private static void expire(String id) throws Exception {
    try (Connection c = astro.database(Databases.USERS);
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE api_tokens SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND"
                    + " WHERE uuid = ?")) {
      update.setString(1, id);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }
}
