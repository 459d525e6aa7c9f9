package io.astro.user.events;

import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.events.Topics;
import io.astro.common.events.user.UserEvent;
import io.astro.common.events.user.UserEventKind;
import io.astro.common.http.RequestIds;
import io.astro.user.store.User;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.temporal.ChronoUnit;

/**
 * The outbox message of a {@link UserEvent} about {@code user}, for the relay's topic ({@code
 * astro.users}), keyed by the user's uuid; the request id rides along as a header.
 */
public final class UserEvents {

  private final Clock clock;

  public UserEvents(Clock clock) {
    this.clock = clock;
  }

  public OutboxMessage of(UserEventKind kind, User user) {
    UserEvent event =
        UserEvent.of(kind, user.uuid(), user.id(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
    JsonObject headers = new JsonObject();
    String requestId = RequestIds.current();
    if (requestId != null) {
      headers.put(Topics.REQUEST_ID_HEADER, requestId);
    }
    return new OutboxMessage(UserEvent.TYPE, event.encode(), headers);
  }
}
