package io.astro.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of environment variables with defaults. A value that is present but unusable stops
 * the service with a message naming the variable, rather than falling back silently.
 */
public final class Env {

  private final Map<String, String> vars;

  private Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  public static Env of(Map<String, String> vars) {
    return new Env(vars);
  }

  /**
   * A copy with some variables overridden: how an in-process launcher hands each service its own
   * settings.
   */
  public Env with(Map<String, String> overrides) {
    var merged = new HashMap<>(vars);
    merged.putAll(overrides);
    return new Env(merged);
  }

  public String string(String name, String defaultValue) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? defaultValue : value.trim();
  }

  /** A value that must be present; absent means a broken deployment, not a default. */
  public String required(String name) {
    String value = string(name, null);
    if (value == null) {
      throw new ConfigException(name + " is required but not set");
    }
    return value;
  }

  /**
   * A secret from {@code <name>_FILE} (a mounted secret file, trimmed) or else {@code <name>}; null
   * when neither is set. The value never appears in an error message.
   */
  public String secret(String name) {
    String file = string(name + "_FILE", null);
    if (file == null) {
      return string(name, null);
    }
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      throw new ConfigException(name + "_FILE cannot be read: " + file);
    }
  }

  /**
   * {@code ASTRO_INTERNAL_TOKEN(_FILE)}: the secret app-service presents to the sync-worker's
   * internal endpoints. At least 16 characters (a guessable one would open every tenant's logs);
   * null when unset.
   */
  public String internalToken() {
    String token = secret("ASTRO_INTERNAL_TOKEN");
    if (token == null || token.isEmpty()) {
      return null;
    }
    if (token.length() < 16) {
      throw new ConfigException("ASTRO_INTERNAL_TOKEN must be at least 16 characters");
    }
    return token;
  }

  public int integer(String name, int defaultValue, int min, int max) {
    String raw = string(name, null);
    if (raw == null) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value < min || value > max) {
        throw new ConfigException(
            name + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer, got '" + raw + "'");
    }
  }

  public long bytes(String name, long defaultValue) {
    String raw = string(name, null);
    if (raw == null) {
      return defaultValue;
    }
    try {
      return ByteSize.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          name + " must be a size such as 1048576, 512KiB or 1MiB, got '" + raw + "'");
    }
  }

  public Duration duration(String name, Duration defaultValue) {
    String raw = string(name, null);
    if (raw == null) {
      return defaultValue;
    }
    try {
      return DurationText.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          name + " must be a duration such as 500ms, 3s, 5m or 24h, got '" + raw + "'");
    }
  }

  public boolean bool(String name, boolean defaultValue) {
    String raw = string(name, null);
    if (raw == null) {
      return defaultValue;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(name + " must be true or false, got '" + raw + "'");
    };
  }

  public <E extends Enum<E>> E oneOf(String name, Class<E> type, E defaultValue) {
    String raw = string(name, null);
    if (raw == null) {
      return defaultValue;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw)) {
        return constant;
      }
    }
    throw new ConfigException(
        name
            + " must be one of "
            + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
            + ", got '"
            + raw
            + "'");
  }
}
