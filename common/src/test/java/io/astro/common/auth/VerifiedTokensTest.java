package io.astro.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  private static Caller expiringIn(Duration d) {
    return new Caller("u-1", 1, "user", "jti-1", NOW.plus(d));
  }

  @Test
  void a_verified_token_is_known_until_it_expires() {
    MutableClock clock = new MutableClock(NOW);
    VerifiedTokens tokens = new VerifiedTokens(10, clock);
    Caller caller = expiringIn(Duration.ofMinutes(5));
    tokens.put("a.b.c", caller);

    assertThat(tokens.get("a.b.c")).isEqualTo(caller);
    assertThat(tokens.get("a.b.d")).isNull();
    clock.now = NOW.plus(Duration.ofMinutes(5));
    assertThat(tokens.get("a.b.c"))
        .as("expired: verified again, not answered from memory")
        .isNull();
    assertThat(tokens.size()).isZero();
  }

  @Test
  void an_expired_token_is_not_remembered() {
    VerifiedTokens tokens = new VerifiedTokens(10, new MutableClock(NOW));
    tokens.put("a.b.c", expiringIn(Duration.ofSeconds(-1)));
    assertThat(tokens.size()).isZero();
  }

  @Test
  void the_least_recently_used_go_first() {
    VerifiedTokens tokens = new VerifiedTokens(2, new MutableClock(NOW));
    tokens.put("one", expiringIn(Duration.ofHours(1)));
    tokens.put("two", expiringIn(Duration.ofHours(1)));
    tokens.get("one");
    tokens.put("three", expiringIn(Duration.ofHours(1)));
    assertThat(tokens.get("two")).isNull();
    assertThat(tokens.get("one")).isNotNull();
    assertThat(tokens.get("three")).isNotNull();
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
