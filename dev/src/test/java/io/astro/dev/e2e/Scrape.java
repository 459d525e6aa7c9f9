package io.astro.dev.e2e;

import io.astro.testkit.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

/**
 * A service's own endpoints as Prometheus and an orchestrator read them (not routed by the
 * gateway).
 */
final class Scrape {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private Scrape() {}

  static HttpResponse<String> get(String url) {
    try {
      // the bound held by this thread, whatever the client's own timeout does
      return HTTP.sendAsync(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .get(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("GET " + url + " failed", e);
    }
  }

  /**
   * The sum of the samples of {@code name} whose labels include every {@code label="value"} given.
   */
  static OptionalDouble sample(String metrics, String name, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : metrics.lines().toList()) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      String series = line.substring(0, line.lastIndexOf(' '));
      if (Arrays.stream(labels).allMatch(series::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  /** Like {@link #sample}, failing when no such series exists. */
  static double value(String metrics, String name, String... labels) {
    return sample(metrics, name, labels)
        .orElseThrow(() -> new AssertionError("no series " + name + " " + Arrays.toString(labels)));
  }

  /**
   * Scrapes {@code serviceUrl/metrics} until the sample satisfies {@code condition} (bounded);
   * answers the text.
   */
  static String awaitSample(
      String serviceUrl, String name, DoublePredicate condition, String... labels) {
    return Eventually.await(
        serviceUrl + "/metrics to show " + name + " " + Arrays.toString(labels) + " as expected",
        Gateway.WAIT,
        () -> get(serviceUrl + "/metrics").body(),
        text -> {
          OptionalDouble value = sample(text, name, labels);
          return value.isPresent() && condition.test(value.getAsDouble());
        });
  }
}
