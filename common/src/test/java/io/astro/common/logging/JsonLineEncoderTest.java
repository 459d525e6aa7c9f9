package io.astro.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The JSON lines every service writes by default, one object per event. */
class JsonLineEncoderTest {

  private final LoggerContext context = new LoggerContext();
  private final JsonLineEncoder encoder = new JsonLineEncoder();

  JsonLineEncoderTest() {
    encoder.setContext(context);
    encoder.start();
  }

  @Test
  void a_line_holds_the_time_the_formatted_message_the_logger_the_thread_and_the_level() {
    LoggingEvent event = event(Level.WARN, "cluster {} lost after {} tries", null, "east", 3);

    String line = encode(event);
    JsonObject json = new JsonObject(line);

    assertThat(line).endsWith("}\n").hasLineCount(1);
    assertThat(json.fieldNames())
        .containsExactly("@timestamp", "message", "logger_name", "thread_name", "level");
    assertThat(Instant.parse(json.getString("@timestamp"))).isEqualTo(event.getInstant());
    assertThat(json.getString("message")).isEqualTo("cluster east lost after 3 tries");
    assertThat(json.getString("logger_name")).isEqualTo("io.astro.sync.clusters");
    assertThat(json.getString("thread_name")).isEqualTo(Thread.currentThread().getName());
    assertThat(json.getString("level")).isEqualTo("WARN");
  }

  @Test
  void quotes_line_breaks_and_control_characters_in_a_message_stay_inside_one_line() {
    String message = "name \"web\"\nsecond line\ttab \u0001 é ✓";

    String line = encode(event(Level.INFO, message, null));

    assertThat(line).hasLineCount(1);
    assertThat(new JsonObject(line).getString("message")).isEqualTo(message);
  }

  @Test
  void a_throwable_is_written_as_its_stack_trace_with_its_causes() {
    IllegalStateException thrown =
        new IllegalStateException("apply failed", new IOException("connection reset"));

    JsonObject json = new JsonObject(encode(event(Level.ERROR, "reconcile", thrown)));

    assertThat(json.getString("stack_trace"))
        .startsWith("java.lang.IllegalStateException: apply failed")
        .contains("\tat io.astro.common.logging.JsonLineEncoderTest.")
        .contains("Caused by: java.io.IOException: connection reset");
  }

  private LoggingEvent event(Level level, String message, Throwable thrown, Object... args) {
    return new LoggingEvent(
        Logger.class.getName(),
        context.getLogger("io.astro.sync.clusters"),
        level,
        message,
        thrown,
        args);
  }

  private String encode(LoggingEvent event) {
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }
}
