package io.astro.sync;

import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes commands on the command topic the way app-service's outbox relay does, checked against
 * the schema.
 */
public final class Commands implements AutoCloseable {

  private final KafkaProducer<String, String> producer;
  private final String topic;

  public Commands(KafkaBroker broker, String topic) {
    this.producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "acks", "all"));
    this.topic = topic;
  }

  /** One app's desired state; each change is a new record with the next generation. */
  public static final class App {
    public final String id = UUID.randomUUID().toString();
    public final long userId;
    public final String name;
    public String cluster;
    public long generation;
    public String image = "registry.example.com/web:1";
    public int replicas = 1;
    public Integer port = 8080;
    public boolean stopped;
    public String restartedAt;
    public boolean deleted;

    public App(long userId, String name, String cluster) {
      this.userId = userId;
      this.name = name;
      this.cluster = cluster;
    }

    public String namespace() {
      return KubeNames.namespace(userId);
    }

    public String k8sName() {
      return KubeNames.objectName(name, userId);
    }

    /** The command record app-service would publish for this state. */
    public AppCommand command(String command) {
      return new AppCommand(
          AppCommand.Command.of(command),
          id,
          userId,
          name,
          cluster,
          namespace(),
          k8sName(),
          generation,
          new AppCommand.Desired(image, replicas, port, stopped, restartedAt, deleted));
    }
  }

  /** Bumps the app's generation and publishes its whole desired state as {@code command}. */
  public void send(App app, String command) {
    app.generation++;
    sendAsIs(app, command);
  }

  /**
   * Publishes the current state without bumping the generation (a duplicate, or an older record).
   */
  public void sendAsIs(App app, String command) {
    String value = app.command(command).encode();
    EventSchemas.assertValid(AppCommand.TYPE, value);
    sendRaw(app.id, value);
  }

  public void restart(App app) {
    app.restartedAt = Instant.now().toString();
    send(app, "restart");
  }

  public void sendRaw(String key, String value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish a command", e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
