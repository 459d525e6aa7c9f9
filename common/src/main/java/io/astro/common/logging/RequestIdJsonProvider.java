package io.astro.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import io.astro.common.http.RequestIds;
import java.io.IOException;
import net.logstash.logback.composite.AbstractFieldJsonProvider;

/**
 * Adds {@code request_id} to JSON log lines. Read when the line is encoded, which happens on the
 * logging thread because our appenders are synchronous — the Vert.x context there is the request's.
 */
public final class RequestIdJsonProvider extends AbstractFieldJsonProvider<ILoggingEvent> {

  public RequestIdJsonProvider() {
    setFieldName("request_id");
  }

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    String id = RequestIds.current();
    if (id != null) {
      generator.writeStringField(getFieldName(), id);
    }
  }
}
