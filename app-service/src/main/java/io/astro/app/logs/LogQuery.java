package io.astro.app.logs;

import io.astro.common.http.FieldErrors;
import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Pattern;

/**
 * What a caller asked of an app's logs, validated: {@code lines} 1–5000 (default 100), container,
 * previous, follow.
 */
public record LogQuery(int lines, String container, boolean previous, boolean follow) {

  public static final int DEFAULT_LINES = 100;
  public static final int MAX_LINES = 5000;
  private static final Pattern CONTAINER = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** Reads the query of {@code request}; a 400 naming every bad field otherwise. */
  public static LogQuery from(HttpServerRequest request) {
    FieldErrors errors = new FieldErrors();
    int lines = DEFAULT_LINES;
    String raw = request.getParam("lines");
    if (raw != null && !raw.isEmpty()) {
      try {
        lines = Integer.parseInt(raw);
      } catch (NumberFormatException e) {
        lines = -1;
      }
      if (lines < 1 || lines > MAX_LINES) {
        errors.add("lines", "must be an integer from 1 to " + MAX_LINES);
      }
    }
    String container = request.getParam("container");
    if (container != null && container.isEmpty()) {
      container = null;
    }
    if (container != null && !CONTAINER.matcher(container).matches()) {
      errors.add("container", "must be a container name (at most 63 of a-z 0-9 -)");
    }
    boolean previous = flag(request, "previous", errors);
    boolean follow = flag(request, "follow", errors);
    if (previous && follow) {
      errors.add("follow", "cannot follow a previous (terminated) container");
    }
    errors.throwIfAny();
    return new LogQuery(lines, container, previous, follow);
  }

  /**
   * The query string for the sync-worker's endpoint; every value is validated, so none needs
   * escaping.
   */
  public String toQueryString() {
    StringBuilder query = new StringBuilder("lines=").append(lines);
    if (container != null) {
      query.append("&container=").append(container);
    }
    if (previous) {
      query.append("&previous=true");
    }
    if (follow) {
      query.append("&follow=true");
    }
    return query.toString();
  }

  private static boolean flag(HttpServerRequest request, String name, FieldErrors errors) {
    String raw = request.getParam(name);
    if (raw == null || raw.isEmpty() || "false".equals(raw)) {
      return false;
    }
    if ("true".equals(raw)) {
      return true;
    }
    errors.add(name, "must be true or false");
    return false;
  }
}
