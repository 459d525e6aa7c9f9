package io.astro.app.quota;

import io.astro.common.events.app.AppCommand;
import java.util.Optional;

/** Resources requested in a namespace: CPU, memory and pods, as its ResourceQuota counts them. */
public record Usage(long cpuMillicores, long memoryBytes, long pods) {

  public static final Usage NONE = new Usage(0, 0, 0);

  /** What {@code pods} pods of {@code resources} request. */
  public static Usage of(AppCommand.Resources resources, long pods) {
    return new Usage(
        pods * Quantities.millicores("cpu request", resources.cpuRequest()),
        pods * Quantities.bytes("memory request", resources.memoryRequest()),
        pods);
  }

  public Usage plus(Usage other) {
    return new Usage(
        cpuMillicores + other.cpuMillicores, memoryBytes + other.memoryBytes, pods + other.pods);
  }

  /**
   * The resource ({@code cpu}, {@code memory}, {@code pods}) this usage takes past {@code quota}
   * while it grows from {@code before}: a change that shrinks or keeps a resource is never refused
   * for it, even over a quota lowered since.
   */
  public Optional<String> exceeded(NamespaceQuota quota, Usage before) {
    if (cpuMillicores > quota.cpuMillicores() && cpuMillicores > before.cpuMillicores) {
      return Optional.of("cpu");
    }
    if (memoryBytes > quota.memoryBytes() && memoryBytes > before.memoryBytes) {
      return Optional.of("memory");
    }
    if (pods > quota.pods() && pods > before.pods) {
      return Optional.of("pods");
    }
    return Optional.empty();
  }
}
