package io.astro.sync.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A failed Kubernetes read, as the caller of the logs endpoint sees it. */
class KubeFailuresTest {

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
  void each_status_maps_to_one_error_code(int status, ErrorCode expected) {
    ApiException answer = KubeFailures.of(answered(status), WHAT);

    assertThat(answer.errorCode()).isEqualTo(expected);
  }

  @Test
  void a_missing_deployment_says_which_object_is_missing() {
    ApiException answer = KubeFailures.of(answered(404), WHAT);

    assertThat(answer.getMessage()).isEqualTo(WHAT + " not found");
    assertThat(((JsonObject) answer.data()).getString("missing")).isEqualTo("deployment");
  }

  @Test
  void no_answer_and_a_server_error_are_told_apart_in_the_message() {
    ApiException silent =
        KubeFailures.of(
            new io.kubernetes.client.openapi.ApiException(new IOException("reset")), WHAT);
    ApiException broken = KubeFailures.of(answered(500), WHAT);

    assertThat(silent.errorCode()).isEqualTo(ErrorCode.KUBERNETES_CONNECTION);
    assertThat(silent.getMessage()).isEqualTo("the cluster API did not answer reading " + WHAT);
    assertThat(broken.getMessage())
        .isEqualTo("the cluster API could not serve reading " + WHAT + " (HTTP 500)");
  }

  private static io.kubernetes.client.openapi.ApiException answered(int status) {
    return new io.kubernetes.client.openapi.ApiException("HTTP " + status, status, Map.of(), "");
  }
}
