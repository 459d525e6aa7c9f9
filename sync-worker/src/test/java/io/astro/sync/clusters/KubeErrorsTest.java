package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.net.ClusterAddressGuard;
import io.astro.sync.clusters.KubeErrors.Failure;
import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a failed cluster call is: one classification for every caller; and its text for logs, app
 * statuses and cluster health: one line, the server's reason, no credential.
 */
class KubeErrorsTest {

  @ParameterizedTest(name = "HTTP {0} is {1}")
  @CsvSource({
    "0, UNAVAILABLE",
    "429, UNAVAILABLE",
    "500, UNAVAILABLE",
    "501, UNAVAILABLE",
    "502, UNAVAILABLE",
    "503, UNAVAILABLE",
    "504, UNAVAILABLE",
    "404, MISSING",
    "409, CONFLICT",
    "400, REJECTED",
    "401, REJECTED",
    "403, REJECTED",
    "405, REJECTED",
    "410, REJECTED",
    "422, REJECTED",
    "302, REJECTED"
  })
  void every_status_has_one_meaning(int status, Failure expected) {
    assertThat(KubeErrors.classify(status)).isEqualTo(expected);
  }

  @Test
  void an_http_failure_is_its_status_and_the_servers_message_without_headers_or_body() {
    ApiException e =
        new ApiException(
            "Forbidden",
            403,
            Map.of("audit-id", List.of("a1")),
            "{\"kind\":\"Status\",\"message\":\"nodes is forbidden: User \\\"astro\\\" cannot list resource \\\"nodes\\\"\","
                + "\"reason\":\"Forbidden\",\"code\":403}");

    assertThat(KubeErrors.describe(e))
        .isEqualTo(
            "the API server answered 403: nodes is forbidden: User \"astro\" cannot list resource \"nodes\"")
        .doesNotContain("audit-id");
  }

  @Test
  void a_body_that_is_not_a_status_is_not_repeated() {
    assertThat(
            KubeErrors.describe(
                new ApiException("Bad Gateway", 502, Map.of(), "<html>proxy token: s3cr3t</html>")))
        .isEqualTo("the API server answered 502");
  }

  @Test
  void no_answer_names_the_cause() {
    ApiException e =
        new ApiException(new IOException("unexpected end of stream on https://10.0.0.1:6443/..."));

    assertThat(KubeErrors.describe(e))
        .isEqualTo(
            "no answer from the API server: IOException: unexpected end of stream on https://10.0.0.1:6443/...");
  }

  @Test
  void the_summary_that_leaves_the_worker_names_the_kind_and_status_only() {
    ApiException forbidden =
        new ApiException(
            "Forbidden",
            403,
            Map.of(),
            "{\"kind\":\"Status\",\"message\":\"nodes is forbidden at 10.0.0.7:6443\"}");
    ApiException reset =
        new ApiException(new IOException("unexpected end of stream on https://10.0.0.1:6443/..."));
    ApiException barred =
        new ApiException(
            new IOException(
                "connect failed",
                new ConnectException("Failed to connect to /10.0.0.7:6443")
                    .initCause(barredCause())));

    assertThat(KubeErrors.summary(forbidden)).isEqualTo("the API server answered 403");
    assertThat(KubeErrors.summary(reset)).isEqualTo("no answer from the API server");
    assertThat(KubeErrors.summary(barred))
        .isEqualTo("refused: the server's address is not allowed for clusters");
  }

  private static Throwable barredCause() {
    try {
      ClusterAddressGuard.strict()
          .refuseIfBarred(InetAddress.getByName("10.0.0.7"), "10.0.0.7"); // a literal: no lookup
      throw new AssertionError("10.0.0.7 must be barred");
    } catch (IOException refused) {
      return refused;
    }
  }

  @Test
  void anything_that_looks_like_a_credential_is_redacted_and_only_the_first_line_kept() {
    assertThat(KubeErrors.scrub("sent Authorization: Bearer abc.def.ghi\nsecond line"))
        .isEqualTo("sent Authorization: Bearer [redacted]");
    assertThat(KubeErrors.scrub("while parsing token: 9f8e7d, client-key-data: LS0tLS1"))
        .isEqualTo("while parsing token: [redacted], client-key-data: [redacted]");
  }
}
