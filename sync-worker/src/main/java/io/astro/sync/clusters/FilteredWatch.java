package io.astro.sync.clusters;

import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

/**
 * A watch passing on only the objects {@code kept} keeps (errors and bookmarks always), for
 * informers over kinds the API server cannot narrow to Astro's namespaces by a selector.
 */
final class FilteredWatch<T> implements Watchable<T> {
  private final Watch<T> watch;
  private final Predicate<T> kept;
  private Watch.Response<T> next;

  FilteredWatch(Watch<T> watch, Predicate<T> kept) {
    this.watch = watch;
    this.kept = kept;
  }

  @Override
  public boolean hasNext() {
    while (next == null && watch.hasNext()) {
      Watch.Response<T> r = watch.next();
      if (r.object == null
          || "ERROR".equals(r.type)
          || "BOOKMARK".equals(r.type)
          || kept.test(r.object)) {
        next = r;
      }
    }
    return next != null;
  }

  @Override
  public Watch.Response<T> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Watch.Response<T> r = next;
    next = null;
    return r;
  }

  @Override
  public Iterator<Watch.Response<T>> iterator() {
    return this;
  }

  @Override
  public void close() throws IOException {
    watch.close();
  }
}
