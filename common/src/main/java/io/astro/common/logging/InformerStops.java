package io.astro.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops what the Kubernetes client logs when its informers are stopped: it interrupts their threads
 * and each one reports that at ERROR with a stack trace, a dozen such lines at every stop of the
 * sync-worker and every cluster it lets go. Its other errors (a handler that threw, a watch cut)
 * still go out.
 */
final class InformerStops extends Filter<ILoggingEvent> {

  private static final String INFORMERS = "io.kubernetes.client.informer.";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    return event.getLoggerName().startsWith(INFORMERS)
            && thrown != null
            && InterruptedException.class.getName().equals(thrown.getClassName())
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
