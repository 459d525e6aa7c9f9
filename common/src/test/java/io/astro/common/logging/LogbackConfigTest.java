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
    assertThat(rootAppenderNames()).containsExactly("json");
  }

  @Test
  void text_format_is_chosen_by_environment() throws Exception {
    // logback resolves ${ASTRO_LOG_FORMAT} from system properties before the environment
    System.setProperty("ASTRO_LOG_FORMAT", "text");
    assertThat(rootAppenderNames()).containsExactly("text");
  }

  private static java.util.List<String> rootAppenderNames() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
    java.util.List<String> names = new java.util.ArrayList<>();
    context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
    context.stop();
    return names;
  }
}
