package io.astro.testkit.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * fabric8's CRUD dispatcher on an {@link IndexedStore}: the same answers, watch events and
 * resourceVersions, but a read, a delete or the lookup before a write walks the objects of its
 * resource, namespace and name instead of every object in the cluster. With thousands of stored
 * objects the mock's walk over all of them for every request was the largest part of the sandbox's
 * CPU (27 % of a reconcile-at-scale profile).
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

  private final IndexedStore store = new IndexedStore();

  IndexedCrudDispatcher() {
    // the store is CrudDispatcher's final map field, which no constructor takes: replaced once,
    // before any request; a fabric8 upgrade that renames it fails every fake cluster's start
    try {
      Field map = CrudDispatcher.class.getDeclaredField("map");
      map.setAccessible(true);
      map.set(this, store);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "fabric8's CrudDispatcher has no replaceable map field: the fake cluster's index needs"
              + " updating for this fabric8 version",
          e);
    }
  }

  @Override
  public MockResponse handleGet(String path) {
    return store.narrowed(getKey(path), () -> super.handleGet(path));
  }

  @Override
  public MockResponse handleDelete(String path) {
    return store.narrowed(getKey(path), () -> super.handleDelete(path));
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    return store.narrowed(attributes, () -> super.findResource(attributes));
  }
}
