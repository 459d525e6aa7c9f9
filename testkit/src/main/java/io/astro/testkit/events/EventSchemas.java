package io.astro.testkit.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The event contracts under {@code docs/events/}, for checking what is produced and what tests
 * publish.
 */
public final class EventSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private EventSchemas() {}

  /**
   * Fails unless {@code event} (a CloudEvent as JSON text) is valid against the schema of {@code
   * type}.
   */
  public static void assertValid(String type, String event) {
    Set<ValidationMessage> errors;
    try (InputStream in = Files.newInputStream(schemas().resolve(type + ".json"))) {
      JsonSchema schema = FACTORY.getSchema(in);
      errors = schema.validate(JSON.readTree(event));
    } catch (IOException e) {
      throw new AssertionError("cannot read schema or event of " + type, e);
    }
    if (!errors.isEmpty()) {
      throw new AssertionError(event + " is not a valid " + type + ": " + errors);
    }
  }

  /** The JSON Schema of {@code type} as a tree, e.g. to compare its properties with a codec's. */
  public static JsonNode schema(String type) {
    try {
      return JSON.readTree(schemas().resolve(type + ".json").toFile());
    } catch (IOException e) {
      throw new AssertionError("cannot read the schema of " + type, e);
    }
  }

  // tests run in a module directory; the schemas sit at the repository root
  private static Path schemas() {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("docs/events"))) {
        return dir.resolve("docs/events");
      }
    }
    throw new AssertionError("docs/events not found above " + here);
  }
}
