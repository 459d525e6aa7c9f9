package io.astro.dev.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.astro.gateway.ApiDocument;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The API document ({@code openapi.json}, the very resource the gateway serves) as a checker of
 * answers: each answer's status must be documented for its operation, and a JSON body must be valid
 * against the schema documented for that status. An answer on a route the document does not know
 * must be an error in the envelope (404, 405, or a refusal before routing such as 401).
 */
public final class ApiContract {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOCATION = "classpath:" + ApiDocument.RESOURCE;
  private static final Pattern SLASH = Pattern.compile("/");
  private static final ApiContract INSTANCE = new ApiContract();

  private final JsonObject document = ApiDocument.load().toJsonObject();
  private final JsonSchemaFactory schemas = factory();
  private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();
  private final List<Template> templates = new ArrayList<>();

  /** A documented path; literal ones are tried before those with parameters, as OpenAPI says. */
  private record Template(String path, Pattern pattern, boolean literal) {}

  private ApiContract() {
    for (String path : document.getJsonObject("paths").fieldNames()) {
      String regex = Pattern.quote(path).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
      templates.add(new Template(path, Pattern.compile(regex), !path.contains("{")));
    }
    templates.sort((a, b) -> Boolean.compare(b.literal(), a.literal()));
  }

  // JSON Schema 2020-12 (OpenAPI 3.1's schema dialect); the document's own top-level fields hold no
  // schema, and are known here so that reading it does not warn about each of them
  private static JsonSchemaFactory factory() {
    JsonMetaSchema dialect =
        JsonMetaSchema.builder(JsonMetaSchema.getV202012())
            .keywords(
                Stream.of("openapi", "info", "servers", "tags", "security", "paths", "components")
                    .map(NonValidationKeyword::new)
                    .toList())
            .build();
    return JsonSchemaFactory.getInstance(
        SpecVersion.VersionFlag.V202012,
        builder -> builder.metaSchema(dialect).defaultMetaSchemaIri(dialect.getIri()));
  }

  public static ApiContract get() {
    return INSTANCE;
  }

  /** The document's operations as {@code "METHOD /path/{param}"}. */
  public Set<String> operations() {
    Set<String> operations = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        operations.add(method.toUpperCase(Locale.ROOT) + " " + path);
      }
    }
    return operations;
  }

  /**
   * Fails unless the answer to {@code method} {@code target} (path and query) is one the document
   * allows.
   */
  public void check(String method, String target, int status, String contentType, String body) {
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    String what = method + " " + target + " answered " + status + " " + body;
    String template = template(method, path);
    if (template == null) {
      if (status < 400) {
        throw new AssertionError(what + ": a route the API document does not name");
      }
      validate(what, "/components/schemas/Error", body);
      return;
    }
    String lower = method.toLowerCase(Locale.ROOT);
    String pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1") + "/" + lower;
    JsonObject response =
        document
            .getJsonObject("paths")
            .getJsonObject(template)
            .getJsonObject(lower)
            .getJsonObject("responses")
            .getJsonObject(Integer.toString(status));
    if (response == null) {
      throw new AssertionError(what + ": status " + status + " is not documented for " + pointer);
    }
    pointer = pointer + "/responses/" + status;
    String ref = response.getString("$ref");
    if (ref != null) {
      pointer = ref.substring(1);
      response = resolve(pointer);
    }
    JsonObject content = response.getJsonObject("content");
    if (content == null) {
      if (!body.isEmpty()) {
        throw new AssertionError(what + ": the document says this answer has no body");
      }
      return;
    }
    String mediaType =
        contentType == null
            ? ""
            : (contentType.contains(";")
                    ? contentType.substring(0, contentType.indexOf(';'))
                    : contentType)
                .trim()
                .toLowerCase(Locale.ROOT);
    if (!content.containsKey(mediaType)) {
      throw new AssertionError(
          what + ": Content-Type " + contentType + " is not one of " + content.fieldNames());
    }
    if (mediaType.equals("application/json")) {
      validate(what, pointer + "/content/application~1json/schema", body);
    }
  }

  // the documented path of this method that matches, or null
  private String template(String method, String path) {
    JsonObject paths = document.getJsonObject("paths");
    for (Template template : templates) {
      if (template.pattern().matcher(path).matches()
          && paths.getJsonObject(template.path()).containsKey(method.toLowerCase(Locale.ROOT))) {
        return template.path();
      }
    }
    return null;
  }

  // a pointer into the document, e.g. /components/responses/AppNotFound
  private JsonObject resolve(String pointer) {
    JsonObject node = document;
    for (String part : SLASH.splitAsStream(pointer.substring(1)).toList()) {
      node = node.getJsonObject(part.replace("~1", "/").replace("~0", "~"));
    }
    return node;
  }

  private void validate(String what, String pointer, String body) {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError(what + ": the body is not JSON", e);
    }
    JsonSchema schema =
        compiled.computeIfAbsent(
            pointer, p -> schemas.getSchema(SchemaLocation.of(LOCATION + "#" + p)));
    Set<ValidationMessage> errors = schema.validate(json);
    if (!errors.isEmpty()) {
      throw new AssertionError(what + ": not valid against " + pointer + ": " + errors);
    }
  }
}
