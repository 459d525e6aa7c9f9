package io.astro.app.quota;

import io.astro.common.events.app.AppCommand;
import java.util.Optional;

/**
 * Resources taken in a namespace, as its ResourceQuota counts them: CPU and memory requested, pods,
 * and the ephemeral-storage limits of their containers (the LimitRange's, the same for every
 * container; limits ≥ requests, so the limits reach the quota first).
 */
public record Usage(long cpuMillicores, long memoryBytes, long pods, long ephemeralStorageBytes) {

  public static final Usage NONE = new Usage(0, 0, 0, 0);

  /**
   * What {@code pods} pods of {@code resources} take, each with {@code ephemeralStorageBytes} of
   * ephemeral storage limit.
   */
  public static Usage of(AppCommand.Resources resources, long ephemeralStorageBytes, long pods) {
    return new Usage(
        pods * Quantities.millicores("cpu request", resources.cpuRequest()),
        pods * Quantities.bytes("memory request", resources.memoryRequest()),
        pods,
        pods * ephemeralStorageBytes);
  }

  public Usage plus(Usage other) {
    return new Usage(
        cpuMillicores + other.cpuMillicores,
        memoryBytes + other.memoryBytes,
        pods + other.pods,
        ephemeralStorageBytes + other.ephemeralStorageBytes);
  }

  /**
   * The resource ({@code cpu}, {@code memory}, {@code pods}, {@code ephemeral-storage}) this usage
   * takes past {@code quota} while it grows from {@code before}: a change that shrinks or keeps a
   * resource is never refused for it, even over a quota lowered since.
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
    if (ephemeralStorageBytes > quota.ephemeralStorageBytes()
        && ephemeralStorageBytes > before.ephemeralStorageBytes) {
      return Optional.of("ephemeral-storage");
    }
    return Optional.empty();
  }
}
