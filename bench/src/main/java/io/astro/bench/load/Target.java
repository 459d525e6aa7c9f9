package io.astro.bench.load;

import java.net.URI;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What one request of a load run is: method, where, headers, and a body per request number (logins
 * rotate users).
 *
 * @param name what the report calls it, e.g. {@code gateway}
 */
public record Target(
    String name, String method, URI uri, Map<String, String> headers, IntFunction<String> body) {

  public static Target get(String name, String url, String token) {
    return new Target(
        name, "GET", URI.create(url), Map.of("Authorization", "Bearer " + token), null);
  }

  public static Target post(String name, String url, IntFunction<String> body) {
    return new Target(
        name, "POST", URI.create(url), Map.of("Content-Type", "application/json"), body);
  }

  int port() {
    return uri.getPort();
  }

  String host() {
    return uri.getHost();
  }

  String pathAndQuery() {
    return uri.getRawQuery() == null
        ? uri.getRawPath()
        : uri.getRawPath() + "?" + uri.getRawQuery();
  }
}
