package io.astro.dev;

import io.astro.common.events.app.AppStatus;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * What dev mode prints once everything is ready: what is where, and a quick start to copy and
 * paste.
 */
final class Banner {

  private Banner() {}

  static String text(DevMode dev, Memory memory) {
    DevOptions options = dev.options();
    DevOptions.Ports ports = options.ports();
    ClusterTarget cluster = dev.backing().cluster();
    String gateway = "localhost:" + ports.gateway();
    String dir = shown(dev.workspace().dir());
    StringBuilder b = new StringBuilder();
    long sinceJvmStart = ManagementFactory.getRuntimeMXBean().getUptime();
    b.append("\nAstro dev mode is up: ready ")
        .append(String.format("%.1f", sinceJvmStart / 1000.0))
        .append(" s after the JVM started; memory: ")
        .append(memory)
        .append("\n\n");
    row(b, "web console", "http://" + gateway + "/  (open it in a browser: sign up, deploy)");
    row(b, "API (gateway)", "http://" + gateway + "/api/v1  (reference: /api/v1/openapi.json)");
    row(
        b,
        "services",
        "user-service :"
            + ports.userService()
            + ", app-service :"
            + ports.appService()
            + ", sync-worker :"
            + ports.syncWorker()
            + " on "
            + options.httpHost()
            + " (each: /health)");
    row(
        b,
        "management",
        "/ready /metrics: "
            + String.join(
                ", ",
                java.util.List.of(
                    "gateway :" + dev.managementPort(AstroServices.GATEWAY),
                    "user-service :" + dev.managementPort(AstroServices.USER_SERVICE),
                    "app-service :" + dev.managementPort(AstroServices.APP_SERVICE),
                    "sync-worker :" + dev.managementPort(AstroServices.SYNC_WORKER))));
    row(
        b,
        "Kafka",
        dev.backing().kafka().bootstrapServers()
            + " (topics "
            + String.join(", ", dev.backing().topics())
            + ")");
    row(
        b,
        "MySQL (MariaDB)",
        dev.backing().database().host()
            + ":"
            + dev.backing().database().port()
            + ", databases "
            + Databases.USERS
            + " and "
            + Databases.APPS
            + ", user root, no password");
    row(b, "cluster", cluster.id() + ": " + cluster.description());
    if (cluster.isSandbox()) {
      row(
          b,
          "",
          "kubectl --kubeconfig "
              + shown(cluster.kubeconfig())
              + " get ns,deploy,pods,svc,networkpolicy,resourcequota -A");
    }
    Workspace.Admin admin = dev.admin();
    row(
        b,
        "admin login",
        admin.username() + " / " + admin.password() + "  (" + admin.origin() + "; dev only)");
    row(
        b,
        "state and logs",
        dir + "/ (--reset wipes it), " + shown(dev.workspace().logs().resolve("astro.log")));
    b.append(
        """

        Quick start: open http://%1$s/ in a browser, or copy and paste into a shell:

          curl -s -X POST %1$s/api/v1/register -H 'Content-Type: application/json' \\
            -d '{"username":"ada","email":"ada@example.org","password":"correct horse battery"}'; echo
          TOKEN=$(curl -s -X POST %1$s/api/v1/login -H 'Content-Type: application/json' \\
            -d '{"username":"ada","password":"correct horse battery"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
          APP=$(curl -s -X POST %1$s/api/v1/apps -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
            -d '{"name":"web","image":"nginx:1.27","replicas":2,"port":80}' | sed 's/.*"id":"\\([^"]*\\)".*/\\1/'); echo $APP
          for i in $(seq 30); do S=$(curl -s %1$s/api/v1/apps/$APP -H "Authorization: Bearer $TOKEN" \\
            | grep -o '"status":"[a-z]*"' | head -1); echo "$S"; [ "$S" = '"status":"%2$s"' ] && break; sleep 1; done
          curl -s "%1$s/api/v1/apps/$APP/logs?lines=5" -H "Authorization: Bearer $TOKEN"

        More in README.md (./astro events shows the topics). Ctrl-C stops everything.
        """
            .formatted(gateway, AppStatus.RUNNING.value()));
    return b.toString();
  }

  private static void row(StringBuilder b, String label, String value) {
    b.append(String.format("  %-18s %s%n", label, value));
  }

  /** Relative to the working directory when inside it, as a person would type it. */
  private static String shown(Path path) {
    Path cwd = Path.of("").toAbsolutePath();
    return path.startsWith(cwd) ? cwd.relativize(path).toString() : path.toString();
  }
}
