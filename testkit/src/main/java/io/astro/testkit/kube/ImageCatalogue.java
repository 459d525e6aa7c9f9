package io.astro.testkit.kube;

import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the simulated node knows about images: which official images start as root and need Linux
 * capabilities to drop privileges, and what they print when one is missing. A container whose
 * effective capability set lacks one exits with code 1, the way the real image does.
 *
 * <p>The effective set follows the container runtime: its default set (containerd's and CRI-O's
 * defaults), minus {@code securityContext.capabilities.drop} ({@code ALL} removes everything), plus
 * {@code add}; {@code privileged} gets everything.
 */
final class ImageCatalogue {

  /** containerd's default capability set for a container (the OCI spec defaults it fills in). */
  static final Set<String> RUNTIME_DEFAULT =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "NET_RAW",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");

  /** A capability the image uses at start-up, and the line it dies with when it is missing. */
  private record Step(String capability, String failure) {}

  /** An image's start-up: lines printed first, then the steps in the order the image runs them. */
  private record Entry(List<String> preamble, List<Step> steps) {}

  private static final String GOSU = "error: failed switching to \"%s\": operation not permitted";

  private static final Map<String, Entry> OFFICIAL =
      Map.of(
          "nginx",
          new Entry(
              List.of(
                  "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to"
                      + " perform configuration",
                  "/docker-entrypoint.sh: Launching"
                      + " /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                  "/docker-entrypoint.sh: Configuration complete; ready for start up"),
              List.of(
                  new Step(
                      "CHOWN",
                      "nginx: [emerg] chown(\"/var/cache/nginx/client_temp\", 101) failed (1:"
                          + " Operation not permitted)"),
                  // listens on 80: binding below 1024 needs NET_BIND_SERVICE
                  new Step(
                      "NET_BIND_SERVICE",
                      "nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)"),
                  new Step(
                      "SETGID", "nginx: [emerg] setgid(101) failed (1: Operation not permitted)"),
                  new Step(
                      "SETUID", "nginx: [emerg] setuid(101) failed (1: Operation not permitted)"))),
          "httpd",
          new Entry(
              List.of(),
              List.of(
                  new Step(
                      "NET_BIND_SERVICE",
                      "(13)Permission denied: AH00072: make_sock: could not bind to address"
                          + " 0.0.0.0:80"),
                  new Step(
                      "CHOWN",
                      "chown: changing ownership of '/usr/local/apache2/logs': Operation not"
                          + " permitted"),
                  new Step("SETGID", "AH02156: setgid: unable to set group id to Group 1"),
                  new Step("SETUID", "AH02155: setuid: unable to change to uid: 1"))),
          "postgres",
          new Entry(
              List.of(),
              List.of(
                  new Step(
                      "FOWNER",
                      "chmod: changing permissions of '/var/run/postgresql': Operation not"
                          + " permitted"),
                  new Step(
                      "DAC_OVERRIDE",
                      "mkdir: cannot create directory '/var/lib/postgresql/data': Permission"
                          + " denied"),
                  new Step(
                      "CHOWN",
                      "chown: changing ownership of '/var/lib/postgresql/data': Operation not"
                          + " permitted"),
                  new Step("SETGID", String.format(Locale.ROOT, GOSU, "postgres")),
                  new Step("SETUID", String.format(Locale.ROOT, GOSU, "postgres")))),
          "mysql",
          new Entry(
              List.of("[Entrypoint]: Entrypoint script for MySQL Server started."),
              List.of(
                  new Step(
                      "CHOWN",
                      "chown: changing ownership of '/var/lib/mysql/': Operation not permitted"),
                  new Step(
                      "FOWNER",
                      "chmod: changing permissions of '/var/run/mysqld': Operation not permitted"),
                  new Step(
                      "DAC_OVERRIDE",
                      "mkdir: cannot create directory '/var/lib/mysql-files': Permission denied"),
                  new Step("SETGID", String.format(Locale.ROOT, GOSU, "mysql")),
                  new Step("SETUID", String.format(Locale.ROOT, GOSU, "mysql")))),
          "redis",
          new Entry(
              List.of(),
              List.of(
                  new Step("CHOWN", "chown: changing ownership of '.': Operation not permitted"),
                  new Step("SETGID", String.format(Locale.ROOT, GOSU, "redis")),
                  new Step("SETUID", String.format(Locale.ROOT, GOSU, "redis")))));

  /**
   * Official images whose image config names no USER, so they start as root (the five above, and
   * the common bases).
   */
  private static final Set<String> ROOT_OFFICIAL =
      Set.of(
          "nginx", "httpd", "postgres", "mysql", "redis", "busybox", "alpine", "debian", "ubuntu");

  /** Docker Hub images built to run as a fixed non-root user, by repository. */
  private static final Map<String, Long> NON_ROOT =
      Map.of("nginxinc/nginx-unprivileged", 101L, "bitnami/nginx", 1001L, "bitnami/redis", 1001L);

  private ImageCatalogue() {}

  /**
   * The numeric user the image's config says it runs as, when this catalogue knows it: 0 for the
   * official images that start as root, the image's own for known non-root images, empty for any
   * other image (the simulator cannot read image configs).
   */
  static Optional<Long> user(String image) {
    ImageReference ref = ImageReference.parse(image);
    if (ref.officialName().filter(ROOT_OFFICIAL::contains).isPresent()) {
      return Optional.of(0L);
    }
    return ref.registry().equals(ImageReference.DOCKER_HUB)
        ? Optional.ofNullable(NON_ROOT.get(ref.repository()))
        : Optional.empty();
  }

  /**
   * How the container dies at start-up under its security context: the lines it prints, the last
   * one the fatal error; empty when it starts.
   */
  static Optional<List<String>> startupFailure(V1Container container) {
    Optional<String> official = ImageReference.parse(container.getImage()).officialName();
    Entry entry = official.map(OFFICIAL::get).orElse(null);
    if (entry == null) {
      return Optional.empty();
    }
    Set<String> effective = effectiveCapabilities(container.getSecurityContext());
    for (Step step : entry.steps()) {
      if (!effective.contains(step.capability())) {
        List<String> lines = new ArrayList<>(entry.preamble());
        lines.add(step.failure());
        return Optional.of(lines);
      }
    }
    return Optional.empty();
  }

  static Set<String> effectiveCapabilities(V1SecurityContext security) {
    Set<String> caps = new TreeSet<>(RUNTIME_DEFAULT);
    if (security == null) {
      return caps;
    }
    if (Boolean.TRUE.equals(security.getPrivileged())) {
      caps.add("ALL");
      return all(caps);
    }
    V1Capabilities c = security.getCapabilities();
    if (c == null) {
      return caps;
    }
    for (String drop : c.getDrop() == null ? List.<String>of() : c.getDrop()) {
      String name = normalise(drop);
      if (name.equals("ALL")) {
        caps.clear();
      } else {
        caps.remove(name);
      }
    }
    for (String add : c.getAdd() == null ? List.<String>of() : c.getAdd()) {
      String name = normalise(add);
      if (name.equals("ALL")) {
        return all(caps);
      }
      caps.add(name);
    }
    return caps;
  }

  /** Everything: the catalogue never asks for more than the default set holds. */
  private static Set<String> all(Set<String> caps) {
    caps.addAll(RUNTIME_DEFAULT);
    return caps;
  }

  /** The runtime accepts {@code CAP_CHOWN} and {@code chown} alike. */
  private static String normalise(String capability) {
    String upper = capability.trim().toUpperCase(Locale.ROOT);
    return upper.startsWith("CAP_") ? upper.substring(4) : upper;
  }
}
