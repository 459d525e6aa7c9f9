package io.astro.sync.logs;

/**
 * The wire format of log lines: each prefixed with its pod, {@code [pod] text}. Plain text puts one
 * per line; server-sent events put one per event ({@code data: [pod] text}, blank line).
 */
final class LogLines {

  static final String TEXT = "text/plain; charset=utf-8";
  static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

  /**
   * An SSE comment: keeps idle connections (and proxies' silence timers) alive; clients ignore it.
   */
  static final String KEEP_ALIVE = ": keep-alive\n\n";

  private LogLines() {}

  static void append(StringBuilder out, String pod, String text, boolean sse) {
    if (sse) {
      out.append("data: ");
    }
    out.append('[').append(pod).append("] ");
    // a CR would end an SSE line early; in plain text it only garbles terminals
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c == '\r' || c == '\n' ? ' ' : c);
    }
    out.append(sse ? "\n\n" : "\n");
  }

  static String line(String pod, String text, boolean sse) {
    StringBuilder out = new StringBuilder(pod.length() + text.length() + 12);
    append(out, pod, text, sse);
    return out.toString();
  }

  /**
   * A note from Astro rather than from the app, e.g. why a pod has no logs: in parentheses, to tell
   * them apart.
   */
  static String note(String text) {
    return "(" + text + ")";
  }

  static String chomp(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
