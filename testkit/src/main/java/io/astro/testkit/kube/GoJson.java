package io.astro.testkit.kube;

import java.util.Optional;

/**
 * What Go's {@code json.Unmarshal(bytes, &map[string]interface{}{})} answers for a document, word
 * for word: the API server puts that error into a cause (ValidateSecret on {@code
 * .dockerconfigjson}). The syntax errors follow encoding/json's scanner ({@code scanner.go}: the
 * first offending byte, quoted as {@code quoteChar} does); a document that parses but is not an
 * object (nor {@code null}) gets the type error ({@code decode.go UnmarshalTypeError}).
 */
final class GoJson {

  static final String MAP_TYPE = "map[string]interface {}";

  private final byte[] in;
  private int pos;

  private GoJson(byte[] in) {
    this.in = in;
  }

  /** The error, or empty when the bytes unmarshal into a map. */
  static Optional<String> unmarshalIntoMap(byte[] json) {
    GoJson p = new GoJson(json);
    try {
      p.value();
      p.whitespace();
      if (p.pos < json.length) {
        throw p.invalid("after top-level value");
      }
    } catch (SyntaxError e) {
      return Optional.of(e.getMessage());
    }
    p.pos = 0;
    p.whitespace();
    String kind =
        switch (json[p.pos]) {
          case '{', 'n' -> null;
          case '[' -> "array";
          case '"' -> "string";
          case 't', 'f' -> "bool";
          default -> "number";
        };
    return kind == null
        ? Optional.empty()
        : Optional.of("json: cannot unmarshal " + kind + " into Go value of type " + MAP_TYPE);
  }

  private static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxError(String message) {
      super(message, null, false, false);
    }
  }

  private void value() throws SyntaxError {
    whitespace();
    int c = next();
    switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number(c);
        } else {
          pos--;
          throw invalid("looking for beginning of value");
        }
      }
    }
  }

  private void object() throws SyntaxError {
    whitespace();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      if (next() != '"') {
        pos--;
        throw invalid("looking for beginning of object key string");
      }
      string();
      whitespace();
      if (next() != ':') {
        pos--;
        throw invalid("after object key");
      }
      value();
      whitespace();
      int c = next();
      if (c == '}') {
        return;
      }
      if (c != ',') {
        pos--;
        throw invalid("after object key:value pair");
      }
      whitespace();
    }
  }

  private void array() throws SyntaxError {
    whitespace();
    if (peek() == ']') {
      pos++;
      return;
    }
    while (true) {
      value();
      whitespace();
      int c = next();
      if (c == ']') {
        return;
      }
      if (c != ',') {
        pos--;
        throw invalid("after array element");
      }
    }
  }

  private void string() throws SyntaxError {
    while (true) {
      int c = next();
      if (c == '"') {
        return;
      }
      if (c < 0x20) {
        pos--;
        throw invalid("in string literal");
      }
      if (c == '\\') {
        int e = next();
        if (e == 'u') {
          for (int i = 0; i < 4; i++) {
            int h = next();
            if (Character.digit(h, 16) < 0) {
              pos--;
              throw invalid("in \\u hexadecimal character escape");
            }
          }
        } else if ("\"\\/bfnrt".indexOf(e) < 0) {
          pos--;
          throw invalid("in string escape code");
        }
      }
    }
  }

  private void number(int first) throws SyntaxError {
    int c = first;
    if (c == '-') {
      c = next();
      if (c < '0' || c > '9') {
        pos--;
        throw invalid("in numeric literal");
      }
    }
    if (c != '0') {
      digits();
    }
    if (peek() == '.') {
      pos++;
      int d = next();
      if (d < '0' || d > '9') {
        pos--;
        throw invalid("after decimal point in numeric literal");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      int s = next();
      if (s == '+' || s == '-') {
        s = next();
      }
      if (s < '0' || s > '9') {
        pos--;
        throw invalid("in exponent of numeric literal");
      }
      digits();
    }
  }

  private void digits() {
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
  }

  private void literal(String word) throws SyntaxError {
    for (int i = 1; i < word.length(); i++) {
      int c = next();
      if (c != word.charAt(i)) {
        pos--;
        throw invalid("in literal " + word + " (expecting '" + word.charAt(i) + "')");
      }
    }
  }

  private void whitespace() {
    while (pos < in.length
        && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\r' || in[pos] == '\n')) {
      pos++;
    }
  }

  private int peek() {
    return pos < in.length ? in[pos] & 0xff : -1;
  }

  /** The next byte; at the end of the input, Go's "unexpected end of JSON input". */
  private int next() throws SyntaxError {
    if (pos >= in.length) {
      throw new SyntaxError("unexpected end of JSON input");
    }
    return in[pos++] & 0xff;
  }

  private SyntaxError invalid(String context) {
    return new SyntaxError("invalid character " + quoteChar(in[pos] & 0xff) + " " + context);
  }

  /** encoding/json quoteChar: {@code '\''}, {@code '"'}, else strconv.Quote in single quotes. */
  static String quoteChar(int c) {
    if (c == '\'') {
      return "'\\''";
    }
    if (c == '"') {
      return "'\"'";
    }
    String s =
        switch (c) {
          case '\n' -> "\\n";
          case '\r' -> "\\r";
          case '\t' -> "\\t";
          case '\\' -> "\\\\";
          case 0x07 -> "\\a";
          case 0x08 -> "\\b";
          case 0x0c -> "\\f";
          case 0x0b -> "\\v";
          default -> {
            if (c < 0x20 || c == 0x7f) {
              yield String.format("\\x%02x", c);
            }
            if (c >= 0x80 && c < 0xa0) {
              yield String.format("\\u%04x", c);
            }
            yield Character.toString(c);
          }
        };
    return "'" + s + "'";
  }
}
