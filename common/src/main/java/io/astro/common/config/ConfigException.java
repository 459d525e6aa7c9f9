package io.astro.common.config;

/**
 * A configuration value is missing or unusable; the message names the variable and is safe to
 * print.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
