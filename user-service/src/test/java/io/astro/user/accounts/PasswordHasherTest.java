package io.astro.user.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void an_unknown_account_is_checked_against_a_hash_of_the_configured_cost_made_without_hashing() {
    for (int cost = 10; cost <= 14; cost++) {
      BCrypt.Result parsed =
          BCrypt.verifyer().verify("any password".toCharArray(), PasswordHasher.dummyHash(cost));

      assertThat(parsed.validFormat).as("cost %d", cost).isTrue();
      assertThat(parsed.details.cost).isEqualTo(cost);
      assertThat(parsed.verified).isFalse();
    }
  }

  @Test
  void verifying_nobody_answers_false_and_a_real_hash_verifies() {
    PasswordHasher hasher = PasswordHasher.create(vertx, 10, 1, 4);

    String hash = hasher.hash("correct horse").await();

    assertThat(hasher.verifyNobody("correct horse").await()).isFalse();
    assertThat(hasher.verify("correct horse", hash).await()).isTrue();
    assertThat(hasher.verify("wrong horse", hash).await()).isFalse();
  }
}
