package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.http.ErrorCode;
import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The API document: served by the gateway without a token, a valid OpenAPI 3.1 document, and in
 * step with the code where the code is the truth (the error codes, unknown body fields refused).
 * That it names every mounted route, and nothing else, is proved end to end ({@code
 * ApiContractEndToEndTest} in {@code dev}), where all the services' real routers run.
 */
class ApiDocumentTest {

  private static final JsonObject DOCUMENT = ApiDocument.load().toJsonObject();

  @Test
  void the_gateway_serves_it_without_a_token_and_without_calling_an_upstream() {
    try (GatewayFixture fixture = new GatewayFixture().start()) {
      Reply reply = fixture.get(ApiDocument.PATH, null);

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.headers().get("Content-Type")).startsWith("application/json");
      assertThat(reply.json()).isEqualTo(DOCUMENT);
      assertThat(fixture.users.hits(ApiDocument.PATH) + fixture.apps.hits(ApiDocument.PATH))
          .isZero();
    }
  }

  @Test
  void it_is_a_valid_openapi_3_1_document_whose_references_all_resolve() {
    Vertx vertx = Vertx.vertx();
    try {
      // the specification's own schema, as vertx-openapi ships it; its OpenAPIContract.from would
      // also refuse the logs' text/event-stream answer, a limit of its router, not of OpenAPI 3.1
      OpenAPIVersion version = OpenAPIVersion.fromContract(DOCUMENT);
      SchemaRepository schemas = GatewayFixture.await(version.getRepository(vertx, "app:///"));
      OutputUnit result =
          GatewayFixture.await(version.validateContract(vertx, schemas, DOCUMENT.copy()));
      JsonObject dangling = DOCUMENT.copy();
      dangling
          .getJsonObject("components")
          .getJsonObject("schemas")
          .getJsonObject("AppPage")
          .getJsonObject("properties")
          .getJsonObject("items")
          .put("items", new JsonObject().put("$ref", "#/components/schemas/Nothing"));

      assertThat(version).isEqualTo(OpenAPIVersion.V3_1);
      assertThat(result.getValid()).as(String.valueOf(result.getErrors())).isTrue();
      JsonObject withoutInfo = DOCUMENT.copy();
      withoutInfo.remove("info");
      assertThat(version.validateContract(vertx, schemas, withoutInfo).await().getValid())
          .isFalse();
      // each resolution registers the document in the repository it is given: one each
      assertThat(
              version
                  .getRepository(vertx, "app:///")
                  .compose(repository -> version.resolve(vertx, repository, DOCUMENT.copy()))
                  .await())
          .isNotNull();
      assertThatThrownBy(
              () ->
                  version
                      .getRepository(vertx, "app:///")
                      .compose(repository -> version.resolve(vertx, repository, dangling))
                      .await())
          .hasMessageContaining("Nothing");
    } finally {
      GatewayFixture.await(vertx.close());
    }
  }

  @Test
  void its_error_codes_are_exactly_those_of_the_code() {
    List<Object> documented =
        DOCUMENT
            .getJsonObject("components")
            .getJsonObject("schemas")
            .getJsonObject("ErrorCode")
            .getJsonArray("enum")
            .stream()
            .toList();

    assertThat(documented)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(ErrorCode.values())
                .filter(code -> code != ErrorCode.OK)
                .map(code -> (Object) code.code())
                .toList());
  }

  @Test
  void every_request_body_refuses_fields_it_does_not_name_as_the_services_do() {
    JsonObject schemas = DOCUMENT.getJsonObject("components").getJsonObject("schemas");
    List<String> bodies = new ArrayList<>();
    DOCUMENT
        .getJsonObject("paths")
        .forEach(
            path ->
                ((JsonObject) path.getValue())
                    .forEach(
                        operation -> {
                          JsonObject body =
                              ((JsonObject) operation.getValue()).getJsonObject("requestBody");
                          if (body != null) {
                            String ref =
                                body.getJsonObject("content")
                                    .getJsonObject("application/json")
                                    .getJsonObject("schema")
                                    .getString("$ref");
                            bodies.add(ref.substring(ref.lastIndexOf('/') + 1));
                          }
                        }));

    assertThat(bodies)
        .containsExactlyInAnyOrder(
            "Registration",
            "Login",
            "EmailChange",
            "PasswordChange",
            "ApiTokenCreate",
            "AccountDeletion",
            "AppCreate",
            "AppPatch",
            "Scale",
            "Rollback",
            "DomainCreate",
            "ClusterImport",
            "ClusterPatch",
            "NodeChange",
            "DrainRequest",
            "RegistryCreate");
    for (String body : bodies) {
      assertThat(schemas.getJsonObject(body).getMap())
          .as(body)
          .contains(Map.entry("additionalProperties", false));
    }
  }

  @Test
  void every_field_and_query_parameter_it_names_is_snake_case() {
    List<String> offending = new ArrayList<>();

    names("", DOCUMENT, offending);

    assertThat(offending).as("REST fields are snake_case").isEmpty();
  }

  /**
   * Collects the property names (of every schema, at any depth) and parameter names under {@code
   * node} that are not snake_case. Free-form maps (labels, quantities) have no {@code properties}:
   * their keys are data, not fields.
   */
  private static void names(String at, Object node, List<String> offending) {
    if (node instanceof JsonObject object) {
      JsonObject properties =
          object.getValue("properties") instanceof JsonObject p ? p : new JsonObject();
      for (String field : properties.fieldNames()) {
        if (!SNAKE_CASE.matcher(field).matches()) {
          offending.add(at + "/properties/" + field);
        }
      }
      if (object.getValue("in") instanceof String where
          && !where.equals("header")
          && !SNAKE_CASE.matcher(object.getString("name", "")).matches()) {
        offending.add(at + " parameter " + object.getString("name"));
      }
      object.forEach(entry -> names(at + "/" + entry.getKey(), entry.getValue(), offending));
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> names(at, item, offending));
    }
  }

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
}
