package io.astro.gateway;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The web console (docs/console.md): static files from this jar, read once at start. Every asset is
 * served under {@code /assets/{version}/}, where the version is a hash of all assets together: a
 * changed file changes every asset URL, so assets are cached for a year ({@code immutable}) and the
 * page that names them ({@code /}) is never cached. The page's import map (the one inline script,
 * which Chromium requires inline) is allowed by its SHA-256 in the Content Security Policy; no
 * other inline script or style is.
 */
public final class Console {

  /** The console's own files, under {@code console/} on the classpath. */
  static final List<String> FILES =
      List.of(
          "main.js",
          "api.js",
          "live.js",
          "ui.js",
          "signin.js",
          "apps.js",
          "appform.js",
          "detail.js",
          "logs.js",
          "account.js",
          "clusters.js",
          "users.js",
          "style.css",
          "icon.svg");

  private static final String ASSETS = "/assets/";
  private static final String INDEX = "console/index.html";

  private record Asset(Buffer body, String contentType) {}

  private final Map<String, Asset> assets;
  private final String version;
  private final Buffer index;
  private final String policy;

  private Console(Map<String, Asset> assets, String version, Buffer index, String policy) {
    this.assets = assets;
    this.version = version;
    this.index = index;
    this.policy = policy;
  }

  /** Reads the files once; a jar without them is a broken build, so starting fails. */
  public static Console load() {
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (String file : FILES) {
      assets.put(file, new Asset(Buffer.buffer(read("console/" + file)), contentType(file)));
    }
    // the UI library, as the WebJars on the classpath ship it (versions pinned in the root pom)
    String preact =
        "META-INF/resources/webjars/preact/" + webJarVersion("org.webjars.npm", "preact");
    String htm = "META-INF/resources/_static/htm/" + webJarVersion("org.mvnpm", "htm");
    vendor(assets, "vendor/preact.js", preact + "/dist/preact.module.js");
    vendor(assets, "vendor/hooks.js", preact + "/hooks/dist/hooks.module.js");
    vendor(assets, "vendor/htm.js", htm + "/dist/htm.module.js");

    MessageDigest all = sha256();
    assets.forEach(
        (name, asset) -> {
          all.update(name.getBytes(StandardCharsets.UTF_8));
          all.update(asset.body().getBytes());
        });
    String version = HexFormat.of().formatHex(all.digest()).substring(0, 16);
    String base = ASSETS + version + "/";
    String importMap =
        "{\"imports\":{\"preact\":\""
            + base
            + "vendor/preact.js\",\"preact/hooks\":\""
            + base
            + "vendor/hooks.js\",\"htm\":\""
            + base
            + "vendor/htm.js\"}}";
    // main.js imports every screen: announced up front, the modules load in one round instead of
    // one round per level of imports
    StringBuilder preload = new StringBuilder();
    assets.keySet().stream()
        .filter(name -> name.endsWith(".js"))
        .forEach(
            name ->
                preload
                    .append("<link rel=\"modulepreload\" href=\"")
                    .append(base)
                    .append(name)
                    .append("\">\n"));
    String page =
        new String(read(INDEX), StandardCharsets.UTF_8)
            .replace("%ASSETS%", base)
            .replace("%IMPORTMAP%", importMap)
            .replace("%PRELOAD%\n", preload);
    String mapHash =
        Base64.getEncoder()
            .encodeToString(sha256().digest(importMap.getBytes(StandardCharsets.UTF_8)));
    String policy =
        String.join(
            "; ",
            "default-src 'none'",
            "script-src 'self' 'sha256-" + mapHash + "'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");
    return new Console(assets, version, Buffer.buffer(page), policy);
  }

  /** Whether a route path is one of the console's (the page or its assets), not the API. */
  public static boolean isConsole(String routePath) {
    return "/".equals(routePath) || routePath.startsWith(ASSETS);
  }

  /** The path prefix of this build's assets, e.g. {@code /assets/0123abcd.../}. */
  public String assetBase() {
    return ASSETS + version + "/";
  }

  /** The Content-Security-Policy every console answer carries. */
  public String policy() {
    return policy;
  }

  public void mount(Router router, RouteMetrics metrics) {
    router
        .route("/")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(metrics.timing("/"))
        .handler(this::page);
    router
        .route(ASSETS + "*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(metrics.timing(ASSETS + "**"))
        .handler(this::asset);
  }

  private void page(RoutingContext ctx) {
    secured(ctx.response())
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(index);
  }

  private void asset(RoutingContext ctx) {
    String rest = ctx.normalizedPath().substring(ASSETS.length());
    int slash = rest.indexOf('/');
    Asset asset =
        slash < 0 || !rest.substring(0, slash).equals(version)
            ? null
            : assets.get(rest.substring(slash + 1));
    if (asset == null) {
      // an asset of another build is not answered with this build's bytes under a year-long cache
      ctx.fail(new ApiException(ErrorCode.NOT_FOUND, "no such asset"));
      return;
    }
    secured(ctx.response())
        .putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType())
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable")
        .end(asset.body());
  }

  private HttpServerResponse secured(HttpServerResponse response) {
    return response
        .putHeader("Content-Security-Policy", policy)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin");
  }

  private static void vendor(Map<String, Asset> assets, String name, String resource) {
    assets.put(name, new Asset(Buffer.buffer(read(resource)), contentType(name)));
  }

  private static String webJarVersion(String group, String artifact) {
    Properties properties = new Properties();
    String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
    return properties.getProperty("version");
  }

  private static byte[] read(String resource) {
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  private static String contentType(String file) {
    if (file.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    } else if (file.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (file.endsWith(".svg")) {
      return "image/svg+xml";
    }
    throw new IllegalStateException("no content type for " + file);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
