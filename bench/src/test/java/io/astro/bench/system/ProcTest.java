package io.astro.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the benchmarks read from {@code /proc}, read from this JVM. */
class ProcTest {

  private static final long GONE = Long.MAX_VALUE;

  @Test
  void a_live_processs_run_queue_delay_is_read() {
    assertThat(Proc.runQueueNanos(ProcessHandle.current().pid())).isNotNegative();
  }

  @Test
  void a_process_that_is_not_there_has_no_run_queue_delay() {
    assertThat(Proc.runQueueNanos(GONE)).isEqualTo(-1);
  }
}
