package io.astro.gateway;

import static io.astro.gateway.GatewayFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.gateway.GatewayFixture.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A disabled user's still-valid token stops working after the next poll of user-service's list. */
class DisabledUsersTest {

  private static final String LIST = "/internal/v1/users/disabled";
  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture().start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void
      a_disabled_users_token_is_refused_after_the_next_poll_and_stays_refused_while_user_service_is_down() {
    String uuid = "3f6c2a9e-0000-4000-8000-000000000001";
    String token = fixture.token(uuid);
    String bystander = fixture.token();
    assertThat(fixture.get("/api/v1/apps", token).status()).isEqualTo(200);

    fixture.users.disabled.add(uuid);
    // a poll that started after the change has completed once the one after it arrives (polls never
    // overlap)
    await(fixture.users.hitsReached(LIST, fixture.users.hits(LIST) + 2));

    Reply refused = fixture.get("/api/v1/apps", token);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.code()).isEqualTo(10002);
    assertThat(fixture.get("/api/v1/apps", bystander).status()).isEqualTo(200);

    fixture.users.stop();
    try {
      assertThat(fixture.get("/api/v1/apps", token).status())
          .as("the last known list still holds")
          .isEqualTo(401);
      assertThat(fixture.get("/api/v1/apps", bystander).status()).isEqualTo(200);
    } finally {
      fixture.users.start();
    }

    fixture.users.disabled.remove(uuid);
    await(fixture.users.hitsReached(LIST, fixture.users.hits(LIST) + 2));
    assertThat(fixture.get("/api/v1/apps", token).status()).isEqualTo(200);
  }

  @Test
  void tokens_older_than_their_users_token_version_are_refused_after_the_next_poll() {
    String uuid = "3f6c2a9e-0000-4000-8000-000000000002";
    String unversioned = fixture.token(uuid);
    String older = fixture.token(uuid, 1);
    String current = fixture.token(uuid, 2);
    String bystander = fixture.token();
    assertThat(fixture.get("/api/v1/apps", older).status()).isEqualTo(200);

    fixture.users.tokenVersions.put(uuid, 2L);
    await(fixture.users.hitsReached(LIST, fixture.users.hits(LIST) + 2));

    for (String refused : new String[] {unversioned, older}) {
      Reply reply = fixture.get("/api/v1/apps", refused);
      assertThat(reply.status()).isEqualTo(401);
      assertThat(reply.code()).isEqualTo(10002);
    }
    assertThat(fixture.get("/api/v1/apps", current).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/apps", bystander).status()).isEqualTo(200);

    fixture.users.tokenVersions.remove(uuid);
    await(fixture.users.hitsReached(LIST, fixture.users.hits(LIST) + 2));
  }
}
