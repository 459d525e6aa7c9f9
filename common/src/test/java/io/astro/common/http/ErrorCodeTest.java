package io.astro.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  @Test
  void codes_of_the_original_design_keep_their_numbers_and_get_meaningful_statuses() {
    assertThat(ErrorCode.OK.code()).isZero();
    assertThat(ErrorCode.BAD_REQUEST)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(10001, 400);
    assertThat(ErrorCode.UNAUTHORIZED)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(10002, 401);
    assertThat(ErrorCode.FORBIDDEN)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(10003, 403);
    assertThat(ErrorCode.USER_EXISTS)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(20001, 409);
    assertThat(ErrorCode.LOGIN_FAILED)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(20009, 401);
    assertThat(ErrorCode.APP_NOT_FOUND)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(21001, 404);
    assertThat(ErrorCode.APP_EXISTS)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(21002, 409);
    assertThat(ErrorCode.APP_CREATE_FAILED.code()).isEqualTo(21003);
    assertThat(ErrorCode.APP_QUOTA_EXCEEDED)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(21004, 422);
    assertThat(ErrorCode.CLUSTER_NOT_FOUND)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(22001, 404);
    assertThat(ErrorCode.NO_HEALTHY_CLUSTER)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(22005, 503);
    assertThat(ErrorCode.INTERNAL)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(30001, 500);
    assertThat(ErrorCode.DATABASE)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(30002, 503);
    assertThat(ErrorCode.KUBERNETES_OPERATION.code()).isEqualTo(30003);
    assertThat(ErrorCode.KUBERNETES_CONNECTION)
        .extracting(ErrorCode::code, ErrorCode::httpStatus)
        .containsExactly(30004, 503);
  }

  @Test
  void every_code_is_unique() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code)).doesNotHaveDuplicates();
  }

  @Test
  void web_layer_statuses_map_to_codes() {
    assertThat(ErrorCode.forHttpStatus(404)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(ErrorCode.forHttpStatus(413)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(ErrorCode.forHttpStatus(418)).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(ErrorCode.forHttpStatus(502)).isEqualTo(ErrorCode.INTERNAL);
  }
}
