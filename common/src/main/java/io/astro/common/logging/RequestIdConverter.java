package io.astro.common.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.astro.common.http.RequestIds;

/** {@code %requestId} in text log patterns; {@code -} outside a request. */
public final class RequestIdConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    String id = RequestIds.current();
    return id == null ? "-" : id;
  }
}
