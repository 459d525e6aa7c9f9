package io.astro.testkit.kube;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The failures a test asked the {@link KubeletSimulator} to produce. Thread-safe: set from tests,
 * read by the simulator.
 */
final class Faults {

  private final Set<String> pullFailures = ConcurrentHashMap.newKeySet();
  private final Set<String> crashingImages = ConcurrentHashMap.newKeySet();
  private final Set<String> failingProbes = ConcurrentHashMap.newKeySet();

  void failImage(String image) {
    pullFailures.add(image);
  }

  void crashImage(String image) {
    crashingImages.add(image);
  }

  void failProbes(String image) {
    failingProbes.add(image);
  }

  void clear() {
    pullFailures.clear();
    crashingImages.clear();
    failingProbes.clear();
  }

  boolean pullFails(String image) {
    return pullFailures.contains(image);
  }

  boolean crashes(String image) {
    return crashingImages.contains(image);
  }

  boolean probesFail(String image) {
    return failingProbes.contains(image);
  }
}
