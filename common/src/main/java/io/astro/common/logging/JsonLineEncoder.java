package io.astro.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.astro.common.http.RequestIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One JSON object per line: {@code @timestamp} (ISO-8601, UTC), {@code message}, {@code
 * logger_name}, {@code thread_name}, {@code level}, {@code request_id} within a request and {@code
 * stack_trace} with a throwable — the field names of the Logstash format that log shippers know.
 * Written with jackson-core, which Vert.x loads anyway: logstash-logback-encoder, writing the same
 * fields, made the logging's set-up at every start twice as long (docs/decisions.md).
 *
 * <p>The request id is read when the line is encoded, on the logging thread (our appenders are
 * synchronous), where the Vert.x context is the request's.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(line)) {
      json.writeStartObject();
      json.writeStringField("@timestamp", event.getInstant().toString());
      json.writeStringField("message", event.getFormattedMessage());
      json.writeStringField("logger_name", event.getLoggerName());
      json.writeStringField("thread_name", event.getThreadName());
      json.writeStringField("level", event.getLevel().toString());
      String requestId = RequestIds.current();
      if (requestId != null) {
        json.writeStringField("request_id", requestId);
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("stack_trace", ThrowableProxyUtil.asString(thrown));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    line.write('\n');
    return line.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
