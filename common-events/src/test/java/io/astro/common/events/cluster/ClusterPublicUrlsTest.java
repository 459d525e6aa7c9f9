package io.astro.common.events.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterPublicUrlsTest {

  private static final String SEALED = "v1.k1.bm9uY2UtY2lwaGVydGV4dC10YWc=";

  private static JsonObject data() {
    return new ClusterEvent("c-1", "eu-1", SEALED, Map.of(), 1, null).toData();
  }

  @Test
  void a_record_of_a_producer_that_knows_no_public_urls_means_the_workers_settings() {
    JsonObject older = data();
    older.remove("publicUrls");

    ClusterEvent read = ClusterEvent.fromData(older);

    assertThat(read.publicUrls()).isNull();
    assertThat(read.urls()).isEqualTo(ClusterPublicUrls.NONE);
  }

  @Test
  void settings_that_override_nothing_are_no_settings() {
    ClusterEvent event =
        new ClusterEvent("c-1", "eu-1", SEALED, Map.of(), 1, null, ClusterPublicUrls.NONE);

    assertThat(event.publicUrls()).isNull();
    assertThat(event.toData().getValue("publicUrls")).isNull();
  }

  @Test
  void the_cluster_settings_travel_field_by_field() {
    ClusterPublicUrls urls = new ClusterPublicUrls("apps.eu-1.example.com", "nginx", null, null);
    ClusterEvent event = new ClusterEvent("c-1", "eu-1", SEALED, Map.of(), 1, null, urls);

    assertThat(ClusterEvent.decode("eu-1", event.encode()).publicUrls()).isEqualTo(urls);
  }

  @Test
  void settings_the_worker_could_not_use_are_an_invalid_event() {
    for (JsonObject urls :
        new JsonObject[] {
          new JsonObject().put("appsDomain", "*.apps.example.com"),
          new JsonObject().put("appsDomain", "localhost"),
          new JsonObject().put("ingressClass", "Nginx"),
          new JsonObject().put("tlsIssuer", "le_prod"),
          new JsonObject().put("ingressNamespaceSelector", "team"),
          new JsonObject().put("appsDomain", 7)
        }) {
      assertThatThrownBy(() -> ClusterEvent.fromData(data().put("publicUrls", urls)))
          .as(urls.encode())
          .isInstanceOf(InvalidEventException.class)
          .hasMessageContaining("publicUrls.");
    }
    assertThatThrownBy(() -> ClusterEvent.fromData(data().put("publicUrls", "apps.example.com")))
        .isInstanceOf(InvalidEventException.class);
  }

  @Test
  void a_selector_is_label_pairs() {
    assertThat(ClusterPublicUrls.selector("a=b,example.com/team=web"))
        .containsExactly(Map.entry("a", "b"), Map.entry("example.com/team", "web"));
    for (String bad :
        new String[] {"", "a", "=b", "a=b,", "a=b c", "-a=b", "a=" + "x".repeat(64)}) {
      assertThatThrownBy(() -> ClusterPublicUrls.selector(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
