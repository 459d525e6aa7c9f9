package io.astro.app.domains;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.dns.TestDnsServer;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Custom domains over HTTP: a claim answers the DNS records to create; the verifier, asking a real
 * DNS server the test runs, makes the domain verified once its TXT record holds the token, and the
 * app's next command carries it; a domain belongs to one app of all users.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class DomainApiTest {

  private static final String APPS_DOMAIN = "apps.example.net";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicLong USERS = new AtomicLong(900);

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static TestDatabase database;
  private static TestDnsServer dns;
  private static String commands;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    database = db;
    dns = TestDnsServer.start();
    commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    broker.createCompactedTopic(commands, 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC", commands,
                "ASTRO_APPS_DOMAIN", APPS_DOMAIN,
                "ASTRO_DNS_RESOLVERS", dns.hostPort(),
                "ASTRO_DNS_TIMEOUT", "300ms",
                "ASTRO_DOMAIN_VERIFY_INTERVAL", "100ms",
                "ASTRO_DOMAIN_VERIFY_BACKOFF", "100ms",
                "ASTRO_DOMAIN_VERIFY_ATTEMPTS", "6",
                "ASTRO_MAX_DOMAINS_PER_APP", "2"));
  }

  @AfterAll
  static void stop() {
    app.close();
    dns.close();
  }

  @Test
  void a_domain_is_verified_by_its_txt_record_then_carried_in_the_apps_command_until_removed() {
    long user = USERS.incrementAndGet();
    String token = app.token(user);
    JsonObject web = webApp(token, "web");
    String id = web.getString("id");
    String path = "/api/v1/apps/" + id + "/domains";

    HttpResponse<String> claimed =
        app.post(path, new JsonObject().put("domain", "WWW.Shop.Example.org."), token);

    assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(201);
    JsonObject domain = data(claimed);
    assertThat(domain.getString("domain")).isEqualTo("www.shop.example.org");
    assertThat(domain.getString("status")).isEqualTo("pending_verification");
    JsonArray records = domain.getJsonArray("dns_records");
    JsonObject txt = records.getJsonObject(0);
    assertThat(txt.getString("type")).isEqualTo("TXT");
    assertThat(txt.getString("name")).isEqualTo("_astro-challenge.www.shop.example.org");
    assertThat(txt.getString("value")).matches("[A-Za-z0-9_-]{43}");
    assertThat(records.getJsonObject(1))
        .isEqualTo(
            new JsonObject()
                .put("type", "CNAME")
                .put("name", "www.shop.example.org")
                .put("value", web.getString("k8s_name") + "." + APPS_DOMAIN));

    dns.txt("_astro-challenge.www.shop.example.org", txt.getString("value"));
    JsonObject verified = awaitDomain(path, token, "www.shop.example.org", "verified");
    assertThat(verified.getString("reason")).isNull();
    assertThat(verified.getString("verified_at")).isNotNull();

    // create, then the new generation that adds the domain to the app's desired state
    List<ReceivedRecord> added = awaitCommands(id, 2);
    EventSchemas.assertValid("io.astro.app.command.v2", added.get(1).value());
    JsonObject update = new JsonObject(added.get(1).value()).getJsonObject("data");
    assertThat(update.getString("command")).isEqualTo("update");
    assertThat(update.getLong("generation")).isEqualTo(2);
    assertThat(update.getJsonObject("desired").getJsonArray("domains"))
        .containsExactly("www.shop.example.org");

    HttpResponse<String> removed =
        app.send("DELETE", path + "/www.shop.example.org", null, token, Map.of());
    HttpResponse<String> removedAgain =
        app.send("DELETE", path + "/www.shop.example.org", null, token, Map.of());

    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(removedAgain.statusCode()).isEqualTo(404);
    assertThat(data(app.get(path, token)).getJsonArray("items")).isEmpty();
    JsonObject gone = new JsonObject(awaitCommands(id, 3).get(2).value()).getJsonObject("data");
    assertThat(gone.getLong("generation")).isEqualTo(3);
    assertThat(gone.getJsonObject("desired").getJsonArray("domains")).isEmpty();
  }

  @Test
  void a_domain_belongs_to_one_app_of_all_users() {
    String alice = app.token(USERS.incrementAndGet());
    String bob = app.token(USERS.incrementAndGet());
    String alicesApp = webApp(alice, "shop").getString("id");
    String bobsApp = webApp(bob, "shop").getString("id");
    JsonObject body = new JsonObject().put("domain", "claimed.example.org");

    HttpResponse<String> first = app.post("/api/v1/apps/" + alicesApp + "/domains", body, alice);
    HttpResponse<String> again = app.post("/api/v1/apps/" + alicesApp + "/domains", body, alice);
    HttpResponse<String> other = app.post("/api/v1/apps/" + bobsApp + "/domains", body, bob);
    HttpResponse<String> notHis = app.post("/api/v1/apps/" + alicesApp + "/domains", body, bob);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
    assertThat(code(other)).isEqualTo(10010);
    assertThat(data(other).getString("field")).isEqualTo("domain");
    assertThat(other.body()).doesNotContain(alicesApp);
    assertThat(notHis.statusCode()).isEqualTo(404);
    assertThat(data(app.get("/api/v1/apps/" + bobsApp + "/domains", bob)).getJsonArray("items"))
        .isEmpty();
  }

  @Test
  void wildcards_astros_own_names_bad_names_and_one_too_many_are_refused() {
    String token = app.token(USERS.incrementAndGet());
    String path = "/api/v1/apps/" + webApp(token, "api").getString("id") + "/domains";

    HttpResponse<String> wildcard =
        app.post(path, new JsonObject().put("domain", "*.example.org"), token);
    HttpResponse<String> ours =
        app.post(path, new JsonObject().put("domain", "mine." + APPS_DOMAIN), token);
    HttpResponse<String> oursItself =
        app.post(path, new JsonObject().put("domain", APPS_DOMAIN), token);
    HttpResponse<String> bad =
        app.post(path, new JsonObject().put("domain", "not a domain"), token);
    HttpResponse<String> single = app.post(path, new JsonObject().put("domain", "local"), token);
    HttpResponse<String> missing = app.post(path, new JsonObject(), token);
    HttpResponse<String> extra =
        app.post(path, new JsonObject().put("domain", "a.example.org").put("tls", true), token);

    for (HttpResponse<String> refused : List.of(wildcard, ours, oursItself)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
      assertThat(data(refused).getString("field")).isEqualTo("domain");
    }
    for (HttpResponse<String> malformed : List.of(bad, single, missing, extra)) {
      assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
      assertThat(malformed.body()).contains("\"field\":\"");
    }
    assertThat(extra.body()).as("the unknown field is named").contains("\"field\":\"tls\"");
    assertThat(
            app.post(path, new JsonObject().put("domain", "one.example.org"), token).statusCode())
        .isEqualTo(201);
    assertThat(
            app.post(path, new JsonObject().put("domain", "two.example.org"), token).statusCode())
        .isEqualTo(201);
    HttpResponse<String> third =
        app.post(path, new JsonObject().put("domain", "three.example.org"), token);
    assertThat(third.statusCode()).isEqualTo(422);
    assertThat(data(third).getInteger("max")).isEqualTo(2);
    assertThat(data(app.get(path, token)).getJsonArray("items")).hasSize(2);
  }

  @Test
  void a_domain_whose_proof_never_appears_fails_with_what_dns_said() {
    String token = app.token(USERS.incrementAndGet());
    String path = "/api/v1/apps/" + webApp(token, "blog").getString("id") + "/domains";

    HttpResponse<String> claimed =
        app.post(path, new JsonObject().put("domain", "example.com"), token);
    assertThat(claimed.statusCode()).isEqualTo(201);
    // an apex: no CNAME, A and AAAA records like the app's own host
    assertThat(
            data(claimed).getJsonArray("dns_records").stream()
                .map(r -> ((JsonObject) r).getString("type"))
                .toList())
        .containsExactly("TXT", "A", "AAAA");

    JsonObject failed = awaitDomain(path, token, "example.com", "failed");

    assertThat(failed.getString("reason"))
        .isEqualTo("DNS has no name _astro-challenge.example.com (NXDOMAIN)");
    assertThat(dns.queries("_astro-challenge.example.com")).isEqualTo(6);
  }

  @Test
  void a_failed_domain_is_checked_again_on_request_with_the_same_token_until_verified() {
    String token = app.token(USERS.incrementAndGet());
    String path = "/api/v1/apps/" + webApp(token, "retry").getString("id") + "/domains";
    HttpResponse<String> claimed =
        app.post(path, new JsonObject().put("domain", "www.retry.example.net"), token);
    String proof = data(claimed).getJsonArray("dns_records").getJsonObject(0).getString("value");
    awaitDomain(path, token, "www.retry.example.net", "failed");
    assertThat(app.post(path + "/www.unknown.example.net/verify", null, token).statusCode())
        .isEqualTo(404);

    // the owner fixes DNS, then asks for another look: a fresh back-off, the same token
    dns.txt("_astro-challenge.www.retry.example.net", proof);
    HttpResponse<String> retried = app.post(path + "/www.retry.example.net/verify", null, token);

    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(data(retried).getString("status")).isEqualTo("pending_verification");
    assertThat(data(retried).getString("reason")).isNull();
    assertThat(data(retried).getJsonArray("dns_records").getJsonObject(0).getString("value"))
        .isEqualTo(proof);
    awaitDomain(path, token, "www.retry.example.net", "verified");
    HttpResponse<String> again = app.post(path + "/www.retry.example.net/verify", null, token);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
  }

  @Test
  void an_app_on_a_cluster_with_its_own_apps_domain_is_the_cname_target_there() throws Exception {
    String token = app.token(USERS.incrementAndGet());
    JsonObject web = webApp(token, "own");
    String path = "/api/v1/apps/" + web.getString("id") + "/domains";
    String own = "apps.own.example.net";
    String cluster = java.util.UUID.randomUUID().toString();
    // the app's cluster as imported with public_urls (the clusters API's row, io.astro.cluster.v1's
    // shape), without the kubeconfig check an import would make
    sql(
        "INSERT INTO clusters (id, name, labels, public_urls, kubeconfig, key_id)"
            + " VALUES (?, ?, '{}', ?, 'v1.k1.AA==', 'k1')",
        cluster,
        web.getString("cluster"),
        new JsonObject().put("appsDomain", own).put("tlsIssuer", "letsencrypt").encode());
    try {
      HttpResponse<String> added =
          app.post(path, new JsonObject().put("domain", "www.own.example.org"), token);
      assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
      assertThat(data(added).getJsonArray("dns_records").getJsonObject(1))
          .isEqualTo(
              new JsonObject()
                  .put("type", "CNAME")
                  .put("name", "www.own.example.org")
                  .put("value", web.getString("k8s_name") + "." + own));
      assertThat(
              data(app.get(path, token))
                  .getJsonArray("items")
                  .getJsonObject(0)
                  .getJsonArray("dns_records")
                  .getJsonObject(1)
                  .getString("value"))
          .isEqualTo(web.getString("k8s_name") + "." + own);

      // names under any cluster's apps domain are Astro's own
      for (String ours : List.of(own, "shop." + own)) {
        HttpResponse<String> refused = app.post(path, new JsonObject().put("domain", ours), token);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(data(refused).getString("field")).isEqualTo("domain");
        assertThat(new JsonObject(refused.body()).getString("message")).contains(own);
      }
    } finally {
      sql("UPDATE clusters SET deleted_at = CURRENT_TIMESTAMP(3) WHERE id = ?", cluster);
    }
  }

  private static void sql(String statement, String... args) throws java.sql.SQLException {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(
                database.jdbcUrl(), database.user(), database.password());
        var update = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        update.setString(i + 1, args[i]);
      }
      update.executeUpdate();
    }
  }

  private static JsonObject webApp(String token, String name) {
    HttpResponse<String> created =
        app.post(
            "/api/v1/apps",
            new JsonObject().put("name", name).put("image", "nginx:1.27").put("port", 80),
            token);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return data(created);
  }

  private static JsonObject awaitDomain(String path, String token, String name, String status) {
    return Eventually.await(
        name + " " + status,
        WAIT,
        () ->
            data(app.get(path, token)).getJsonArray("items").stream()
                .map(JsonObject.class::cast)
                .filter(d -> d.getString("domain").equals(name))
                .findFirst()
                .orElseThrow(),
        d -> d.getString("status").equals(status));
  }

  private static List<ReceivedRecord> awaitCommands(String appId, int count) {
    List<ReceivedRecord> records =
        kafka.awaitRecords(commands, count, r -> appId.equals(r.key()), WAIT);
    assertThat(records).hasSize(count);
    return records;
  }
}
