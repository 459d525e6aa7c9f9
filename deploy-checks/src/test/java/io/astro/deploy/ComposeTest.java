package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml (parsed with SnakeYAML as compose reads it, merge keys included) with
 * .env.example, its only source of values, and deploy/prometheus.yml: health-gated start order, no
 * port clashes, settings the services read, secrets shared where they must be, and the k3s cluster
 * wired to the sync-worker.
 */
class ComposeTest {

  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?][^}]*)?}");

  /** compose service → Astro module. */
  private static final Map<String, String> ASTRO =
      Map.of(
          "gateway",
          "gateway-service",
          "user-service",
          "user-service",
          "app-service",
          "app-service",
          "sync-worker",
          "sync-worker");

  private final String text = Repo.read("docker-compose.yml");
  private final Map<String, Object> compose = Kustomize.cast(Kustomize.yaml().load(text));
  private final Map<String, Object> services = Kustomize.cast(compose.get("services"));
  private final Map<String, String> dotEnv = dotEnv();

  @Test
  void everyServiceIsHealthCheckedOrWaitsForHealthyDependencies() {
    assertThat(services.keySet())
        .containsAll(ASTRO.keySet())
        .contains("mysql", "kafka", "kafka-init", "k3s", "prometheus");
    services.forEach(
        (name, value) -> {
          Map<String, Object> service = Kustomize.cast(value);
          Map<String, Object> healthcheck =
              service.get("healthcheck") == null
                  ? null
                  : Kustomize.cast(service.get("healthcheck"));
          Map<String, Object> dependsOn = dependsOn(service);
          boolean gated =
              !dependsOn.isEmpty()
                  && dependsOn.values().stream()
                      .allMatch(
                          d ->
                              Set.of("service_healthy", "service_completed_successfully")
                                  .contains(Kustomize.cast(d).get("condition")));
          assertThat(healthcheck != null || gated)
              .as(name + ": a healthcheck or health-gated depends_on")
              .isTrue();
          if (healthcheck != null) {
            assertThat(healthcheck.get("test")).as(name + " healthcheck test").isNotNull();
          }
          dependsOn.forEach(
              (dependency, d) -> {
                assertThat(services).as(name + " depends on " + dependency).containsKey(dependency);
                String condition = (String) Kustomize.cast(d).get("condition");
                assertThat(condition).as(name + " → " + dependency + " condition").isNotNull();
                Map<String, Object> target = Kustomize.cast(services.get(dependency));
                if (condition.equals("service_healthy")) {
                  assertThat(target.get("healthcheck"))
                      .as(dependency + " has the healthcheck " + name + " waits for")
                      .isNotNull();
                }
                if (condition.equals("service_completed_successfully")) {
                  assertThat(target.get("restart"))
                      .as(dependency + " is a one-shot")
                      .isEqualTo("no");
                }
              });
        });
    for (String astro : ASTRO.keySet()) {
      String test =
          String.join(
              " ",
              Kustomize.list(
                      Kustomize.cast(Kustomize.cast(services.get(astro)).get("healthcheck"))
                          .get("test"))
                  .stream()
                  .map(String::valueOf)
                  .toList());
      // /ready is served on the management port only
      int port = ConfigNames.managementPort(ASTRO.get(astro)).getValue();
      assertThat(test).as(astro + " healthcheck").contains("127.0.0.1:" + port + "/ready");
    }
  }

  @Test
  void publishedPortsDoNotClash() {
    Map<String, String> hostPorts = new HashMap<>();
    services.forEach(
        (name, value) -> {
          for (Object p : Kustomize.list(Kustomize.cast(value).get("ports"))) {
            String[] parts = String.valueOf(p).split(":");
            assertThat(parts.length)
                .as(name + " port " + p + ": host:container or ip:host:container")
                .isBetween(2, 3);
            String host = parts[parts.length - 2];
            String previous = hostPorts.put(host, name);
            assertThat(previous)
                .as("host port " + host + " published by " + name + " and " + previous)
                .isNull();
            if (ASTRO.containsKey(name)) {
              assertThat(Integer.parseInt(parts[parts.length - 1]))
                  .as(name + " container port")
                  .isEqualTo(ConfigNames.port(ASTRO.get(name)).getValue());
            }
          }
        });
    assertThat(hostPorts).containsEntry("8080", "gateway");
  }

  @Test
  void astroServicesAreGivenOnlyVariablesTheyReadAndRunHardened() {
    ASTRO.forEach(
        (name, module) -> {
          Map<String, Object> service = Kustomize.cast(services.get(name));
          Map<String, String> env = environment(service);
          Set<String> reads = ConfigNames.of(module);
          for (String var : env.keySet()) {
            assertThat(reads)
                .as(name + " is given " + var + ", which " + module + " never reads")
                .contains(var);
          }
          Map.Entry<String, Integer> port = ConfigNames.port(module);
          assertThat(env)
              .as(name + " port")
              .containsEntry(port.getKey(), String.valueOf(port.getValue()));
          Map<String, Object> build = Kustomize.cast(service.get("build"));
          assertThat(build)
              .as(name + " build")
              .containsEntry("context", ".")
              .containsEntry("dockerfile", module + "/Dockerfile");
          assertThat(Repo.path(module + "/Dockerfile")).exists();
          assertThat((String) service.get("image"))
              .as(name + " image")
              .startsWith("astro/" + module + ":")
              .doesNotContain("latest");
          assertThat(service.get("read_only")).as(name + " read_only").isEqualTo(true);
          assertThat(Kustomize.list(service.get("tmpfs"))).as(name + " tmpfs").contains("/tmp");
          assertThat(Kustomize.list(service.get("cap_drop")))
              .as(name + " cap_drop")
              .contains("ALL");
          assertThat(Kustomize.list(service.get("security_opt")))
              .as(name)
              .contains("no-new-privileges:true");
          assertThat(service.get("stop_grace_period"))
              .as(name + " stop_grace_period")
              .isEqualTo("30s");
          assertThat(service.get("user"))
              .as(name + ": the image's non-root user, not overridden")
              .isNull();
        });
  }

  @Test
  void backingImagesArePinned() {
    services.forEach(
        (name, value) -> {
          String image = (String) Kustomize.cast(value).get("image");
          assertThat(image).as(name + " image").isNotNull();
          if (!ASTRO.containsKey(name)) {
            assertThat(KubernetesManifestsTest.pinned(image))
                .as(name + " image " + image + " pinned")
                .isTrue();
          }
        });
  }

  @Test
  void theServicesFindEachOtherAndShareTheirSecrets() {
    Map<String, String> gateway = environment(service("gateway"));
    Map<String, String> user = environment(service("user-service"));
    Map<String, String> app = environment(service("app-service"));
    Map<String, String> sync = environment(service("sync-worker"));

    assertRoutes(gateway.get("ASTRO_USER_SERVICE_URL"), "user-service");
    assertRoutes(gateway.get("ASTRO_APP_SERVICE_URL"), "app-service");
    assertRoutes(app.get("ASTRO_JWKS_URL"), "user-service");
    assertRoutes(app.get("ASTRO_USER_SERVICE_URL"), "user-service");
    assertRoutes(app.get("ASTRO_SYNC_WORKER_URL"), "sync-worker");
    assertThat(app.get("ASTRO_KAFKA_BOOTSTRAP")).isEqualTo("kafka:9092");
    assertThat(sync.get("ASTRO_KAFKA_BOOTSTRAP")).isEqualTo("kafka:9092");

    // one interpolated value behind both sides of each shared secret
    for (String shared : List.of("ASTRO_INTERNAL_TOKEN", "ASTRO_KUBECONFIG_KEYS")) {
      assertThat(app.get(shared))
          .as(shared + " on app-service")
          .isNotNull()
          .isEqualTo(sync.get(shared));
      assertThat(app.get(shared)).as(shared).contains("${" + shared);
    }
    Map<String, String> mysql = environment(service("mysql"));
    assertThat(user)
        .containsEntry("ASTRO_DB_HOST", "mysql")
        .containsEntry("ASTRO_DB_NAME", "astro_users")
        .containsEntry("ASTRO_DB_USER", "astro_users");
    assertThat(app)
        .containsEntry("ASTRO_DB_HOST", "mysql")
        .containsEntry("ASTRO_DB_NAME", "astro_apps")
        .containsEntry("ASTRO_DB_USER", "astro_apps");
    assertThat(user.get("ASTRO_DB_PASSWORD")).isEqualTo(mysql.get("USERS_DB_PASSWORD"));
    assertThat(app.get("ASTRO_DB_PASSWORD")).isEqualTo(mysql.get("APPS_DB_PASSWORD"));
    String init = Repo.read("k8s/base/infra/mysql/init-databases.sh");
    assertThat(init)
        .contains(
            "CREATE DATABASE IF NOT EXISTS astro_users",
            "CREATE DATABASE IF NOT EXISTS astro_apps",
            "'astro_users'@'%'",
            "'astro_apps'@'%'",
            "USERS_DB_PASSWORD",
            "APPS_DB_PASSWORD");
    assertThat(Kustomize.list(service("mysql").get("volumes")).stream().map(String::valueOf))
        .anyMatch(
            v ->
                v.startsWith(
                    "./k8s/base/infra/mysql/init-databases.sh:/docker-entrypoint-initdb.d/"));
    assertThat(Kustomize.list(service("mysql").get("command")))
        .contains("--mysql-native-password=ON");
  }

  @Test
  void theSyncWorkerDeploysIntoK3sThroughAKubeconfigItCanReach() {
    Map<String, String> sync = environment(service("sync-worker"));
    Map<String, String> app = environment(service("app-service"));
    String clusters = sync.get("ASTRO_CLUSTERS");
    assertThat(clusters).as("ASTRO_CLUSTERS").matches("[a-z0-9-]+=/.+");
    String id = clusters.substring(0, clusters.indexOf('='));
    String path = clusters.substring(clusters.indexOf('=') + 1);
    assertThat(app.get("ASTRO_DEFAULT_CLUSTER"))
        .as("app-service places apps on the sync-worker's cluster")
        .isEqualTo(id);

    // the file sits in a volume the sync-worker mounts, written by the one-shot that rewrote the
    // server address
    String volume = null;
    for (Object v : Kustomize.list(service("sync-worker").get("volumes"))) {
      String[] parts = String.valueOf(v).split(":");
      if (path.startsWith(parts[1] + "/")) {
        volume = parts[0];
      }
    }
    assertThat(volume).as(path + " is in a mounted volume").isNotNull();
    Map<String, Object> rewrite = service("k3s-kubeconfig");
    String mountedVolume = volume;
    assertThat(Kustomize.list(rewrite.get("volumes")).stream().map(String::valueOf))
        .anyMatch(v -> v.startsWith(mountedVolume + ":"));
    String command =
        String.join(
            " ", Kustomize.list(rewrite.get("command")).stream().map(String::valueOf).toList());
    assertThat(command)
        .contains(
            "https://127.0.0.1:6443",
            "https://k3s:6443",
            path.substring(path.lastIndexOf('/') + 1));
    assertThat(dependsOn(service("sync-worker"))).containsKey("k3s-kubeconfig");
    // the API server's certificate names the host the sync-worker dials
    assertThat(Kustomize.list(service("k3s").get("command"))).contains("--tls-san=k3s");
    assertThat(environment(service("k3s")))
        .containsKeys("K3S_KUBECONFIG_OUTPUT", "K3S_KUBECONFIG_MODE");
  }

  @Test
  void topicsComeFromTheSameScriptAsOnKubernetes() {
    Map<String, Object> init = service("kafka-init");
    assertThat(Kustomize.list(init.get("volumes")).stream().map(String::valueOf))
        .anyMatch(v -> v.startsWith("./k8s/base/infra/kafka/create-topics.sh:"));
    assertThat(String.valueOf(init.get("image")))
        .isEqualTo(String.valueOf(service("kafka").get("image")));
    assertThat(environment(service("kafka")))
        .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    for (String consumer : List.of("app-service", "sync-worker")) {
      assertThat(Kustomize.cast(dependsOn(service(consumer)).get("kafka-init")))
          .as(consumer + " starts after the topics exist")
          .containsEntry("condition", "service_completed_successfully");
    }
  }

  @Test
  void prometheusScrapesAllFour() {
    Map<String, Object> prometheus =
        Kustomize.cast(Kustomize.yaml().load(Repo.read("deploy/prometheus.yml")));
    Set<String> targets = new TreeSet<>();
    for (Object job : Kustomize.list(prometheus.get("scrape_configs"))) {
      Map<String, Object> j = Kustomize.cast(job);
      assertThat(j.getOrDefault("metrics_path", "/metrics")).isEqualTo("/metrics");
      for (Object sc : Kustomize.list(j.get("static_configs"))) {
        for (Object t : Kustomize.list(Kustomize.cast(sc).get("targets"))) {
          targets.add(String.valueOf(t));
        }
      }
    }
    Set<String> expected = new TreeSet<>();
    ASTRO.forEach(
        (name, module) -> expected.add(name + ":" + ConfigNames.managementPort(module).getValue()));
    assertThat(targets).isEqualTo(expected);
    assertThat(Kustomize.list(service("prometheus").get("volumes")).stream().map(String::valueOf))
        .anyMatch(v -> v.startsWith("./deploy/prometheus.yml:"));
  }

  @Test
  void valuesComeFromEnvExampleOnly() {
    Set<String> used = new TreeSet<>();
    Matcher m = INTERPOLATION.matcher(text);
    while (m.find()) {
      used.add(m.group(1));
    }
    assertThat(dotEnv.keySet())
        .as(".env.example defines everything docker-compose.yml interpolates")
        .containsAll(used);
    assertThat(used)
        .as("every .env.example variable is used by docker-compose.yml")
        .containsAll(dotEnv.keySet());
    // ASTRO_ names in .env.example are names some service reads
    Set<String> read = new HashSet<>();
    ASTRO.values().forEach(module -> read.addAll(ConfigNames.of(module)));
    dotEnv.keySet().stream()
        .filter(k -> k.startsWith("ASTRO_"))
        .forEach(
            k -> assertThat(read).as(".env.example " + k + " is read by a service").contains(k));
    // secrets there are dev-only values, and say so
    dotEnv.forEach(
        (k, v) -> {
          if (k.matches(".*(PASSWORD|TOKEN|KEYS?)$")) {
            assertThat(v.toLowerCase(Locale.ROOT))
                .as(".env.example " + k + " is marked as a dev-only value")
                .contains("dev");
          }
        });
  }

  // ---------------------------------------------------------------- helpers

  private Map<String, Object> service(String name) {
    assertThat(services).containsKey(name);
    return Kustomize.cast(services.get(name));
  }

  private static Map<String, Object> dependsOn(Map<String, Object> service) {
    Object d = service.get("depends_on");
    if (d == null) {
      return Map.of();
    }
    assertThat(d).as("depends_on in the long form, with conditions").isInstanceOf(Map.class);
    return Kustomize.cast(d);
  }

  /** A service's environment as written (values not interpolated). */
  static Map<String, String> environment(Map<String, Object> service) {
    Object env = service.get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env == null) {
      return out;
    }
    assertThat(env).as("environment as a mapping").isInstanceOf(Map.class);
    Kustomize.cast(env).forEach((k, v) -> out.put(k, v == null ? null : String.valueOf(v)));
    return out;
  }

  private void assertRoutes(String url, String module) {
    assertThat(url).as("URL to " + module).isNotNull();
    URI uri = URI.create(url);
    String name =
        ASTRO.entrySet().stream()
            .filter(e -> e.getValue().equals(module))
            .findFirst()
            .orElseThrow()
            .getKey();
    assertThat(uri.getHost()).as(url).isEqualTo(name);
    assertThat(uri.getPort()).as(url).isEqualTo(ConfigNames.port(module).getValue());
  }

  private static Map<String, String> dotEnv() {
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : Repo.read(".env.example").split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      assertThat(eq).as(".env.example line " + l + " is NAME=value").isPositive();
      String previous = vars.put(l.substring(0, eq), l.substring(eq + 1));
      assertThat(previous).as(".env.example defines " + l.substring(0, eq) + " once").isNull();
    }
    return vars;
  }
}
