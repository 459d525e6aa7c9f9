package io.astro.sync;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppCommandV1;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    public boolean isPublic = true;
    public List<String> domains = List.of();

    /** The release; {@link #release(AppCommand.Release)} changes it the way an update does. */
    public AppCommand.Release release = release(1);

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
          new AppCommand.Desired(
              image, replicas, port, stopped, restartedAt, deleted, release, isPublic, domains));
    }

    /** The same state as an {@code io.astro.app.command.v1} record (from before releases). */
    public AppCommandV1 commandV1(String command) {
      return new AppCommandV1(
          AppCommand.Command.of(command),
          id,
          userId,
          name,
          cluster,
          namespace(),
          k8sName(),
          generation,
          new AppCommandV1.Desired(image, replicas, port, stopped, restartedAt, deleted));
    }
  }

  /** Release {@code number} without settings. */
  public static AppCommand.Release release(long number) {
    return new AppCommand.Release(
        number, new TreeMap<>(), List.of(), null, null, null, null, null, null);
  }

  /**
   * Release {@code number} of {@code app} with these plain and secret variables (the secret ones
   * sealed for the app with {@code keys}, as app-service seals them).
   */
  public static AppCommand.Release release(
      long number,
      App app,
      KeyRing keys,
      Map<String, String> env,
      Map<String, String> secrets,
      String dockerConfig) {
    return new AppCommand.Release(
        number,
        new TreeMap<>(env),
        List.copyOf(new TreeMap<>(secrets).keySet()),
        secrets.isEmpty() ? null : keys.seal(app.id, new JsonObject(Map.copyOf(secrets)).encode()),
        null,
        null,
        null,
        null,
        dockerConfig == null
            ? null
            : new AppCommand.PullSecret("registry", keys.seal(app.id, dockerConfig)));
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

  /** Publishes the app's state as a v1 record, as app-service did before releases. */
  public void sendV1(App app, String command) {
    app.generation++;
    String value = app.commandV1(command).encode();
    EventSchemas.assertValid(AppCommandV1.TYPE, value);
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
