package io.astro.common.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The query parameters of one request to the sync-worker's internal endpoints (logs, operator
 * views), read in one place: each reader answers the value, or its default when the parameter is
 * absent or empty, and notes what is wrong with it; {@link #throwIfAny} then answers 400 naming
 * every bad parameter ({@code data.fields}), together with whatever else the caller added to {@link
 * #errors()}.
 */
public final class QueryParams {

  private final RoutingContext ctx;
  private final FieldErrors errors;

  private QueryParams(RoutingContext ctx, FieldErrors errors) {
    this.ctx = ctx;
    this.errors = errors;
  }

  public static QueryParams of(RoutingContext ctx) {
    return new QueryParams(ctx, new FieldErrors());
  }

  /** Reading into {@code errors}, which the caller may already have added to. */
  public static QueryParams of(RoutingContext ctx, FieldErrors errors) {
    return new QueryParams(ctx, errors);
  }

  /** The errors so far; path parameters and other checks of the request add theirs here. */
  public FieldErrors errors() {
    return errors;
  }

  /** Throws the 400 naming every bad parameter; does nothing when all were fine. */
  public void throwIfAny() {
    errors.throwIfAny();
  }

  /** The raw value, null when absent or empty. */
  public String text(String name) {
    String value = ctx.request().getParam(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /** A name of at most {@code maxLength} characters matching {@code pattern}; null when absent. */
  public String name(String name, Pattern pattern, int maxLength, String rule) {
    String value = text(name);
    if (value != null && (value.length() > maxLength || !pattern.matcher(value).matches())) {
      errors.add(name, "must be " + rule);
      return null;
    }
    return value;
  }

  /** One of {@code allowed} (as written); null when absent. */
  public String oneOf(String name, List<String> allowed) {
    String value = text(name);
    if (value != null && !allowed.contains(value)) {
      errors.add(name, "must be one of " + String.join(", ", allowed));
      return null;
    }
    return value;
  }

  /** An RFC 3339 time in UTC; null when absent. */
  public Instant instant(String name) {
    String value = text(name);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      errors.add(name, "must be an RFC 3339 time in UTC, e.g. 2026-01-31T12:00:00Z");
      return null;
    }
  }

  /** A whole number from {@code min} to {@code max}; {@code fallback} when absent or bad. */
  public int integer(String name, int fallback, int min, int max) {
    String value = text(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below like an out-of-range value
    }
    errors.add(name, "must be a whole number from " + min + " to " + max);
    return fallback;
  }

  /** {@code true} or {@code false}; false when absent or bad. */
  public boolean flag(String name) {
    String value = text(name);
    if (value == null || "false".equals(value)) {
      return false;
    }
    if ("true".equals(value)) {
      return true;
    }
    errors.add(name, "must be true or false");
    return false;
  }
}
