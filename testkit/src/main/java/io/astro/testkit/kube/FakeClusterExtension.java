package io.astro.testkit.kube;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: injects one cluster per test class into test, {@code @BeforeAll} and {@code @BeforeEach}
 * parameters and closes it after the class. A {@link FakeCluster} parameter always gets a fake one
 * (with its simulator); a {@link KubeCluster} parameter gets whatever {@link KubeClusters#start()}
 * chooses. After each test the fake cluster's {@link FakeCluster#faults() API faults} are cleared,
 * so one test's injected errors cannot leak into the next (the simulator's failures, {@link
 * KubeletSimulator#clearFailures()}, are the test's to heal).
 *
 * <pre>{@code
 * @ExtendWith(FakeClusterExtension.class)
 * class ReconcilerIT {
 *   @Test void deploys(FakeCluster cluster) { ... }
 * }
 * }</pre>
 */
public final class FakeClusterExtension implements ParameterResolver, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(FakeClusterExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == FakeCluster.class || type == KubeCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // Stored in the class-level context, so every test of the class shares it and it closes after
    // the class.
    ExtensionContext.Store store = classLevel(context).getStore(NAMESPACE);
    if (parameter.getParameter().getType() == FakeCluster.class) {
      return store.getOrComputeIfAbsent(
          FakeCluster.class, k -> FakeCluster.start(), FakeCluster.class);
    }
    return store.getOrComputeIfAbsent(
        KubeCluster.class, k -> KubeClusters.start(), KubeCluster.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ExtensionContext.Store store = classLevel(context).getStore(NAMESPACE);
    FakeCluster fake = store.get(FakeCluster.class, FakeCluster.class);
    if (fake != null) {
      fake.faults().clear();
      fake.credential().allowAll();
    }
    if (store.get(KubeCluster.class, KubeCluster.class) instanceof FakeCluster chosen) {
      chosen.faults().clear();
    }
  }

  private static ExtensionContext classLevel(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }
}
