package io.astro.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml: JSON by default, text when ASTRO_LOG_FORMAT=text. */
class LogbackConfigTest {

  @AfterEach
  void clear() {
    System.clearProperty("ASTRO_LOG_FORMAT");
  }

  @Test
  void logs_are_json_by_default() throws Exception {
    assertThat(rootEncoder()).isInstanceOf(net.logstash.logback.encoder.LogstashEncoder.class);
  }

  @Test
  void text_format_is_chosen_by_environment() throws Exception {
    // logback resolves ${ASTRO_LOG_FORMAT} from system properties before the environment
    System.setProperty("ASTRO_LOG_FORMAT", "text");
    assertThat(rootEncoder())
        .isInstanceOf(ch.qos.logback.classic.encoder.PatternLayoutEncoder.class);
    assertThat(((ch.qos.logback.classic.encoder.PatternLayoutEncoder) rootEncoder()).getPattern())
        .contains("%requestId");
  }

  private static ch.qos.logback.core.encoder.Encoder<?> rootEncoder() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
    var appender =
        (ch.qos.logback.core.OutputStreamAppender<?>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
    context.stop();
    return appender.getEncoder();
  }
}
