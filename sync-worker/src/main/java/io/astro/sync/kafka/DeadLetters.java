package io.astro.sync.kafka;

import io.astro.common.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Parks records a consumer cannot process on {@code <topic>.dlq}: the record as it was, its
 * headers, and {@code x-error} (the reason) with {@code x-original-topic/-partition/-offset}. The
 * reason is put in a header as given, so callers pass reasons that hold nothing secret.
 */
public final class DeadLetters {

  private final KafkaProducer<String, String> producer;
  private final Consumer<String> counter;

  /**
   * @param counter told the source topic of every parked record (for {@code
   *     astro_sync_dead_letters_total})
   */
  public DeadLetters(KafkaProducer<String, String> producer, Consumer<String> counter) {
    this.producer = producer;
    this.counter = counter;
  }

  /** Sends and waits: the caller moves past the record only once it is really parked. */
  public void park(ConsumerRecord<String, String> record, String reason) {
    ProducerRecord<String, String> parked =
        new ProducerRecord<>(Topics.deadLetter(record.topic()), record.key(), record.value());
    for (Header header : record.headers()) {
      parked.headers().add(header);
    }
    parked
        .headers()
        .add("x-error", String.valueOf(reason).getBytes(StandardCharsets.UTF_8))
        .add("x-original-topic", record.topic().getBytes(StandardCharsets.UTF_8))
        .add(
            "x-original-partition",
            Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8))
        .add("x-original-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
    try {
      producer.send(parked).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while parking a record", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot park a record of " + record.topic() + ": " + e.getMessage(), e);
    }
    counter.accept(record.topic());
  }
}
