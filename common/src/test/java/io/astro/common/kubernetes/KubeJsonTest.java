package io.astro.common.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Secret;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes client, KubeJson installed, reads and writes objects as the API server has them.
 */
class KubeJsonTest {

  private static final String DEPLOYMENT =
      """
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"web","namespace":"u-1","uid":"4f1c","resourceVersion":"42","generation":3,
         "creationTimestamp":"2026-12-07T10:00:00Z","labels":{"app.kubernetes.io/name":"web"},
         "annotations":{"astro.io/spec-hash":"abc"}},
       "spec":{"replicas":2,"selector":{"matchLabels":{"app.kubernetes.io/name":"web"}},
         "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},
         "template":{"metadata":{"labels":{"app.kubernetes.io/name":"web"}},
           "spec":{"containers":[{"name":"web","image":"nginx:1.27",
             "ports":[{"containerPort":8080,"protocol":"TCP"}],
             "env":[{"name":"GREETING","value":"hi"}],
             "readinessProbe":{"httpGet":{"path":"/","port":8080}},
             "resources":{"limits":{"cpu":"500m","memory":"256Mi"},
               "requests":{"cpu":"250m","memory":"128Mi"}}}]}}},
       "status":{"observedGeneration":3,"replicas":2,"readyReplicas":2,
         "conditions":[{"type":"Available","status":"True",
           "lastTransitionTime":"2026-12-07T10:00:05Z","reason":"MinimumReplicasAvailable"}]}}
      """;

  private static final String SECRET =
      """
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"web-env","namespace":"u-1"},
       "type":"Opaque","data":{"TOKEN":"czNjcjN0"}}
      """;

  private static final String EVENT =
      """
      {"apiVersion":"v1","kind":"Event","metadata":{"name":"web.1","namespace":"u-1"},
       "involvedObject":{"kind":"Pod","name":"web-1","uid":"9a"},"reason":"BackOff","type":"Warning",
       "eventTime":"2026-12-07T10:00:00.123456Z","count":3}
      """;

  /** The client as shipped, its own Gson, in a class loader of its own. */
  private static ClientAsShipped shipped;

  @BeforeAll
  static void installed() throws Exception {
    KubeJson.install();
    shipped = new ClientAsShipped();
  }

  @Test
  void objects_read_and_written_again_are_the_json_the_client_as_shipped_makes_of_them()
      throws Exception {
    for (var object :
        Map.of(DEPLOYMENT, V1Deployment.class, SECRET, V1Secret.class, EVENT, CoreV1Event.class)
            .entrySet()) {
      String json = object.getKey();
      Class<?> type = object.getValue();

      // byte for byte: the spec hash on every object Astro wrote is of this JSON
      assertThat(JSON.serialize(JSON.deserialize(json, type)))
          .isEqualTo(shipped.roundTrip(json, type.getName()));
    }
  }

  @Test
  void quantities_int_or_strings_times_and_bytes_are_read_into_the_models() {
    V1Deployment deployment = JSON.deserialize(DEPLOYMENT, V1Deployment.class);
    V1Secret secret = JSON.deserialize(SECRET, V1Secret.class);
    CoreV1Event event = JSON.deserialize(EVENT, CoreV1Event.class);

    assertThat(deployment.getMetadata().getCreationTimestamp())
        .isEqualTo(OffsetDateTime.of(2026, 12, 7, 10, 0, 0, 0, ZoneOffset.UTC));
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
        .isEqualTo(new IntOrString("25%"));
    assertThat(
            deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits())
        .containsEntry("memory", Quantity.fromString("256Mi"));
    assertThat(new String(secret.getData().get("TOKEN"), StandardCharsets.UTF_8))
        .isEqualTo("s3cr3t");
    assertThat(event.getEventTime().getNano()).isEqualTo(123_456_000);
  }

  @Test
  void a_required_field_left_out_and_a_field_the_client_does_not_know_are_read_as_they_come() {
    String pod =
        "{\"metadata\":{\"name\":\"web-1\",\"futureField\":1},"
            + "\"spec\":{\"containers\":[{\"image\":\"nginx\",\"futureProbe\":{}}]}}";

    V1Pod read = JSON.deserialize(pod, V1Pod.class);

    assertThat(read.getMetadata().getName()).isEqualTo("web-1");
    assertThat(read.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx");
    // the client as shipped refuses a container without its name
    assertThatThrownBy(() -> shipped.roundTrip(pod, V1Pod.class.getName()))
        .hasRootCauseInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The Kubernetes client's classes loaded again, apart from this JVM's: their {@code JSON} has the
   * Gson the client builds for itself, whatever this test's classes have installed.
   */
  private static final class ClientAsShipped {
    private final ClassLoader loader;
    private final Method deserialize;
    private final Method serialize;

    ClientAsShipped() throws Exception {
      List<URL> path = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        path.add(Path.of(entry).toUri().toURL());
      }
      loader = new URLClassLoader(path.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
      Class<?> json = loader.loadClass(JSON.class.getName());
      deserialize = json.getMethod("deserialize", String.class, Type.class);
      serialize = json.getMethod("serialize", Object.class);
    }

    /** {@code json} read into the model {@code type} and written again. */
    String roundTrip(String json, String type) throws ReflectiveOperationException {
      return (String)
          serialize.invoke(null, deserialize.invoke(null, json, loader.loadClass(type)));
    }
  }
}
