package io.astro.common.ops;

import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One dependency whose reachability decides whether the service takes traffic (DB, Kafka, a
 * cluster).
 */
public interface ReadinessCheck {

  /** Short stable name shown in {@code /ready}: {@code database}, {@code kafka}, ... */
  String name();

  /**
   * Succeeds when the dependency answers; the failure message is shown to operators, so keep
   * secrets out.
   */
  Future<Void> check();

  static ReadinessCheck of(String name, Supplier<Future<Void>> check) {
    return new ReadinessCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Void> check() {
        return check.get();
      }
    };
  }

  /**
   * Ready once {@code loaded} says the state it names has arrived (keys, lists polled at start).
   */
  static ReadinessCheck loaded(String name, BooleanSupplier loaded) {
    return of(
        name,
        () ->
            loaded.getAsBoolean()
                ? Future.succeededFuture()
                : Future.failedFuture(new IllegalStateException("not loaded yet")));
  }
}
