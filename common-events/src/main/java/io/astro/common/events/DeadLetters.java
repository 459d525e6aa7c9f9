package io.astro.common.events;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Parks records a consumer cannot process on {@code <topic>.dlq} ({@link Topics#deadLetter}): the
 * record as it was, its headers, and {@code x-error} (the reason) with {@code
 * x-original-topic/-partition/-offset}. The reason is put in a header as given, so callers pass
 * reasons that hold nothing secret. A consumer moves past a record only once it is parked.
 */
public final class DeadLetters {

  public static final String ERROR_HEADER = "x-error";
  public static final String TOPIC_HEADER = "x-original-topic";
  public static final String PARTITION_HEADER = "x-original-partition";
  public static final String OFFSET_HEADER = "x-original-offset";

  private final Function<ProducerRecord<String, String>, CompletionStage<?>> send;
  private final Consumer<String> parkedFrom;

  /**
   * @param send sends a record and completes once the broker has it (Kafka's producer, or Vert.x's
   *     write stream over one, which keeps the send off the event loop)
   * @param parkedFrom told the source topic of every parked record, e.g. for a counter
   */
  public DeadLetters(
      Function<ProducerRecord<String, String>, CompletionStage<?>> send,
      Consumer<String> parkedFrom) {
    this.send = send;
    this.parkedFrom = parkedFrom;
  }

  /** Over a Kafka producer; completes when the broker acknowledged the parked record. */
  public static DeadLetters over(Producer<String, String> producer, Consumer<String> parkedFrom) {
    return new DeadLetters(
        record -> {
          CompletableFuture<Void> sent = new CompletableFuture<>();
          // the callback completes `sent`, failures included
          var unused =
              producer.send(
                  record,
                  (metadata, error) -> {
                    if (error == null) {
                      sent.complete(null);
                    } else {
                      sent.completeExceptionally(error);
                    }
                  });
          return sent;
        },
        parkedFrom);
  }

  /** What goes to the dead-letter topic for {@code record}. */
  public static ProducerRecord<String, String> parked(
      ConsumerRecord<String, String> record, String reason) {
    ProducerRecord<String, String> parked =
        new ProducerRecord<>(Topics.deadLetter(record.topic()), record.key(), record.value());
    for (Header header : record.headers()) {
      parked.headers().add(header);
    }
    parked
        .headers()
        .add(ERROR_HEADER, utf8(String.valueOf(reason)))
        .add(TOPIC_HEADER, utf8(record.topic()))
        .add(PARTITION_HEADER, utf8(Integer.toString(record.partition())))
        .add(OFFSET_HEADER, utf8(Long.toString(record.offset())));
    return parked;
  }

  /** Parks {@code record}; completes once the dead-letter topic has it. */
  public CompletionStage<Void> park(ConsumerRecord<String, String> record, String reason) {
    return send.apply(parked(record, reason)).thenRun(() -> parkedFrom.accept(record.topic()));
  }

  /**
   * Parks {@code record} and waits until it is parked: for consumers on a thread of their own that
   * may block.
   *
   * @throws IllegalStateException when it could not be parked within 30 seconds
   */
  public void parkAndWait(ConsumerRecord<String, String> record, String reason) {
    try {
      park(record, reason).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while parking a record", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot park a record of " + record.topic() + ": " + e.getMessage(), e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
