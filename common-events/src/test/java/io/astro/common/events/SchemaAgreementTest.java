package io.astro.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppCommandV1;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.AppStatusEventV1;
import io.astro.common.events.app.CertificateState;
import io.astro.common.events.app.NamespaceCommand;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.astro.common.events.audit.AuditEvent;
import io.astro.common.events.cluster.ClusterEvent;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.events.cluster.ClusterStatus;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.astro.common.events.user.UserEvent;
import io.astro.common.events.user.UserEventKind;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.events.EventSchemas;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each event record and its published JSON Schema ({@code docs/events/}) agree both ways: every
 * field the codec writes is a property of the schema and every property of the schema is written
 * (so every required one is); every component of the record is written; what the producer encodes
 * is valid against the schema, and the consumer reads back the same record. A field added on one
 * side only fails here.
 */
class SchemaAgreementTest {

  private static final String APP = "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01";
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.123Z");
  private static final String SEALED = "v1.k1.bm9uY2UtY2lwaGVydGV4dC10YWc=";

  /** One sample of a contract: the record, its event type, and how the consumer reads it back. */
  record Sample(
      String name,
      Record record,
      String type,
      JsonObject data,
      String encoded,
      Function<String, Record> decode,
      boolean writesEveryComponent) {

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> samples() {
    List<Sample> samples = new ArrayList<>();
    AppCommand.Release release =
        new AppCommand.Release(
            3,
            new TreeMap<>(Map.of("DATABASE_HOST", "db")),
            List.of("DATABASE_PASSWORD"),
            SEALED,
            List.of("/bin/server"),
            List.of("--port", "8080"),
            new AppCommand.Resources("small", "125m", "250m", "256Mi", "256Mi"),
            new AppCommand.HealthCheck(AppCommand.HealthCheck.HTTP, "/healthz", 8080, 0, 10, 1, 3),
            new AppCommand.PullSecret("ghcr", SEALED));
    for (AppCommand command :
        List.of(
            command(
                new AppCommand.Desired(
                    "nginx:1.27", 2, 8080, false, T0.toString(), false, release)),
            command(
                new AppCommand.Desired(
                    "nginx:1.27",
                    2,
                    8080,
                    false,
                    null,
                    false,
                    release,
                    true,
                    List.of("www.example.org", "example.org"))),
            command(
                new AppCommand.Desired(
                    "nginx:1.27",
                    0,
                    null,
                    true,
                    null,
                    true,
                    AppCommand.Release.BEFORE_RELEASES)))) {
      samples.add(
          new Sample(
              "app command " + command.desired(),
              command,
              AppCommand.TYPE,
              command.toData(),
              command.encode(),
              AppCommand::decode,
              true));
    }
    AppCommandV1 v1 =
        new AppCommandV1(
            AppCommand.Command.SCALE,
            APP,
            7,
            "web",
            "eu-1",
            KubeNames.namespace(7),
            KubeNames.objectName("web", 7),
            4,
            new AppCommandV1.Desired("nginx:1.27", 2, 8080, false, T0.toString(), false));
    samples.add(
        new Sample(
            "app command v1",
            v1,
            AppCommandV1.TYPE,
            v1.toData(),
            v1.encode(),
            AppCommandV1::decode,
            true));
    AppState.Pod waiting =
        new AppState.Pod("web-u7-5d9c-x", "Pending", false, 3, "node-a", "ImagePullBackOff");
    AppState.Pod plain = new AppState.Pod("web-u7-5d9c-y", "Running", true, 0, null, null);
    AppState failed =
        AppState.of(AppStatus.FAILED, 2, 1, List.of(waiting, plain), 4)
            .withReason("ImagePullBackOff", "Back-off pulling image");
    AppState deleted = AppState.withoutPods(AppStatus.DELETED, 0, 5);
    for (AppStatusEvent event :
        List.of(
            AppStatusEvent.observed(
                    APP,
                    "eu-1",
                    failed
                        .withRelease(2)
                        .withWarnings(
                            List.of(new AppState.Warning("BackOff", "Back-off restarting", 4, T0))),
                    T0)
                .reachableAt("https://web-u7.apps.example", List.of("www.example.org"))
                .withCertificates(
                    List.of(
                        new AppStatusEvent.Certificate(
                            "web-u7.apps.example", CertificateState.ISSUED, null),
                        new AppStatusEvent.Certificate(
                            "www.example.org", CertificateState.FAILED, "Failed"))),
            AppStatusEvent.observed(APP, "eu-1", deleted, T0))) {
      samples.add(
          new Sample(
              "app status " + event.state().status(),
              event,
              AppStatusEvent.TYPE,
              event.toData(),
              event.encode(),
              AppStatusEvent::decode,
              true));
    }
    for (AppState state : List.of(failed, deleted)) {
      AppStatusEventV1 event = AppStatusEventV1.observed(APP, "eu-1", state, T0);
      samples.add(
          new Sample(
              "app status v1 " + state.status(),
              event,
              AppStatusEventV1.TYPE,
              event.toData(),
              event.encode(),
              AppStatusEventV1::decode,
              // v1 carries the state without the release and warnings v2 added
              false));
    }
    for (ClusterEvent cluster :
        List.of(
            new ClusterEvent("c-1", "eu-1", SEALED, Map.of("region", "eu"), 3, T0.toString()),
            new ClusterEvent("c-2", "us-1", SEALED, Map.of(), 1, null),
            // a cluster with its own apps domain and selector, the class and issuer the worker's
            new ClusterEvent(
                "c-3",
                "ap-1",
                SEALED,
                Map.of(),
                2,
                null,
                new ClusterPublicUrls(
                    "apps.ap-1.example.com",
                    null,
                    "letsencrypt",
                    "kubernetes.io/metadata.name=ingress-nginx")))) {
      samples.add(
          new Sample(
              "cluster " + cluster.name(),
              cluster,
              ClusterEvent.TYPE,
              cluster.toData(),
              cluster.encode(),
              value -> ClusterEvent.decode(cluster.name(), value),
              true));
    }
    for (ClusterStatusEvent health :
        List.of(
            ClusterStatusEvent.checked(
                "eu-1",
                "v1.31.1",
                "https://eu-1.example:6443",
                new ClusterStatusEvent.Nodes(3, 3, 12.0, 48L << 30),
                T0,
                null,
                T0),
            ClusterStatusEvent.checked("us-1", null, null, null, null, "connection refused", T0))) {
      samples.add(
          new Sample(
              "cluster status " + health.status(),
              health,
              ClusterStatusEvent.TYPE,
              health.toData(),
              health.encode(),
              ClusterStatusEvent::decode,
              true));
    }
    NamespaceCommand namespace = NamespaceCommand.delete(7, T0);
    samples.add(
        new Sample(
            "namespace command",
            namespace,
            NamespaceCommand.TYPE,
            namespace.toData(),
            namespace.encode(),
            NamespaceCommand::decode,
            true));
    NamespaceStatusEvent removed =
        NamespaceStatusEvent.deleted(namespace, List.of("eu-1", "us-1"), T0);
    samples.add(
        new Sample(
            "namespace status",
            removed,
            NamespaceStatusEvent.TYPE,
            removed.toData(),
            removed.encode(),
            NamespaceStatusEvent::decode,
            true));
    for (UserEventKind kind : UserEventKind.values()) {
      UserEvent user = UserEvent.of(kind, APP, 7, T0);
      samples.add(
          new Sample(
              "user " + kind,
              user,
              UserEvent.TYPE,
              user.toData(),
              user.encode(),
              UserEvent::decode,
              true));
    }
    AuditEvent audit =
        new AuditEvent(
            "5d0c7a52-8f0e-4b8e-9a3e-0d7f1c2b3a49",
            T0,
            "app-service",
            new AuditEvent.Actor(APP, 7L, "user", AuditEvent.TokenKind.PAT, "tok-1", "ci deploys"),
            "app.scale",
            new AuditEvent.Target("app", APP, "web"),
            new AuditEvent.Outcome(202, 0),
            "req-1",
            "203.0.113.9");
    samples.add(
        new Sample(
            "audit",
            audit,
            AuditEvent.TYPE,
            audit.toData(),
            audit.encode(),
            AuditEvent::decode,
            true));
    AuditEvent anonymous =
        new AuditEvent(
            "6d0c7a52-8f0e-4b8e-9a3e-0d7f1c2b3a49",
            T0,
            "user-service",
            null,
            "user.login",
            new AuditEvent.Target("user", null, "ada"),
            new AuditEvent.Outcome(401, 10003),
            null,
            null);
    samples.add(
        new Sample(
            "audit without an actor",
            anonymous,
            AuditEvent.TYPE,
            anonymous.toData(),
            anonymous.encode(),
            AuditEvent::decode,
            false));
    return samples.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void what_the_codec_writes_is_exactly_what_the_schema_describes(Sample sample) {
    JsonNode data = EventSchemas.schema(sample.type).path("properties").path("data");
    List<String> problems = new ArrayList<>();

    agree("data", sample.data, data, problems);

    assertThat(problems).as(sample.type + " vs docs/events/" + sample.type + ".json").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void every_component_of_the_record_is_written(Sample sample) {
    assumeTrue(sample.writesEveryComponent, "a frozen older version writes the fields it had");
    List<String> problems = new ArrayList<>();

    written("data", sample.record, sample.data, problems);

    assertThat(problems).as(sample.record.getClass().getSimpleName()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void the_producers_event_is_valid_and_the_consumer_reads_the_same_record(Sample sample) {
    EventSchemas.assertValid(sample.type, sample.encoded);

    assertThat(sample.decode.apply(sample.encoded)).isEqualTo(sample.record);
    JsonObject event = new JsonObject(sample.encoded);
    JsonNode source = EventSchemas.schema(sample.type).path("properties").path("source");
    if (source.has("const")) {
      assertThat(event.getString("source")).isEqualTo(source.get("const").asText());
    }
  }

  @Test
  void the_status_words_are_the_schemas() {
    assertThat(words(AppStatusEvent.TYPE, "status"))
        .isEqualTo(new TreeSet<>(AppStatus.words(Set.of(AppStatus.values()))));
    assertThat(
            words(
                EventSchemas.schema(AppStatusEvent.TYPE)
                    .path("properties")
                    .path("data")
                    .path("properties")
                    .path("certificates")
                    .path("items")
                    .path("properties")
                    .path("state")
                    .path("enum")))
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(CertificateState.values()).map(CertificateState::value).toList()));
    assertThat(words(AppStatusEventV1.TYPE, "status"))
        .isEqualTo(new TreeSet<>(AppStatus.words(AppStatus.v1())));
    assertThat(words(ClusterStatusEvent.TYPE, "status"))
        .isEqualTo(
            new TreeSet<>(ClusterStatus.checked().stream().map(ClusterStatus::value).toList()));
    assertThat(words(AppCommand.TYPE, "command"))
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(AppCommand.Command.values())
                    .map(AppCommand.Command::value)
                    .toList()));
    assertThat(words(NamespaceCommand.TYPE, "command"))
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(NamespaceCommand.Command.values())
                    .map(NamespaceCommand.Command::value)
                    .toList()));
    assertThat(words(NamespaceStatusEvent.TYPE, "status"))
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(NamespaceStatusEvent.Status.values())
                    .map(NamespaceStatusEvent.Status::value)
                    .toList()));
    assertThat(words(UserEvent.TYPE, "kind"))
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(UserEventKind.values()).map(UserEventKind::value).toList()));
    assertThat(words(AuditEvent.TYPE, "service")).isEqualTo(new TreeSet<>(AuditEvent.SERVICES));
    assertThat(words(AppCommandV1.TYPE, "command"))
        .isEqualTo(
            new TreeSet<>(
                Arrays.stream(AppCommand.Command.values())
                    .filter(c -> c != AppCommand.Command.UPDATE)
                    .map(AppCommand.Command::value)
                    .toList()));
  }

  @Test
  void the_names_the_command_schema_accepts_are_kubernetes_names() {
    AppCommand command =
        command(
            new AppCommand.Desired(
                "nginx:1.27", 1, null, false, null, false, AppCommand.Release.BEFORE_RELEASES));
    JsonNode data = EventSchemas.schema(AppCommand.TYPE).path("properties").path("data");

    assertThat(data.path("properties").path("namespace").path("pattern").asText())
        .isEqualTo("^" + KubeNames.NAMESPACE.pattern() + "$");
    assertThat(data.path("properties").path("k8sName").path("pattern").asText())
        .isEqualTo("^" + KubeNames.DNS_LABEL.pattern() + "$");
    assertThat(data.path("properties").path("name").path("maxLength").asInt())
        .isEqualTo(AppCommand.MAX_NAME);
    assertThat(
            data.path("properties")
                .path("desired")
                .path("properties")
                .path("replicas")
                .path("maximum")
                .asInt())
        .isEqualTo(AppCommand.MAX_REPLICAS);
    assertThat(command.namespace()).isEqualTo(KubeNames.namespace(7));
  }

  /** The written object has exactly the schema's properties, and each nested one likewise. */
  private static void agree(
      String path, JsonObject written, JsonNode schema, List<String> problems) {
    JsonNode properties = schema.path("properties");
    if (properties.isMissingNode()) {
      return; // a map (labels): any key, values checked by validation
    }
    Set<String> described = new TreeSet<>();
    properties.fieldNames().forEachRemaining(described::add);
    for (String key : written.fieldNames()) {
      if (!described.contains(key)) {
        problems.add(path + "." + key + " is written but not in the schema");
      }
    }
    for (String key : described) {
      if (!written.containsKey(key)) {
        problems.add(path + "." + key + " is in the schema but never written");
      }
    }
    for (JsonNode required : iterable(schema.path("required"))) {
      if (!written.containsKey(required.asText())) {
        problems.add(path + "." + required.asText() + " is required but not written");
      }
    }
    for (String key : written.fieldNames()) {
      Object value = written.getValue(key);
      JsonNode property = properties.path(key);
      if (value instanceof JsonObject object) {
        agree(path + "." + key, object, property, problems);
      } else if (value instanceof JsonArray array) {
        for (Object item : array) {
          if (item instanceof JsonObject object) {
            agree(path + "." + key + "[]", object, property.path("items"), problems);
          }
        }
      }
    }
  }

  /**
   * Each component of {@code record} is a key of {@code written} (nested records in nested objects,
   * lists of records in arrays); a component whose type is a record the JSON does not nest under
   * its name ({@link AppStatusEvent#state()}) is written flat into the same object.
   */
  private static void written(
      String path, Record record, JsonObject written, List<String> problems) {
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new LinkageError(e.getMessage(), e);
      }
      // a field named by a Java keyword has its component named is<Field>
      String name = component.getName().equals("isPublic") ? "public" : component.getName();
      if (value instanceof Record nested) {
        Object json = written.getValue(name);
        written(
            path + "." + name,
            nested,
            json instanceof JsonObject object ? object : written,
            problems);
      } else if (!written.containsKey(name)) {
        problems.add(path + "." + name + " is a component of the record but not written");
      } else if (value instanceof List<?> list && written.getValue(name) instanceof JsonArray a) {
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i) instanceof Record item && a.getValue(i) instanceof JsonObject json) {
            written(path + "." + name + "[" + i + "]", item, json, problems);
          }
        }
      }
    }
  }

  private static Set<String> words(String type, String field) {
    return words(
        EventSchemas.schema(type)
            .path("properties")
            .path("data")
            .path("properties")
            .path(field)
            .path("enum"));
  }

  private static Set<String> words(JsonNode values) {
    Set<String> words = new TreeSet<>();
    iterable(values).forEach(v -> words.add(v.asText()));
    assertThat(words).as(values + " enum").isNotEmpty();
    return words;
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    return () -> StreamSupport.stream(node.spliterator(), false).iterator();
  }

  private static AppCommand command(AppCommand.Desired desired) {
    return new AppCommand(
        AppCommand.Command.SCALE,
        APP,
        7,
        "web",
        "eu-1",
        KubeNames.namespace(7),
        KubeNames.objectName("web", 7),
        4,
        desired);
  }
}
