package io.astro.app.events;

import io.astro.app.apps.AppService;
import io.astro.common.events.user.UserEvent;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code io.astro.user.v1} from {@code astro.users} to the user's apps: {@code deleted}
 * deletes them all and asks for the namespace's removal, {@code disabled} suspends them, {@code
 * enabled} restores them. Each is idempotent (apps already so are left alone), so redelivery
 * changes nothing; a record off the contract is an {@code InvalidEventException} for the
 * dead-letter topic ({@link StatusConsumer} parks it).
 */
public final class UserEvents {

  private static final Logger LOG = LoggerFactory.getLogger(UserEvents.class);

  private final AppService apps;

  public UserEvents(AppService apps) {
    this.apps = apps;
  }

  public Future<Integer> apply(String value) {
    UserEvent event = UserEvent.decode(value);
    Future<Integer> applied =
        switch (event.kind()) {
          case DELETED -> apps.deleteAllOf(event.userId());
          case DISABLED -> apps.suspendAllOf(event.userId(), true);
          case ENABLED -> apps.suspendAllOf(event.userId(), false);
        };
    return applied.onSuccess(
        n -> LOG.info("user {} {}: {} apps changed", event.userId(), event.kind(), n));
  }
}
