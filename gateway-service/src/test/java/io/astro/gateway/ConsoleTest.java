package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.gateway.GatewayFixture.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console as the gateway serves it: the page never cached, every asset under one content
 * hash and cached for a year, strict security headers, the inline import map allowed by its hash
 * and nothing else inline. The console itself is tested in Chromium ({@code ConsoleBrowserTest} in
 * {@code dev}).
 */
class ConsoleTest {

  private static final Pattern IMPORT_MAP =
      Pattern.compile("<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL);

  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture().start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void the_page_is_public_never_cached_and_sent_with_strict_security_headers() {
    Reply page = fixture.get("/", null);

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.headers().get("Cache-Control")).isEqualTo("no-cache");
    assertThat(page.headers().get("X-Frame-Options")).isEqualTo("DENY");
    assertThat(page.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(page.headers().get("Referrer-Policy")).isEqualTo("no-referrer");
    String policy = page.headers().get("Content-Security-Policy");
    assertThat(policy)
        .contains("default-src 'none'", "frame-ancestors 'none'", "style-src 'self'")
        .doesNotContain("unsafe-inline", "unsafe-eval", "*");
    // no upstream is asked for the console
    assertThat(fixture.users.hits("/") + fixture.apps.hits("/")).isZero();
  }

  @Test
  void the_one_inline_script_is_the_import_map_allowed_by_its_sha256() throws Exception {
    Reply page = fixture.get("/", null);
    Matcher map = IMPORT_MAP.matcher(page.body());
    assertThat(map.find()).isTrue();
    String hash =
        Base64.getEncoder()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(map.group(1).getBytes(StandardCharsets.UTF_8)));
    assertThat(page.headers().get("Content-Security-Policy"))
        .contains("script-src 'self' 'sha256-" + hash + "';");
    // every other script is a file of this origin
    assertThat(page.body().split("<script").length - 1).isEqualTo(2);
    assertThat(page.body()).doesNotContain("style=", "onload=", "onclick=");
  }

  @Test
  void every_asset_is_served_under_the_builds_hash_cached_for_a_year() {
    Reply page = fixture.get("/", null);
    Matcher base = Pattern.compile("/assets/([0-9a-f]{16})/main\\.js").matcher(page.body());
    assertThat(base.find()).isTrue();
    String prefix = "/assets/" + base.group(1) + "/";
    List<String> vendor = List.of("vendor/preact.js", "vendor/hooks.js", "vendor/htm.js");
    for (String file : Stream.concat(Console.FILES.stream(), vendor.stream()).toList()) {
      Reply asset = fixture.get(prefix + file, null);
      assertThat(asset.status()).as(file).isEqualTo(200);
      assertThat(asset.headers().get("Cache-Control"))
          .isEqualTo("public, max-age=31536000, immutable");
      assertThat(asset.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(asset.headers().get("Content-Type"))
          .as(file)
          .startsWith(
              file.endsWith(".js")
                  ? "text/javascript"
                  : file.endsWith(".css") ? "text/css" : "image/svg+xml");
      assertThat(asset.body()).isNotEmpty();
    }
    // the import map names the vendor modules under the same hash
    for (String file : vendor) {
      assertThat(page.body()).contains(prefix + file);
    }
  }

  @Test
  void every_module_is_announced_for_preloading_so_the_imports_load_in_one_round() {
    Reply page = fixture.get("/", null);
    Matcher base = Pattern.compile("/assets/([0-9a-f]{16})/main\\.js").matcher(page.body());
    assertThat(base.find()).isTrue();
    String prefix = "/assets/" + base.group(1) + "/";
    List<String> modules =
        Stream.concat(
                Console.FILES.stream().filter(f -> f.endsWith(".js")),
                Stream.of("vendor/preact.js", "vendor/hooks.js", "vendor/htm.js"))
            .toList();
    for (String module : modules) {
      assertThat(page.body())
          .contains("<link rel=\"modulepreload\" href=\"" + prefix + module + "\">");
    }
  }

  @Test
  void an_asset_of_another_build_or_an_unknown_file_is_not_found() {
    Reply page = fixture.get("/", null);
    Matcher base = Pattern.compile("/assets/([0-9a-f]{16})/").matcher(page.body());
    assertThat(base.find()).isTrue();

    assertThat(fixture.get("/assets/0000000000000000/main.js", null).status()).isEqualTo(404);
    assertThat(fixture.get("/assets/" + base.group(1) + "/nothing.js", null).status())
        .isEqualTo(404);
    assertThat(fixture.get("/assets/" + base.group(1) + "/../openapi.json", null).status())
        .isEqualTo(404);
    Reply missing = fixture.get("/assets/main.js", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.code()).isEqualTo(10004);
  }

  @Test
  void every_file_of_the_console_is_served() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/console"))) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.equals("index.html"))
              .sorted()
              .toList();
      assertThat(Console.FILES).containsExactlyInAnyOrderElementsOf(names);
    }
  }
}
