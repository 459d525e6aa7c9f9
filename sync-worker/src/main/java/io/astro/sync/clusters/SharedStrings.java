package io.astro.sync.clusters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One copy of each string the informer caches repeat. Gson makes a new String for every key and
 * value of every object it reads, so each cached Deployment, ReplicaSet and Pod carried its own
 * copies of the same label and annotation keys, condition types and reasons, container names,
 * images, app and namespace names. JDK 17's SerialGC has no string deduplication, and {@link
 * String#intern} would keep every tenant-chosen value for the JVM's life.
 *
 * <p>The table is fixed: each of its slots holds the last string hashed to it, so unique values
 * (uids, a tenant's label values) only take a slot from another string and never grow it; strings
 * longer than {@link #MAX_LENGTH} are not kept at all. At worst it holds {@code slots} strings the
 * caches no longer hold. A string evicted by a collision is simply read again as a copy.
 */
final class SharedStrings {

  /**
   * 64 Ki slots (256 KiB): at 10 clusters × 1 000 apps the keys and common values stay in, and most
   * per-app names find their copy from the app's other objects.
   */
  static final SharedStrings CACHES = new SharedStrings(1 << 16);

  /** Longer strings are not shared: a label value is at most 63 characters, a name 253. */
  static final int MAX_LENGTH = 253;

  /*
   * Unsynchronised on purpose: a String is immutable and safely published through its final
   * fields, so a racing reader sees either string or none, and a lost write only costs a copy.
   */
  private final String[] slots;

  SharedStrings(int slots) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    this.slots = new String[slots];
  }

  /** The shared copy of {@code s} (s itself when it is the first, too long, or null). */
  String share(String s) {
    if (s == null || s.length() > MAX_LENGTH) {
      return s;
    }
    int h = s.hashCode();
    int i = (h ^ (h >>> 16)) & (slots.length - 1);
    String held = slots[i];
    if (s.equals(held)) {
      return held;
    }
    slots[i] = s;
    return s;
  }

  /** A copy of {@code map}, in its order, with shared keys and values (null for null). */
  Map<String, String> share(Map<String, String> map) {
    if (map == null) {
      return null;
    }
    Map<String, String> shared = new LinkedHashMap<>((int) (map.size() / 0.75f) + 1);
    map.forEach((k, v) -> shared.put(share(k), share(v)));
    return shared;
  }

  /** How many strings the table holds (at most its slot count). */
  int held() {
    int n = 0;
    for (String s : slots) {
      if (s != null) {
        n++;
      }
    }
    return n;
  }
}
