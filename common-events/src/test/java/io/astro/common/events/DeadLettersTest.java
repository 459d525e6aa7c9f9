package io.astro.common.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** A parked record is the record as it was, plus why and where it came from. */
class DeadLettersTest {

  private final ConsumerRecord<String, String> record =
      new ConsumerRecord<>("astro.app.status", 2, 41, "app-1", "{not json");

  {
    record.headers().add("x-request-id", "req-1".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_parked_record_keeps_key_value_and_headers_and_says_why_and_whence() {
    ProducerRecord<String, String> parked = DeadLetters.parked(record, "not a CloudEvent");

    assertThat(parked.topic()).isEqualTo("astro.app.status.dlq");
    assertThat(parked.key()).isEqualTo("app-1");
    assertThat(parked.value()).isEqualTo("{not json");
    assertThat(header(parked, "x-request-id")).isEqualTo("req-1");
    assertThat(header(parked, DeadLetters.ERROR_HEADER)).isEqualTo("not a CloudEvent");
    assertThat(header(parked, DeadLetters.TOPIC_HEADER)).isEqualTo("astro.app.status");
    assertThat(header(parked, DeadLetters.PARTITION_HEADER)).isEqualTo("2");
    assertThat(header(parked, DeadLetters.OFFSET_HEADER)).isEqualTo("41");
  }

  @Test
  void a_record_counts_as_parked_only_once_it_was_sent() {
    CompletableFuture<Void> broker = new CompletableFuture<>();
    List<String> parkedFrom = new ArrayList<>();
    DeadLetters deadLetters = new DeadLetters(r -> broker, parkedFrom::add);

    CompletableFuture<Void> parked = deadLetters.park(record, "why").toCompletableFuture();
    assertThat(parked).isNotDone();
    assertThat(parkedFrom).isEmpty();

    broker.complete(null);
    assertThat(parked).isCompleted();
    assertThat(parkedFrom).containsExactly("astro.app.status");
  }

  private static String header(ProducerRecord<String, String> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
