package io.astro.app.events;

import io.astro.app.apps.AppStore;
import io.astro.app.apps.Observation;
import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.cloudevents.CloudEvent;
import io.vertx.core.Future;

/**
 * Reads {@link AppStatusEvent}s (v2, and v1 as the v2 it means) into what the store applies.
 * Anything that does not fit is an {@link InvalidEventException}: a poison message for the
 * dead-letter topic, since reading it again would fail again.
 */
public final class StatusEvents {

  private StatusEvents() {}

  /**
   * Applies one record of the status topic: an app's status to its row, or a namespace's removal
   * ({@link NamespaceStatusEvent}) as the tombstone of its command, after which {@code
   * afterTombstone} runs (it wakes the relay).
   */
  public static Future<?> apply(AppStore store, String value, Runnable afterTombstone) {
    CloudEvent event = EventCodec.decode(value);
    if (NamespaceStatusEvent.TYPE.equals(event.getType())) {
      NamespaceStatusEvent removed = NamespaceStatusEvent.fromData(EventCodec.data(event));
      return store
          .command(removed.namespace(), NamespaceEvents.tombstone())
          .onSuccess(v -> afterTombstone.run());
    }
    return store.apply(parse(event));
  }

  public static Observation parse(String value) {
    return parse(EventCodec.decode(value));
  }

  private static Observation parse(CloudEvent event) {
    // v1 records (written before releases) are still on the topic after an upgrade
    return Observation.of(AppStatusEvent.read(event));
  }
}
