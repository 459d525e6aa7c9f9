package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.sync.reconcile.ClusterApiException.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the reconciler does about a failed write, by the status the cluster answered. */
class ClusterApiExceptionTest {

  @ParameterizedTest(name = "HTTP {0} is {1} ({2})")
  @CsvSource({
    "0, UNAVAILABLE, unavailable",
    "429, UNAVAILABLE, unavailable",
    "500, UNAVAILABLE, unavailable",
    "503, UNAVAILABLE, unavailable",
    "409, CONFLICT, conflict",
    "400, REJECTED, rejected",
    "403, REJECTED, rejected",
    "404, REJECTED, rejected",
    "422, REJECTED, rejected"
  })
  void each_status_has_one_kind(int status, Kind kind, String reason) {
    ClusterApiException e = new ClusterApiException(status, "create Deployment web-u7");

    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.reason()).isEqualTo(reason);
  }
}
