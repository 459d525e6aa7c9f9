package io.astro.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The event contracts under {@code docs/events/}, for checking what is produced and what tests publish. */
public final class EventSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private EventSchemas() {
  }

  /** Asserts that {@code event} (a CloudEvent as JSON text) is valid against the schema of {@code type}. */
  public static void assertValid(String type, String event) {
    try (InputStream in = Files.newInputStream(Path.of("..", "docs", "events", type + ".json"))) {
      JsonSchema schema = FACTORY.getSchema(in);
      assertThat(schema.validate(JSON.readTree(event))).as("%s against %s", event, type).isEmpty();
    } catch (IOException e) {
      throw new AssertionError("cannot read schema or event of " + type, e);
    }
  }
}
