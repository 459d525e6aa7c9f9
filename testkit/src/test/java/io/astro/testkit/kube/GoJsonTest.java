package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Go's json.Unmarshal into a map answers these, word for word (encoding/json scanner.go). */
class GoJsonTest {

  private static String error(String json) {
    return GoJson.unmarshalIntoMap(json.getBytes(StandardCharsets.UTF_8)).orElse("ok");
  }

  @Test
  void objects_and_null_unmarshal_into_a_map() {
    assertThat(error("{\"auths\":{\"ghcr.io\":{\"auth\":\"eDp5\"}}}")).isEqualTo("ok");
    assertThat(error(" {} ")).isEqualTo("ok");
    assertThat(error("null")).isEqualTo("ok");
    assertThat(error("{\"a\":[1,-2.5e+3,true,false,null,\"\\u00e9\\n\"]}")).isEqualTo("ok");
  }

  @Test
  void other_values_are_type_errors() {
    assertThat(error("[]"))
        .isEqualTo("json: cannot unmarshal array into Go value of type map[string]interface {}");
    assertThat(error("\"x\""))
        .isEqualTo("json: cannot unmarshal string into Go value of type map[string]interface {}");
    assertThat(error("12"))
        .isEqualTo("json: cannot unmarshal number into Go value of type map[string]interface {}");
    assertThat(error("true"))
        .isEqualTo("json: cannot unmarshal bool into Go value of type map[string]interface {}");
  }

  @Test
  void syntax_errors_name_the_first_offending_character() {
    assertThat(error("")).isEqualTo("unexpected end of JSON input");
    assertThat(error("{\"auths\":")).isEqualTo("unexpected end of JSON input");
    assertThat(error("x")).isEqualTo("invalid character 'x' looking for beginning of value");
    assertThat(error("not json"))
        .isEqualTo("invalid character 'o' in literal null (expecting 'u')");
    assertThat(error("{}}")).isEqualTo("invalid character '}' after top-level value");
    assertThat(error("{a:1}"))
        .isEqualTo("invalid character 'a' looking for beginning of object key string");
    assertThat(error("{\"a\" 1}")).isEqualTo("invalid character '1' after object key");
    assertThat(error("{\"a\":1 \"b\":2}"))
        .isEqualTo("invalid character '\"' after object key:value pair");
    assertThat(error("{\"a\":[1 2]}")).isEqualTo("invalid character '2' after array element");
    assertThat(error("{\"a\":\"\n\"}")).isEqualTo("invalid character '\\n' in string literal");
    assertThat(error("{\"a\":\"\\q\"}")).isEqualTo("invalid character 'q' in string escape code");
    assertThat(error("{\"a\":-x}")).isEqualTo("invalid character 'x' in numeric literal");
    assertThat(error("{\"a\":1.}"))
        .isEqualTo("invalid character '}' after decimal point in numeric literal");
    assertThat(error("{'a':1}"))
        .isEqualTo("invalid character '\\'' looking for beginning of object key string");
  }
}
