package io.astro.gateway;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 document of the public API: {@code openapi.json} in this jar (kept in {@code
 * gateway-service/src/main/resources}), served as it is, without the envelope, so API tools read it
 * directly.
 */
public final class ApiDocument {

  /** Public: no token, like register and login. */
  public static final String PATH = "/api/v1/openapi.json";

  /** The resource name on the classpath. */
  public static final String RESOURCE = "openapi.json";

  private ApiDocument() {}

  /** Read once at start; a jar without it is a broken build, so starting fails. */
  public static Buffer load() {
    try (InputStream in = ApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE, e);
    }
  }
}
