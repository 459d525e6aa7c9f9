package io.astro.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

  @Test
  void a_thread_is_a_daemon_with_its_name_and_not_started() {
    Thread thread = DaemonThreads.thread("worker", () -> {});

    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getName()).isEqualTo("worker");
    assertThat(thread.getState()).isEqualTo(Thread.State.NEW);
  }

  @Test
  void a_named_factory_gives_every_thread_the_same_name() {
    ThreadFactory factory = DaemonThreads.named("probe");

    assertThat(factory.newThread(() -> {}).getName()).isEqualTo("probe");
    assertThat(factory.newThread(() -> {}).getName()).isEqualTo("probe");
    assertThat(factory.newThread(() -> {}).isDaemon()).isTrue();
  }

  @Test
  void a_numbered_factory_counts_its_own_threads_from_one() {
    ThreadFactory first = DaemonThreads.numbered("pool");
    ThreadFactory second = DaemonThreads.numbered("pool");

    assertThat(first.newThread(() -> {}).getName()).isEqualTo("pool-1");
    assertThat(first.newThread(() -> {}).getName()).isEqualTo("pool-2");
    assertThat(second.newThread(() -> {}).getName()).isEqualTo("pool-1");
    assertThat(second.newThread(() -> {}).isDaemon()).isTrue();
  }
}
