package io.astro.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.sync.http.KubeAnswers.Reader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A failed Kubernetes call, as the caller of the logs endpoint or an operator view sees it. */
class KubeAnswersTest {

  private static final String WHAT = "deployment astro-user-7/web-u7";

  @ParameterizedTest(name = "HTTP {0} answers {1}")
  @CsvSource({
    "429, KUBERNETES_CONNECTION",
    "500, KUBERNETES_CONNECTION",
    "502, KUBERNETES_CONNECTION",
    "503, KUBERNETES_CONNECTION",
    "504, KUBERNETES_CONNECTION",
    "404, NOT_FOUND",
    "400, KUBERNETES_OPERATION",
    "403, KUBERNETES_OPERATION",
    "409, KUBERNETES_OPERATION"
  })
  void each_status_maps_to_one_error_code_for_every_reader(int status, ErrorCode expected) {
    for (Reader reader : Reader.values()) {
      ApiException answer = KubeAnswers.of(answered(status, ""), WHAT, "deployment", reader);

      assertThat(answer.errorCode()).as(reader.name()).isEqualTo(expected);
    }
  }

  @Test
  void a_missing_object_says_which_kind_is_missing() {
    ApiException answer = KubeAnswers.of(answered(404, ""), WHAT, "deployment", Reader.TENANT);

    assertThat(answer.getMessage()).isEqualTo(WHAT + " not found");
    assertThat(((JsonObject) answer.data()).getString("missing")).isEqualTo("deployment");
  }

  @Test
  void no_answer_and_a_server_error_are_told_apart_in_the_message() {
    ApiException silent =
        KubeAnswers.of(
            new io.kubernetes.client.openapi.ApiException(new IOException("reset")),
            WHAT,
            "deployment",
            Reader.TENANT);
    ApiException broken = KubeAnswers.of(answered(500, ""), WHAT, "deployment", Reader.TENANT);

    assertThat(silent.errorCode()).isEqualTo(ErrorCode.KUBERNETES_CONNECTION);
    assertThat(silent.getMessage()).isEqualTo("the cluster API did not answer about " + WHAT);
    assertThat(broken.getMessage())
        .isEqualTo("the cluster API could not serve " + WHAT + " (HTTP 500)");
  }

  @Test
  void only_an_operator_reads_the_servers_words_and_never_a_credential() {
    String status =
        "{\"kind\":\"Status\",\"message\":\"nodes \\\"n1\\\" is forbidden: token: s3cr3t\"}";

    ApiException operator =
        KubeAnswers.of(answered(403, status), "node n1", "node", Reader.OPERATOR);
    ApiException tenant = KubeAnswers.of(answered(403, status), "node n1", "node", Reader.TENANT);

    assertThat(operator.getMessage())
        .startsWith("the cluster API refused node n1 (HTTP 403: nodes \"n1\" is forbidden")
        .doesNotContain("s3cr3t");
    assertThat(tenant.getMessage()).isEqualTo("the cluster API refused node n1 (HTTP 403)");
  }

  private static io.kubernetes.client.openapi.ApiException answered(int status, String body) {
    return new io.kubernetes.client.openapi.ApiException("HTTP " + status, status, Map.of(), body);
  }
}
