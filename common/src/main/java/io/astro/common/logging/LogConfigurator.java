package io.astro.common.logging;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every service's logging, set up in code when Logback starts (found through {@code
 * META-INF/services}): one console appender, JSON lines ({@code ASTRO_LOG_FORMAT=json}, the
 * default) or text for people at a terminal ({@code text}), the root at {@code ASTRO_LOG_LEVEL}
 * (default INFO), third-party chatter quieter, the Kubernetes client's informers' stops left out.
 * Done in code because reading the same from XML took a service's main thread 110–145 ms of every
 * start. Either setting is read from a system property first, then the environment.
 *
 * <p>A {@code logback-test.xml} on the class path (tests) or a {@code -Dlogback.configurationFile}
 * (dev mode, the bench) still wins: Logback's own XML configurator reads them, as without this
 * class.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {

  private static final String TEXT_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} [%requestId] %msg%n%ex";

  /** Loggers whose INFO lines drown our own. */
  private static final Map<String, Level> QUIETER =
      Map.of(
          "kafka", Level.WARN,
          "org.apache.kafka", Level.WARN,
          "state.change.logger", Level.WARN,
          "org.mariadb", Level.WARN,
          "ch.vorburger", Level.WARN,
          "io.netty", Level.WARN,
          "org.flywaydb", Level.WARN,
          // the Kubernetes client's informers tell each list, watch and resync
          "io.kubernetes.client", Level.WARN,
          // Vert.x re-registers its gauges on purpose; Micrometer warns each time
          // (vertx-micrometer-metrics#259)
          "io.micrometer.core.instrument.MeterRegistry", Level.ERROR);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null
        || LogConfigurator.class.getClassLoader().getResource(ClassicConstants.TEST_AUTOCONFIG_FILE)
            != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configure(context, setting("ASTRO_LOG_FORMAT", "json"), setting("ASTRO_LOG_LEVEL", "INFO"));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** {@code format}: {@code text}, or anything else for JSON; {@code level}: a Logback level. */
  private static void configure(LoggerContext context, String format, String level) {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder("text".equals(format) ? text(context) : json(context));
    InformerStops informerStops = new InformerStops();
    informerStops.setContext(context);
    informerStops.start();
    console.addFilter(informerStops);
    console.start();
    QUIETER.forEach((name, quieter) -> context.getLogger(name).setLevel(quieter));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(console);
  }

  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    // what <conversionRule> in XML registers: %requestId
    @SuppressWarnings("unchecked")
    Map<String, Supplier<DynamicConverter<?>>> rules =
        (Map<String, Supplier<DynamicConverter<?>>>)
            context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
    if (rules == null) {
      rules = new HashMap<>();
      context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
    }
    rules.put("requestId", RequestIdConverter::new);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }

  private static String setting(String name, String otherwise) {
    String value = System.getProperty(name, System.getenv(name));
    return value == null || value.isBlank() ? otherwise : value.trim();
  }
}
