package io.astro.sync.reconcile;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The spec hash of each app's object as last built, with what it was built from. Every reconcile
 * builds an app's desired objects again, and their hash is of their JSON: with the Kubernetes
 * client's own adapters, which wrote an object's tree once per level of nesting, hashing the
 * Deployment and Service was the reconcile threads' largest cost (42 % of their CPU at 10 × 500
 * apps) for apps whose desired state had not changed. An object built from equal inputs is equal,
 * so its hash is reused.
 *
 * <p>The table is fixed: each slot holds the last entry hashed to it, so it never grows with the
 * apps a worker has seen; two apps on one slot only cost a hash computed again.
 */
final class SpecHashes {

  /** 16 Ki slots: a worker's apps at 10 × 1 000 mostly keep theirs. */
  private static final int SLOTS = 1 << 14;

  /**
   * What an object was built from (records: compared by value) and the hash it got. Immutable and
   * published through the array, so reconcile threads share it without locks; a lost write only
   * costs a hash computed again.
   */
  private record Entry(String appId, Object inputs, String hash) {}

  private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

  /**
   * The hash of the app's object built from {@code inputs}: the one computed for equal inputs
   * before, or {@code compute}'s. {@code inputs} must hold everything the object is built from.
   */
  String of(String appId, Object inputs, Supplier<String> compute) {
    int slot = (appId.hashCode() ^ (appId.hashCode() >>> 16)) & (SLOTS - 1);
    Entry entry = slots.get(slot);
    if (entry != null && entry.appId().equals(appId) && entry.inputs().equals(inputs)) {
      return entry.hash();
    }
    String hash = compute.get();
    slots.set(slot, new Entry(appId, inputs, hash));
    return hash;
  }
}
