package io.astro.user.accounts;

import io.astro.common.http.FieldErrors;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The rules for a new account (the README's API reference, Accounts); every broken rule is
 * reported, not just the first.
 */
public final class RegistrationRules {

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_-]{3,20}");
  // pragmatic: one @, no spaces, a dot in the domain; deliverability is for email verification to
  // prove
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]{1,64}@[^\\s@]+\\.[^\\s@.]{2,}");
  static final int MIN_PASSWORD_CHARS = 8;
  public static final int MAX_PASSWORD_BYTES = 72;

  private RegistrationRules() {}

  public record Registration(String username, String email, String password) {}

  public static Registration validate(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, "username", "email", "password");
    String username = text(body, "username", errors);
    String email = text(body, "email", errors);
    String password = text(body, "password", errors);
    if (username != null && !USERNAME.matcher(username).matches()) {
      errors.add("username", "must be 3-20 characters of letters, digits, '_' or '-'");
    }
    if (email != null) {
      checkEmail(email, errors);
    }
    if (password != null) {
      checkPassword("password", password, errors);
    }
    errors.throwIfAny();
    return new Registration(username, email, password);
  }

  /** The rule for an account's email, at sign-up and when it is changed. */
  public static void checkEmail(String email, FieldErrors errors) {
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      errors.add("email", "must be a valid email address");
    }
  }

  /** The rules for a new password, reported under {@code field}: sign-up's, and a changed one's. */
  public static void checkPassword(String field, String password, FieldErrors errors) {
    if (password.codePointCount(0, password.length()) < MIN_PASSWORD_CHARS) {
      errors.add(field, "must be at least " + MIN_PASSWORD_CHARS + " characters");
    } else if (tooLong(password)) {
      errors.add(field, "must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
    }
  }

  /**
   * The bound every password given to bcrypt must keep, at login too: bcrypt cannot take more than
   * 72 bytes (ours throws; others silently ignore the rest — refusing is honest, truncating is
   * not). No account can have a longer one, so a login with one is refused as a bad request.
   */
  public static void checkPasswordLength(String field, String password, FieldErrors errors) {
    if (tooLong(password)) {
      errors.add(field, "must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
    }
  }

  public static boolean tooLong(String password) {
    return password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES;
  }

  /** A required string field, or null after reporting it missing or not a string. */
  public static String text(JsonObject body, String field, FieldErrors errors) {
    Object value = body.getValue(field);
    if (value == null) {
      errors.add(field, "is required");
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add(field, "must be a string");
      return null;
    }
    return s;
  }
}
