package io.astro.testkit.kafka;

import java.util.Map;

/**
 * A record as read back from a topic, with key, value and header values decoded as UTF-8 (our
 * events are JSON and CloudEvents headers are text). A header sent twice keeps its last value.
 */
public record ReceivedRecord(
    String topic,
    int partition,
    long offset,
    String key,
    String value,
    Map<String, String> headers) {

  /** The header's value, or null when absent. */
  public String header(String name) {
    return headers.get(name);
  }
}
