package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.gateway.ApiDocument;
import io.astro.gateway.Console;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API document against the routers the running services really mounted: every route the gateway
 * exposes (its own, and the upstreams' routes it forwards to) is documented, and every documented
 * operation exists.
 */
class ApiContractEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void the_gateway_serves_the_document_to_anyone() {
    Answer document = astro.gateway().get(ApiDocument.PATH, null);

    assertThat(document.status()).isEqualTo(200);
    assertThat(new JsonObject(document.body())).isEqualTo(ApiDocument.load().toJsonObject());
  }

  @Test
  void the_document_names_every_route_the_gateway_exposes_and_only_those() {
    AstroServices services = astro.services();
    Set<String> exposed = new TreeSet<>();
    List<Route> forwarding = new ArrayList<>();
    for (Route route : services.service(AstroServices.GATEWAY).routes()) {
      if (route.getPath() == null) {
        continue; // request ids, bodies, CORS: in front of every request
      }
      if (Console.isConsole(route.getPath())) {
        continue; // the web console's static files, not the API (ConsoleTest in gateway-service)
      }
      assertThat(route.isRegexPath()).as(route.getPath()).isFalse();
      if (methods(route).isEmpty()) {
        forwarding.add(route); // the proxy: any method, to an upstream
      } else {
        methods(route).forEach(m -> exposed.add(operation(m, route.getPath())));
      }
    }
    assertThat(forwarding).isNotEmpty();
    for (String upstream : List.of(AstroServices.USER_SERVICE, AstroServices.APP_SERVICE)) {
      for (Route route : services.service(upstream).routes()) {
        // a route without methods is a filter (the token check) in front of a tree
        if (route.getPath() != null
            && !methods(route).isEmpty()
            && forwarding.stream().anyMatch(f -> forwards(f, route.getPath()))) {
          methods(route).forEach(m -> exposed.add(operation(m, route.getPath())));
        }
      }
    }

    assertThat(exposed).contains("POST /api/v1/apps", "POST /api/v1/login", "GET /health");
    assertThat(ApiContract.get().operations())
        .as("documented operations (left) against mounted routes")
        .containsExactlyElementsOf(exposed);
  }

  private static Set<HttpMethod> methods(Route route) {
    return route.methods() == null ? Set.of() : route.methods();
  }

  // Vert.x's "/x/*" is held as prefix "/x/" and matches "/x" too
  private static boolean forwards(Route forwarding, String path) {
    String prefix = forwarding.getPath();
    if (forwarding.isExactPath()) {
      return prefix.equals(path);
    }
    return path.startsWith(prefix)
        || (prefix.endsWith("/") && path.equals(prefix.substring(0, prefix.length() - 1)));
  }

  private static String operation(HttpMethod method, String path) {
    return method.name() + " " + path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
  }
}
