package io.astro.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceLauncherTest {

  private static final String NETTY_JFR = "io.netty.jfr.enabled";
  private final String before = System.getProperty(NETTY_JFR);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(NETTY_JFR);
    } else {
      System.setProperty(NETTY_JFR, before);
    }
  }

  @Test
  void a_service_runs_without_nettys_jfr_events_unless_the_operator_asks_for_them() {
    System.clearProperty(NETTY_JFR);
    ServiceLauncher.nettyJfrOffUnlessAsked();
    assertThat(System.getProperty(NETTY_JFR)).isEqualTo("false");

    System.setProperty(NETTY_JFR, "true");
    ServiceLauncher.nettyJfrOffUnlessAsked();
    assertThat(System.getProperty(NETTY_JFR)).isEqualTo("true");
  }
}
