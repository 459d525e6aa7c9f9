package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.Workspace;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.kube.FakeCluster;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;

/**
 * The web console in Chromium against the whole system: what a newcomer does without reading any
 * docs, what a bad field looks like, and an operator importing a cluster. Screenshots of each step
 * land in {@code target/console-screenshots/}; every main screen passes axe-core without a serious
 * violation.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  private static Browser browser;

  @BeforeAll
  static void chromium() {
    browser =
        Browser.start(
            astro.dev().gatewayUrl(), Path.of("target", "console-screenshots").toAbsolutePath());
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  void a_newcomer_signs_up_deploys_an_app_watches_it_run_reads_its_logs_and_operates_it() {
    Browser b = browser;
    b.open("");
    b.heading("Sign in to Astro");
    b.accessible("sign-in");
    b.screenshot("sign-in");
    b.link("Create an account").click();
    b.heading("Create your Astro account");
    String username = "grace" + ProcessHandle.current().pid();
    b.type("#username", username);
    b.type("#email", username + "@example.org");
    b.type("#password", "correct horse battery");
    b.screenshot("sign-up");
    b.button("Create account").click();

    // the empty list teaches: a suggested image, one click away
    b.heading("Your apps");
    b.textAppears(".empty-state", "nginx:1.27");
    b.accessible("first app");
    b.screenshot("first-app");
    // from here on, nothing may reload the page: everything that changes arrives live
    b.script("window.astroNoReload = true");
    b.link("Create an app with nginx:1.27").click();
    b.heading("New app");
    assertThat(b.find("#image").getDomProperty("value")).isEqualTo("nginx:1.27");
    b.type("#name", "hello");
    b.type("#port", "80");
    b.accessible("create");
    b.screenshot("create");
    b.button("Create app").click();

    // the detail page follows it from pending to running, without a reload
    b.heading("hello");
    b.textAppears("#app-status", "running");
    b.textAppears("#ready", "1 of 1");
    b.textAppears("#timeline", "status running");
    assertThat(b.script("return window.astroNoReload")).isEqualTo(true);
    b.accessible("app detail");
    b.screenshot("running");

    // logs: the tail, then lines arriving live
    b.until("log lines", d -> b.all("#log-lines-view .ln").size() >= 1 ? Boolean.TRUE : null);
    b.button("Follow live").click();
    b.textAppears(".log-state", "Following live");
    int before = b.all("#log-lines-view .ln").size();
    b.until(
        "new log lines while following",
        d -> b.all("#log-lines-view .ln").size() > before ? Boolean.TRUE : null);
    b.script("document.getElementById('logs-title').scrollIntoView()");
    b.screenshot("logs");
    b.button("Pause").click();
    b.textAppears("#log-pause", "Resume");
    b.find("#log-pause").click();
    b.button("Stop following").click();

    // scale to two
    b.type("#scale-replicas", "2");
    b.button("Scale").click();
    b.textAppears("#ready", "2 of 2");
    b.until("two pods", d -> podNames(b).size() == 2 ? Boolean.TRUE : null);

    // restart: new pods replace the old ones
    Set<String> old = podNames(b);
    b.button("Restart").click();
    b.until(
        "running on new pods",
        d -> {
          Set<String> now = podNames(b);
          boolean replaced =
              b.find("#app-status").getText().startsWith("running")
                  && now.size() == 2
                  && now.stream().noneMatch(old::contains);
          return replaced ? Boolean.TRUE : null;
        });
    b.textAppears("#timeline", "restart requested");
    assertThat(b.script("return window.astroNoReload")).isEqualTo(true);

    // a new release: another image and a variable, rolled out; then rolled back to the first
    b.link("Change settings").click();
    b.heading("Change hello");
    b.type("#image", "nginx:1.28");
    b.button("Add a variable").click();
    b.type("#env-name-0", "GREETING");
    b.type("#env-value-0", "hello");
    b.accessible("change settings");
    b.button("Save and roll out").click();
    b.heading("hello");
    b.textAppears("#releases", "changed image nginx:1.27 → nginx:1.28");
    b.button("Roll back to 1").click();
    b.textAppears("#releases", "rollback to release 1");
    b.until(
        "release 3 running",
        d -> {
          boolean rolledBack =
              b.find("#app-status").getText().startsWith("running")
                  // release 3, and its pods run it (no "pods run 2" beside it)
                  && b.find(".facts").getText().contains("Release\n3\n");
          return rolledBack ? Boolean.TRUE : null;
        });
    b.textAppears("#timeline", "rollback requested");
    assertThat(b.script("return window.astroNoReload")).isEqualTo(true);

    // on a phone: nothing wider than the screen
    b.size(390, 844);
    b.script("window.scrollTo(0, 0)");
    b.screenshot("phone-detail");
    assertThat((List<?>) b.script(Browser.WIDER_THAN_SCREEN)).as("wider than the screen").isEmpty();
    b.size(1000, 800);

    // account: profile and quota
    b.link("Account").click();
    b.heading("Account");
    b.textAppears(".usages", "1 of");
    b.accessible("account");
    b.screenshot("account");

    // delete, confirmed by typing the name
    b.link("Apps").click();
    b.heading("Your apps");
    b.textAppears("table.apps", "hello");
    b.accessible("apps list");
    b.screenshot("apps");
    // the list stacks on a phone
    b.size(390, 844);
    assertThat((List<?>) b.script(Browser.WIDER_THAN_SCREEN))
        .as("list wider than the screen")
        .isEmpty();
    b.size(1000, 800);
    b.link("hello").click();
    b.heading("hello");
    b.button("Delete…").click();
    b.type("#confirm-delete", "hello");
    b.screenshot("delete");
    b.button("Delete").click();
    b.heading("Your apps");
    b.textAppears(".empty-state", "Deploy your first app");
    assertThat(b.script("return window.astroNoReload")).isEqualTo(true);

    b.button("Sign out").click();
    b.heading("Sign in to Astro");
    b.textAppears(".notice", "signed out");
  }

  @Test
  @Order(2)
  void a_bad_image_shows_the_apis_own_words_beside_the_image_field() {
    Gateway api = astro.gateway();
    User ada = api.newUser("ada");
    JsonObject bad = new JsonObject().put("name", "broken").put("image", "Not An Image!");
    Answer refused = api.post("/api/v1/apps", ada.token(), bad);
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    String reason =
        refused.data().getJsonArray("fields").stream()
            .map(f -> (JsonObject) f)
            .filter(f -> "image".equals(f.getString("field")))
            .map(f -> f.getString("reason"))
            .findFirst()
            .orElseThrow();

    Browser b = browser;
    signIn(b, ada.username(), "correct horse battery " + ada.username());
    b.link("New app").click();
    b.heading("New app");
    b.type("#name", "broken");
    b.type("#image", "Not An Image!");
    b.button("Create app").click();
    b.textAppears("#image-error", reason);
    WebElement image = b.find("#image");
    assertThat(image.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(image.getDomAttribute("aria-describedby")).contains("image-error");
    assertThat(api.get("/api/v1/apps", ada.token()).data().getLong("total")).isZero();
    b.accessible("create with an error");
    b.screenshot("field-error");
    b.button("Sign out").click();
  }

  @Test
  @Order(3)
  void an_operator_imports_a_cluster_by_uploading_its_kubeconfig_removes_it_and_lists_the_users()
      throws IOException {
    Workspace.Admin admin = astro.dev().admin();
    try (FakeCluster second = FakeCluster.start("second")) {
      Path kubeconfig = Files.createTempFile(Path.of("target"), "second-", ".kubeconfig");
      Files.writeString(kubeconfig, second.kubeconfig());

      Browser b = browser;
      signIn(b, admin.username(), admin.password());
      b.link("Clusters").click();
      b.heading("Clusters");
      b.type("#cluster-name", "second");
      b.type("#cluster-labels", "region=test");
      b.find("#cluster-file").sendKeys(kubeconfig.toAbsolutePath().toString());
      b.until(
          "the uploaded kubeconfig in the form",
          d ->
              b.find("#cluster-kubeconfig").getDomProperty("value").contains("server")
                  ? Boolean.TRUE
                  : null);
      b.button("Import cluster").click();
      b.textAppears("[data-cluster=second]", "region=test");
      // its health arrives from the sync-worker's check without a reload
      b.textAppears("[data-cluster=second]", "healthy");
      b.accessible("clusters");
      b.script("window.scrollTo(0, 0)");
      b.screenshot("clusters");

      // a check on demand is accepted
      b.find("[data-cluster=second]")
          .findElement(org.openqa.selenium.By.xpath(".//button[normalize-space(.)='Check now']"))
          .click();
      b.textAppears("[data-cluster=second]", "Check requested.");
      assertThat(b.all("[data-cluster=second] .error")).isEmpty();

      // labels changed in place; the row shows what the API stored
      b.find("[data-cluster=second]")
          .findElement(org.openqa.selenium.By.xpath(".//button[normalize-space(.)='Edit labels']"))
          .click();
      b.type("[data-cluster=second] textarea", "region=test\ntier=gold");
      b.button("Save labels").click();
      b.textAppears("[data-cluster=second]", "tier=gold");
      b.until(
          "the labels form closed",
          d -> b.all("[data-cluster=second] textarea").isEmpty() ? Boolean.TRUE : null);

      // removed again, so later tests place apps as before
      WebElement row = b.find("[data-cluster=second]");
      row.findElement(org.openqa.selenium.By.xpath(".//button[normalize-space(.)='Delete…']"))
          .click();
      b.find("[data-cluster=second] input[id^=delete-]").sendKeys("second");
      b.find("[data-cluster=second] form.confirm button[type=submit]").click();
      b.until(
          "the cluster gone from the list",
          d -> b.all("[data-cluster=second]").isEmpty() ? Boolean.TRUE : null);

      // the accounts, the operator's own marked as such
      b.link("Users").click();
      b.heading("Users");
      b.textAppears("[data-user='" + admin.username() + "']", "you");
      b.accessible("users");
      b.screenshot("users");
      b.type("#user-search", "no-such-account-anywhere");
      b.textAppears("section", "No account matches.");
      b.button("Sign out").click();
    }
  }

  @Test
  @Order(4)
  void a_session_that_expires_or_is_refused_returns_to_sign_in_with_a_message() {
    User lin = astro.gateway().newUser("lin");
    Browser b = browser;
    signIn(b, lin.username(), "correct horse battery " + lin.username());
    // the token runs out in a few seconds: the page signs out by itself
    b.script(
        "const s = JSON.parse(sessionStorage.getItem('astro.session'));"
            + "s.expires_at = new Date(Date.now() + 8000).toISOString();"
            + "sessionStorage.setItem('astro.session', JSON.stringify(s));");
    b.driver().navigate().refresh();
    b.textAppears(".notice", "Your session has expired");
    b.heading("Sign in to Astro");

    // a token the API refuses (401) ends the session the same way. The console is left before its
    // token is spoiled: a request of the apps page (its poll, the stream) would otherwise meet the
    // bad token first and end the session before the console is opened with it.
    signIn(b, lin.username(), "correct horse battery " + lin.username());
    b.leaveConsole();
    b.script(
        "const s = JSON.parse(sessionStorage.getItem('astro.session'));"
            + "s.token = 'not-a-token';"
            + "sessionStorage.setItem('astro.session', JSON.stringify(s));");
    b.open("#/apps");
    b.heading("Sign in to Astro");
    b.textAppears(".notice", "Your session has ended");
  }

  private static void signIn(Browser b, String username, String password) {
    // a fresh page at desktop size, without any session left by an earlier test
    b.size(1000, 800);
    b.open("#/signin");
    b.script("sessionStorage.clear()");
    b.driver().navigate().refresh();
    b.heading("Sign in to Astro");
    b.type("#username", username);
    b.type("#password", password);
    b.button("Sign in").click();
    b.heading("Your apps");
  }

  private static Set<String> podNames(Browser b) {
    List<WebElement> rows = b.all("#pods tbody th");
    return rows.stream().map(WebElement::getText).collect(Collectors.toSet());
  }
}
