package io.astro.testkit.kube;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulated kubelet would answer for {@code pods/{name}/log}. The {@link KubeletSimulator}
 * records each pod it runs here; the lines are a function of the container's image, state and age,
 * so they are deterministic and grow over time (a heartbeat line every few seconds) without any
 * background work.
 */
final class PodLogs {

  static final Duration HEARTBEAT = Duration.ofSeconds(5);
  private static final int MAX_HEARTBEATS = 10_000;

  enum Mode {
    CREATING,
    RUNNING,
    PULL_BACKOFF,
    CONFIG_ERROR,
    CRASH_LOOP
  }

  /**
   * A container as the kubelet last saw it; {@code startup}: what its image printed before dying
   * (from the {@link ImageCatalogue}), empty for a generic crash.
   */
  record Container(String name, String image, Mode mode, List<String> startup) {
    Container {
      startup = List.copyOf(startup);
    }
  }

  record Line(Instant at, String text) {}

  /**
   * Either lines (status 200) or a refusal with the HTTP status, Kubernetes reason and message a
   * kubelet gives.
   */
  record Answer(int status, String reason, String message, List<Line> lines) {
    static Answer lines(List<Line> lines) {
      return new Answer(200, null, null, lines);
    }

    static Answer refused(int status, String reason, String message) {
      return new Answer(status, reason, message, List.of());
    }
  }

  private record Pod(Instant started, List<Container> containers) {}

  private final Map<String, Pod> pods = new ConcurrentHashMap<>();

  void put(String namespace, String pod, Instant started, List<Container> containers) {
    pods.put(namespace + "/" + pod, new Pod(started, List.copyOf(containers)));
  }

  void remove(String namespace, String pod) {
    pods.remove(namespace + "/" + pod);
  }

  Answer read(
      String namespace, String podName, String containerName, boolean previous, Instant now) {
    Pod pod = pods.get(namespace + "/" + podName);
    if (pod == null) {
      return Answer.refused(404, "NotFound", "pods \"" + podName + "\" not found");
    }
    Optional<Container> picked = pick(pod, containerName);
    if (picked.isEmpty()) {
      if (containerName == null || containerName.isEmpty()) {
        List<String> names = pod.containers().stream().map(Container::name).toList();
        return Answer.refused(
            400,
            "BadRequest",
            "a container name must be specified for pod "
                + podName
                + ", choose one of: "
                + names.toString().replace(",", ""));
      }
      return Answer.refused(
          400, "BadRequest", "container " + containerName + " is not valid for pod " + podName);
    }
    Container c = picked.get();
    return switch (c.mode()) {
      case CREATING ->
          Answer.refused(
              400,
              "BadRequest",
              "container \""
                  + c.name()
                  + "\" in pod \""
                  + podName
                  + "\" is waiting to start: ContainerCreating");
      case PULL_BACKOFF ->
          Answer.refused(
              400,
              "BadRequest",
              "container \""
                  + c.name()
                  + "\" in pod \""
                  + podName
                  + "\" is waiting to start: trying and failing to pull image");
      case CONFIG_ERROR ->
          Answer.refused(
              400,
              "BadRequest",
              "container \""
                  + c.name()
                  + "\" in pod \""
                  + podName
                  + "\" is waiting to start: CreateContainerConfigError");
      case CRASH_LOOP ->
          // Both the current (just exited) and the previous attempt print the same crash.
          Answer.lines(crashLines(c, pod.started()));
      default -> {
        if (previous) {
          yield Answer.refused(
              400,
              "BadRequest",
              "previous terminated container \""
                  + c.name()
                  + "\" in pod \""
                  + podName
                  + "\" not found");
        }
        yield Answer.lines(runningLines(c, pod.started(), now));
      }
    };
  }

  private static Optional<Container> pick(Pod pod, String name) {
    if (name == null || name.isEmpty()) {
      return pod.containers().size() == 1 ? Optional.of(pod.containers().get(0)) : Optional.empty();
    }
    return pod.containers().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  private static List<Line> runningLines(Container c, Instant started, Instant now) {
    List<Line> lines = new ArrayList<>(startupLines(c, started));
    lines.add(new Line(started.plusMillis(30), "INFO  listening on 0.0.0.0:8080"));
    lines.add(new Line(started.plusMillis(40), "INFO  ready"));
    long beats = Math.min(MAX_HEARTBEATS, Duration.between(started, now).dividedBy(HEARTBEAT));
    for (long i = 1; i <= beats; i++) {
      lines.add(
          new Line(
              started.plus(HEARTBEAT.multipliedBy(i)),
              "INFO  GET /health 200 (uptime " + i * HEARTBEAT.toSeconds() + "s)"));
    }
    return lines;
  }

  private static List<Line> crashLines(Container c, Instant started) {
    if (!c.startup().isEmpty()) {
      List<Line> lines = new ArrayList<>();
      for (int i = 0; i < c.startup().size(); i++) {
        lines.add(new Line(started.plusMillis(10L * i), c.startup().get(i)));
      }
      return lines;
    }
    List<Line> lines = new ArrayList<>(startupLines(c, started));
    lines.add(
        new Line(
            started.plusMillis(30),
            "ERROR fatal: cannot start " + c.name() + ", exiting with code 1"));
    return lines;
  }

  private static List<Line> startupLines(Container c, Instant started) {
    return List.of(
        new Line(started, "INFO  starting " + c.name() + " from image " + c.image()),
        new Line(started.plusMillis(20), "INFO  configuration loaded"));
  }
}
