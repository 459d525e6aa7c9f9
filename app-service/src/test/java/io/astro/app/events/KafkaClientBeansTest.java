package io.astro.app.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * app-service's Kafka clients keep their metrics off JMX: each registers only Kafka's one {@code
 * app-info} bean, none per metric (the beans nothing reads cost memory and start-up time).
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class KafkaClientBeansTest {

  private static final MBeanServer BEANS = ManagementFactory.getPlatformMBeanServer();

  @Test
  void noClientOfTheServiceRegistersItsMetricsAsBeans(TestDatabase db, KafkaBroker broker)
      throws Exception {
    Set<String> before = clientsWithAppInfo();
    RunningAppService app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of("ASTRO_APP_COMMANDS_TOPIC", KafkaBroker.uniqueTopicName("astro.app.commands")));
    try {
      Set<String> started = new HashSet<>(clientsWithAppInfo());
      started.removeAll(before);
      // the readiness check's admin client, the status stream's consumer, the outbox's producer
      assertThat(started)
          .contains("app-service-readiness", "app-service-status-stream", "app-service-outbox");
      List<ObjectName> metricBeans =
          BEANS.queryNames(new ObjectName("kafka.*:*"), null).stream()
              .filter(name -> started.contains(name.getKeyProperty("client-id")))
              .toList();
      assertThat(metricBeans).isEmpty();
    } finally {
      app.close();
    }
  }

  private static Set<String> clientsWithAppInfo() throws Exception {
    return BEANS.queryNames(new ObjectName("kafka.*:type=app-info,*"), null).stream()
        .map(name -> name.getKeyProperty("id"))
        .collect(Collectors.toSet());
  }
}
