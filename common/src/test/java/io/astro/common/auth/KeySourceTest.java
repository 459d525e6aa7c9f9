package io.astro.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JWKS key source gateway and app-service share: what it trusts, and when it fetches. */
class KeySourceTest {

  private static final JwtSettings JWT = new JwtSettings("astro", "astro-api", Duration.ZERO);
  private static final Duration HOUR = Duration.ofHours(1);

  private final Vertx vertx = Vertx.vertx();
  private final SigningKeys signing = SigningKeys.generate();
  private final AtomicInteger fetches = new AtomicInteger();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void only_the_es256_keys_of_the_document_are_trusted() {
    JsonObject rsa = new JsonObject().put("kty", "RSA").put("kid", "rsa-1").put("n", "AQAB");
    KeySource keys = KeySource.jwks(JWT, document(signing.publicJwk(), rsa), HOUR);

    vertx.deployVerticle(keys).await();

    assertThat(keys.current().keyIds()).containsExactly(signing.keyId());
    assertThat(fetches).hasValue(1);
  }

  @Test
  void a_document_without_an_es256_key_is_not_trusted_and_the_start_still_completes() {
    JsonObject rsa = new JsonObject().put("kty", "RSA").put("kid", "rsa-1").put("n", "AQAB");
    KeySource keys = KeySource.jwks(JWT, document(rsa), HOUR);

    vertx.deployVerticle(keys).await();

    assertThat(keys.current()).isNull();
  }

  @Test
  void an_unknown_key_fetches_again_when_early_fetches_are_allowed() {
    KeySource keys = KeySource.jwks(JWT, document(signing.publicJwk()), HOUR, Duration.ZERO);
    vertx.deployVerticle(keys).await();

    keys.refetchFor("rotated").await();

    assertThat(fetches).hasValue(2);
  }

  @Test
  void an_unknown_key_does_not_fetch_when_early_fetches_are_off() {
    KeySource keys = KeySource.jwks(JWT, document(signing.publicJwk()), HOUR);
    vertx.deployVerticle(keys).await();

    keys.refetchFor("rotated").await();

    assertThat(fetches).hasValue(1);
  }

  @Test
  void a_known_key_never_fetches_again() {
    KeySource keys = KeySource.jwks(JWT, document(signing.publicJwk()), HOUR, Duration.ZERO);
    vertx.deployVerticle(keys).await();

    keys.refetchFor(signing.keyId()).await();

    assertThat(fetches).hasValue(1);
  }

  private Supplier<Future<JsonObject>> document(JsonObject... keys) {
    JsonArray array = new JsonArray();
    for (JsonObject key : keys) {
      array.add(key);
    }
    JsonObject jwks = new JsonObject().put("keys", array);
    return () -> {
      fetches.incrementAndGet();
      return Future.succeededFuture(jwks);
    };
  }
}
