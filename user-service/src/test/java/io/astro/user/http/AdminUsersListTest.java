package io.astro.user.http;

import static io.astro.user.RunningUserService.PASSWORD;
import static io.astro.user.RunningUserService.fieldNames;
import static io.astro.user.RunningUserService.fromOneAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.user.RunningUserService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operators' list of accounts: filtered, paged, each account with the number of apps
 * app-service counts for it (a stand-in app-service here answers {@code /internal/v1/app-counts});
 * when app-service does not answer, the list is still served with null counts.
 */
@ExtendWith(MySqlExtension.class)
class AdminUsersListTest {

  private static Vertx vertx;
  private static HttpServer appService;
  private static final AtomicReference<Boolean> answering = new AtomicReference<>(true);
  private static final AtomicReference<String> asked = new AtomicReference<>();
  private static RunningUserService users;

  @BeforeAll
  static void start(TestDatabase db) {
    vertx = Vertx.vertx();
    appService =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  asked.set(request.uri());
                  if (!answering.get()) {
                    request.response().setStatusCode(503).end();
                    return;
                  }
                  JsonObject counts = new JsonObject();
                  for (String id : request.params().getAll("user_id")) {
                    // a stand-in rule the test can check: every account has its id modulo 3 apps
                    counts.put(id, Long.parseLong(id) % 3);
                  }
                  request
                      .response()
                      .putHeader("Content-Type", "application/json")
                      .end(
                          new JsonObject()
                              .put("code", 0)
                              .put("message", "ok")
                              .put("data", new JsonObject().put("counts", counts))
                              .encode());
                })
            .listen(0, "127.0.0.1")
            .await();
    users =
        RunningUserService.startWithoutBroker(
            db,
            fromOneAddress(
                Map.of(
                    "ASTRO_APP_SERVICE_URL",
                    "http://127.0.0.1:" + appService.actualPort(),
                    "ASTRO_ADMIN_USERNAME",
                    "list-admin",
                    "ASTRO_ADMIN_PASSWORD",
                    "admin-password-1")));
  }

  @AfterAll
  static void stop() {
    users.close();
    vertx.close().await();
  }

  @Test
  void operators_list_accounts_with_their_app_counts_filtered_and_paged() {
    for (String name : List.of("lister-a", "lister-b", "lister-c")) {
      assertThat(register(name).statusCode()).isEqualTo(201);
    }
    String admin = token("list-admin", "admin-password-1");
    String bUuid = uuidOf(admin, "lister-b");
    assertThat(
            users
                .post("/api/v1/admin/users/" + bUuid + "/disable", new JsonObject(), admin)
                .statusCode())
        .isEqualTo(200);

    JsonObject all = data(users.get("/api/v1/admin/users?search=LISTER", admin));
    String query = asked.get();
    JsonObject disabled =
        data(users.get("/api/v1/admin/users?search=lister&status=disabled", admin));
    JsonObject second = data(users.get("/api/v1/admin/users?search=lister&limit=2&page=2", admin));

    assertThat(all.getLong("total")).isEqualTo(3);
    assertThat(names(all)).containsExactly("lister-a", "lister-b", "lister-c");
    JsonObject first = all.getJsonArray("items").getJsonObject(0);
    assertThat(first.fieldNames())
        .containsExactlyInAnyOrder(
            "uuid", "username", "email", "role", "status", "created_at", "app_count");
    // asked for the page's accounts (ids in list order), and each shows what app-service answered
    assertThat(query).startsWith("/internal/v1/app-counts?user_id=");
    List<Long> expected =
        java.util.Arrays.stream(query.substring(query.indexOf('?') + 1).split("&"))
            .map(p -> Long.parseLong(p.substring("user_id=".length())) % 3)
            .toList();
    assertThat(all.getJsonArray("items").stream().map(i -> ((JsonObject) i).getLong("app_count")))
        .containsExactlyElementsOf(expected);
    assertThat(names(disabled)).containsExactly("lister-b");
    assertThat(second.getLong("total")).isEqualTo(3);
    assertThat(names(second)).containsExactly("lister-c");
  }

  @Test
  void without_app_service_the_list_is_served_with_null_counts() {
    assertThat(register("lonely").statusCode()).isEqualTo(201);
    String admin = token("list-admin", "admin-password-1");
    answering.set(false);
    try {
      HttpResponse<String> listed = users.get("/api/v1/admin/users?search=lonely", admin);

      assertThat(listed.statusCode()).isEqualTo(200);
      JsonObject item = data(listed).getJsonArray("items").getJsonObject(0);
      assertThat(item.getString("username")).isEqualTo("lonely");
      assertThat(item.containsKey("app_count")).isTrue();
      assertThat(item.getValue("app_count")).isNull();
    } finally {
      answering.set(true);
    }
  }

  @Test
  void bad_parameters_answer_400_naming_them_and_users_are_refused() {
    assertThat(register("nosy").statusCode()).isEqualTo(201);
    String admin = token("list-admin", "admin-password-1");

    HttpResponse<String> bad =
        users.get("/api/v1/admin/users?page=0&limit=1000&status=gone", admin);
    HttpResponse<String> notAdmin = users.get("/api/v1/admin/users", token("nosy", PASSWORD));

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(fieldNames(bad)).containsExactlyInAnyOrder("page", "limit", "status");
    assertThat(notAdmin.statusCode()).isEqualTo(403);
  }

  private static List<String> names(JsonObject page) {
    return page.getJsonArray("items").stream()
        .map(i -> ((JsonObject) i).getString("username"))
        .toList();
  }

  private static String uuidOf(String admin, String username) {
    return data(users.get("/api/v1/admin/users?search=" + username, admin))
        .getJsonArray("items")
        .getJsonObject(0)
        .getString("uuid");
  }

  private static JsonObject data(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonObject("data");
  }

  private static HttpResponse<String> register(String username) {
    return users.register(username, username + "@example.org");
  }

  private static String token(String username, String password) {
    return users.login(username, password).getString("token");
  }
}
