package io.astro.app.events;

import io.astro.app.apps.Observation;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.app.AppStatusEvent;

/**
 * Reads {@link AppStatusEvent}s (v2, and v1 as the v2 it means) into what the store applies.
 * Anything that does not fit is an {@link InvalidEventException}: a poison message for the
 * dead-letter topic, since reading it again would fail again.
 */
public final class StatusEvents {

  private StatusEvents() {}

  public static Observation parse(String value) {
    // v1 records (written before releases) are still on the topic after an upgrade
    return Observation.of(AppStatusEvent.read(value));
  }
}
