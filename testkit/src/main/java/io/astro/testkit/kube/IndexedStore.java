package io.astro.testkit.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.Value;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The fabric8 CRUD mock's storage (stored object keyed by its attributes) with an index by
 * resource, namespace and name, so that a request touches the objects it can match instead of all
 * of them.
 *
 * <p>The mock finds objects by filtering {@code entrySet()} with {@link AttributeSet#matches}.
 * Inside {@link #narrowed}, {@code entrySet()} holds only the objects whose plural, namespace and
 * name equal those the query requires — a superset of what the query matches, since an object
 * matches only if it holds each of the query's attributes — in the order the whole map would give
 * them (insertion order, an object written again keeping its place unless it was removed first).
 * The mock's own filter then picks exactly what it picked before. Outside, {@code entrySet()} is
 * every object, as before.
 */
final class IndexedStore extends AbstractMap<AttributeSet, String> {

  private static final String ANY = "*";

  private record Stored(String value, long seq) {}

  /** Every object, in insertion order (the mock's map was a LinkedHashMap). */
  private final Map<AttributeSet, Stored> all = new LinkedHashMap<>();

  /** plural → namespace → name → the keys stored there (null: the object lacks the attribute). */
  private final Map<Attribute, Map<Attribute, Map<Attribute, Set<AttributeSet>>>> index =
      new HashMap<>();

  /**
   * Keys whose plural, namespace or name is {@code *}: fabric8's {@link Value} takes that as equal
   * to any value (without the same hash), so while any is stored nothing is narrowed.
   */
  private int wildcards;

  private long nextSeq;

  /** The query a thread is narrowed to, and in which store. */
  private record Scope(Object store, AttributeSet query) {}

  /** This store in a {@link Scope} (a map's identity, not its equality, tells stores apart). */
  private final Object identity = new Object();

  private static final ThreadLocal<Scope> SCOPE = new ThreadLocal<>();

  /**
   * Runs the mock's work for a request with {@code entrySet()} narrowed to what {@code query} can
   * match.
   */
  <T> T narrowed(AttributeSet query, Supplier<T> work) {
    Scope outer = SCOPE.get();
    SCOPE.set(new Scope(identity, query));
    try {
      return work.get();
    } finally {
      if (outer == null) {
        SCOPE.remove();
      } else {
        SCOPE.set(outer);
      }
    }
  }

  @Override
  public synchronized Set<Entry<AttributeSet, String>> entrySet() {
    Scope scope = SCOPE.get();
    AttributeSet query = scope == null || scope.store() != identity ? null : scope.query();
    List<Entry<AttributeSet, String>> entries = new ArrayList<>();
    if (query == null || wildcards > 0) {
      all.forEach((k, v) -> entries.add(new SimpleImmutableEntry<>(k, v.value())));
    } else {
      for (AttributeSet key : candidates(query)) {
        entries.add(new SimpleImmutableEntry<>(key, all.get(key).value()));
      }
    }
    return new Snapshot(entries);
  }

  @Override
  public synchronized int size() {
    return all.size();
  }

  @Override
  public synchronized boolean containsKey(Object key) {
    return all.containsKey(key);
  }

  @Override
  public synchronized String get(Object key) {
    Stored stored = all.get(key);
    return stored == null ? null : stored.value();
  }

  @Override
  public synchronized String put(AttributeSet key, String value) {
    Stored before = all.get(key);
    if (before != null) {
      // a LinkedHashMap keeps the place of a key put again
      all.put(key, new Stored(value, before.seq()));
      return before.value();
    }
    all.put(key, new Stored(value, nextSeq++));
    index
        .computeIfAbsent(attribute(key, KubernetesAttributesExtractor.PLURAL), k -> new HashMap<>())
        .computeIfAbsent(
            attribute(key, KubernetesAttributesExtractor.NAMESPACE), k -> new HashMap<>())
        .computeIfAbsent(
            attribute(key, KubernetesAttributesExtractor.NAME), k -> new LinkedHashSet<>())
        .add(key);
    if (wildcard(key)) {
      wildcards++;
    }
    return null;
  }

  @Override
  public synchronized String remove(Object key) {
    Stored removed = all.remove(key);
    if (removed == null) {
      return null;
    }
    AttributeSet set = (AttributeSet) key;
    Attribute plural = attribute(set, KubernetesAttributesExtractor.PLURAL);
    Attribute namespace = attribute(set, KubernetesAttributesExtractor.NAMESPACE);
    Attribute name = attribute(set, KubernetesAttributesExtractor.NAME);
    Map<Attribute, Map<Attribute, Set<AttributeSet>>> byNamespace = index.get(plural);
    Map<Attribute, Set<AttributeSet>> byName = byNamespace.get(namespace);
    Set<AttributeSet> keys = byName.get(name);
    keys.remove(set);
    if (keys.isEmpty()) {
      byName.remove(name);
      if (byName.isEmpty()) {
        byNamespace.remove(namespace);
        if (byNamespace.isEmpty()) {
          index.remove(plural);
        }
      }
    }
    if (wildcard(set)) {
      wildcards--;
    }
    return removed.value();
  }

  @Override
  public synchronized void clear() {
    all.clear();
    index.clear();
    wildcards = 0;
  }

  /**
   * The keys that can match the query, in insertion order: narrowed by each of plural, namespace
   * and name the query requires as one exact value.
   */
  private List<AttributeSet> candidates(AttributeSet query) {
    Attribute plural = required(query, KubernetesAttributesExtractor.PLURAL);
    Attribute namespace = required(query, KubernetesAttributesExtractor.NAMESPACE);
    Attribute name = required(query, KubernetesAttributesExtractor.NAME);
    List<AttributeSet> keys = new ArrayList<>();
    int groups = 0;
    for (Map<Attribute, Map<Attribute, Set<AttributeSet>>> byNamespace : select(index, plural)) {
      for (Map<Attribute, Set<AttributeSet>> byName : select(byNamespace, namespace)) {
        for (Set<AttributeSet> group : select(byName, name)) {
          keys.addAll(group);
          groups++;
        }
      }
    }
    if (groups > 1) {
      keys.sort(Comparator.comparingLong(k -> all.get(k).seq()));
    }
    return keys;
  }

  private static <V> Collection<V> select(Map<Attribute, V> map, Attribute wanted) {
    if (wanted == null) {
      return map.values();
    }
    V one = map.get(wanted);
    return one == null ? List.of() : List.of(one);
  }

  /** The query's attribute if it asks for exactly this one value (not !=, exists, in, …). */
  private static Attribute required(AttributeSet query, String key) {
    Attribute a = query.getAttribute(key);
    if (a == null
        || a.getType() != AttributeType.WITH
        || a.getValues().size() != 1
        || ANY.equals(String.valueOf(a.getValues().get(0)))) {
      return null;
    }
    return a;
  }

  private static Attribute attribute(AttributeSet key, String name) {
    return key.getAttribute(name);
  }

  private static boolean wildcard(AttributeSet key) {
    for (String name :
        List.of(
            KubernetesAttributesExtractor.PLURAL,
            KubernetesAttributesExtractor.NAMESPACE,
            KubernetesAttributesExtractor.NAME)) {
      Attribute a = key.getAttribute(name);
      if (a != null) {
        for (Value v : a.getValues()) {
          if (ANY.equals(String.valueOf(v))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** What {@code entrySet()} hands out: a copy, so the mock may write while it walks it. */
  private static final class Snapshot extends AbstractSet<Entry<AttributeSet, String>> {
    private final List<Entry<AttributeSet, String>> entries;

    Snapshot(List<Entry<AttributeSet, String>> entries) {
      this.entries = entries;
    }

    @Override
    public Iterator<Entry<AttributeSet, String>> iterator() {
      return entries.iterator();
    }

    @Override
    public int size() {
      return entries.size();
    }
  }
}
