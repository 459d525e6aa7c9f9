package io.astro.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.FilterReply;
import io.astro.common.http.RequestIds;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Logging as every service sets it up: JSON lines by default, text with {@code
 * ASTRO_LOG_FORMAT=text}, the root level from {@code ASTRO_LOG_LEVEL}, third-party chatter quieter,
 * the Kubernetes client's informer stops left out; and Logback's XML where a test or dev mode
 * brings its own.
 */
class LogConfiguratorTest {

  @AfterEach
  void clear() {
    System.clearProperty("ASTRO_LOG_FORMAT");
    System.clearProperty("ASTRO_LOG_LEVEL");
    System.clearProperty("logback.configurationFile");
  }

  @Test
  void lines_are_json_by_default_with_the_request_id_and_without_logbacks_own_fields()
      throws Exception {
    LoggerContext context = configured(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    JsonObject line = new JsonObject(inRequest("req-42", () -> encode(context, "hello")));

    assertThat(line.getString("message")).isEqualTo("hello");
    assertThat(line.getString("level")).isEqualTo("INFO");
    assertThat(line.getString("request_id")).isEqualTo("req-42");
    assertThat(line.fieldNames()).doesNotContain("level_value", "@version");
  }

  @Test
  void text_lines_when_asked_with_the_request_id_or_a_dash_outside_a_request() throws Exception {
    System.setProperty("ASTRO_LOG_FORMAT", "text");
    LoggerContext context = configured(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    assertThat(inRequest("req-7", () -> encode(context, "hello")))
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[[^]]+] test\\.logger \\[req-7] hello\\R");
    assertThat(encode(context, "outside")).contains(" [-] outside");
  }

  @Test
  void the_root_level_is_astro_log_level_and_chatty_libraries_log_warnings_only() {
    System.setProperty("ASTRO_LOG_LEVEL", "debug");
    LoggerContext context = configured(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
    assertThat(context.getLogger("org.apache.kafka.clients.consumer").getEffectiveLevel())
        .isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.micrometer.core.instrument.MeterRegistry").getEffectiveLevel())
        .isEqualTo(Level.ERROR);
    assertThat(context.getLogger("io.astro.app").getEffectiveLevel()).isEqualTo(Level.DEBUG);
  }

  @Test
  void the_kubernetes_clients_reports_of_its_stopped_informers_are_left_out_and_its_errors_kept() {
    LoggerContext context = configured(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    String controller = "io.kubernetes.client.informer.cache.Controller";

    assertThat(decision(context, controller, new InterruptedException()))
        .isEqualTo(FilterReply.DENY);
    assertThat(decision(context, controller, new IllegalStateException("handler failed")))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(decision(context, "io.astro.sync.clusters", new InterruptedException()))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(context.getLogger(controller).getEffectiveLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void a_configuration_file_named_on_the_command_line_is_left_to_logbacks_xml_reader() {
    System.setProperty("logback.configurationFile", "astro-dev-logback.xml");
    LoggerContext context = configured(ExecutionStatus.INVOKE_NEXT_IF_ANY);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console")).isNull();
  }

  private static LoggerContext configured(ExecutionStatus expected) {
    LoggerContext context = new LoggerContext();
    // what SLF4J's Logback provider gives the context it starts
    context.setMDCAdapter(new LogbackMDCAdapter());
    LogConfigurator configurator = new LogConfigurator();
    configurator.setContext(context);
    assertThat(configurator.configure(context)).isEqualTo(expected);
    return context;
  }

  /** What the root's console appender's filters say of an ERROR from {@code logger}. */
  private static FilterReply decision(LoggerContext context, String logger, Throwable thrown) {
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            context.getLogger(logger),
            Level.ERROR,
            "stopped",
            thrown,
            null);
    return console(context).getFilterChainDecision(event);
  }

  /** The line the root's console appender would write for an INFO event of {@code test.logger}. */
  private static String encode(LoggerContext context, String message) {
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            context.getLogger("test.logger"),
            Level.INFO,
            message,
            null,
            null);
    return new String(console(context).getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  private static OutputStreamAppender<ILoggingEvent> console(LoggerContext context) {
    return (OutputStreamAppender<ILoggingEvent>)
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
  }

  /** Runs {@code work} on a request's Vert.x context, its request id bound. */
  private static String inRequest(String requestId, Supplier<String> work) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
      RequestIds.bind(request, requestId);
      CompletableFuture<String> line = new CompletableFuture<>();
      request.runOnContext(
          v -> {
            try {
              line.complete(work.get());
            } catch (RuntimeException e) {
              line.completeExceptionally(e);
            }
          });
      return line.get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
