package io.astro.testkit.db;

import io.astro.testkit.Backends;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link TestDatabase} (one fresh database per top-level test class, dropped after it) or
 * the shared {@link MySqlServer} into constructors, lifecycle and test methods.
 */
public final class MySqlExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MySqlExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestDatabase.class || type == MySqlServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == MySqlServer.class) {
      return Backends.mysql();
    }
    ExtensionContext classContext = topLevelClassContext(context);
    // JUnit closes AutoCloseable store values when the class context ends: that drops the database.
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            TestDatabase.class,
            type ->
                Backends.mysql()
                    .createDatabase(classContext.getRequiredTestClass().getSimpleName()),
            TestDatabase.class);
  }

  /** Nested classes share their enclosing class's database, like they share its state. */
  private static ExtensionContext topLevelClassContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getParent().flatMap(ExtensionContext::getParent).isPresent()) {
      current = current.getParent().orElseThrow();
    }
    return current;
  }
}
