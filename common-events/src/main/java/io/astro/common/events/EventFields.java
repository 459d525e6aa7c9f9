package io.astro.common.events;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.json.JsonWord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Checks for the fields of an event's data. Each throws {@link InvalidEventException} naming the
 * field, so a record off its contract is parked as poison with a reason worth reading.
 */
public final class EventFields {

  public static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** A value sealed by Astro's key ring: {@code v1.<key id>.<base64>}. */
  public static final Pattern SEALED =
      Pattern.compile("v1\\.[A-Za-z0-9_-]{1,32}\\.[A-Za-z0-9+/=]+");

  private EventFields() {}

  public static String required(JsonObject data, String field) {
    String value = string(data, field);
    if (value == null || value.isBlank()) {
      throw new InvalidEventException(field + " is missing");
    }
    return value;
  }

  public static String string(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new InvalidEventException(field + " is not a string");
    }
    return (String) value;
  }

  /** A required word of {@code type} ({@link JsonWord}): an unknown one names itself. */
  public static <E extends Enum<E> & JsonWord> E word(
      JsonObject data, String field, Class<E> type) {
    String word = string(data, field);
    return JsonWord.parse(type, word)
        .orElseThrow(() -> new InvalidEventException(field + " " + word + " is unknown"));
  }

  /** A required string matching {@code pattern}, at most {@code maxLength} long. */
  public static String matching(JsonObject data, String field, Pattern pattern, int maxLength) {
    String value = required(data, field);
    if (value.length() > maxLength || !pattern.matcher(value).matches()) {
      throw new InvalidEventException(field + " is invalid");
    }
    return value;
  }

  /** A required whole number within {@code [min, max]}. */
  public static long range(JsonObject data, String field, long min, long max) {
    Long value = optionalRange(data, field, min, max);
    if (value == null) {
      throw new InvalidEventException(field + " is missing");
    }
    return value;
  }

  /** A whole number within {@code [min, max]}, or null. */
  public static Long optionalRange(JsonObject data, String field, long min, long max) {
    Object value = data.getValue(field);
    if (value == null) {
      return null;
    }
    // JSON does not tell 2 from 2.0; a number without a fraction is whole
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue()) {
      throw new InvalidEventException(field + " is not a whole number");
    }
    long number = n.longValue();
    if (number < min || number > max) {
      throw new InvalidEventException(field + " is out of range: " + number);
    }
    return number;
  }

  public static Double optionalNumber(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value != null && !(value instanceof Number)) {
      throw new InvalidEventException(field + " is not a number");
    }
    return value == null ? null : ((Number) value).doubleValue();
  }

  public static boolean flag(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw new InvalidEventException(field + " is not a boolean");
    }
    return Boolean.TRUE.equals(value);
  }

  /** A boolean that may be absent (or null): then {@code absent}. */
  public static boolean optionalFlag(JsonObject data, String field, boolean absent) {
    return data.getValue(field) == null ? absent : flag(data, field);
  }

  public static Instant optionalInstant(JsonObject data, String field) {
    String text = string(data, field);
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidEventException(field + " is not a date-time");
    }
  }

  public static Instant instant(JsonObject data, String field) {
    Instant value = optionalInstant(data, field);
    if (value == null) {
      throw new InvalidEventException(field + " is missing");
    }
    return value;
  }

  public static JsonObject object(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (!(value instanceof JsonObject object)) {
      throw new InvalidEventException(field + " is missing or not an object");
    }
    return object;
  }

  public static JsonObject optionalObject(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value != null && !(value instanceof JsonObject)) {
      throw new InvalidEventException(field + " is not an object");
    }
    return (JsonObject) value;
  }

  /** A sealed value or null; messages never quote it. */
  public static String optionalSealed(JsonObject data, String field) {
    String value = string(data, field);
    if (value != null && !SEALED.matcher(value).matches()) {
      throw new InvalidEventException(field + " is not sealed (v1.<key id>.<base64>)");
    }
    return value;
  }

  public static String sealed(JsonObject data, String field) {
    String value = optionalSealed(data, field);
    if (value == null) {
      throw new InvalidEventException(field + " is missing");
    }
    return value;
  }

  /** An array of strings, or null. */
  public static List<String> strings(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidEventException(field + " is not an array");
    }
    List<String> list = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw new InvalidEventException(field + " holds a value that is not a string");
      }
      list.add(s);
    }
    return list;
  }

  /** A required object whose values are all strings. */
  public static SortedMap<String, String> stringMap(JsonObject data, String field) {
    SortedMap<String, String> map = new TreeMap<>();
    for (Map.Entry<String, Object> entry : object(data, field)) {
      if (!(entry.getValue() instanceof String s)) {
        throw new InvalidEventException(field + "." + entry.getKey() + " is not a string");
      }
      map.put(entry.getKey(), s);
    }
    return map;
  }

  public static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
