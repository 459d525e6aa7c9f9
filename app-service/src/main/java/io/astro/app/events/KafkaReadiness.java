package io.astro.app.events;

import io.astro.common.events.KafkaClients;
import io.astro.common.events.KafkaSecurity;
import io.astro.common.ops.ReadinessCheck;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.util.Map;

/** {@code /ready}'s Kafka check: the cluster answers a describe within a few seconds. */
public final class KafkaReadiness extends VerticleBase implements ReadinessCheck {

  private final String bootstrap;
  private final KafkaSecurity security;
  private KafkaAdminClient admin;

  public KafkaReadiness(String bootstrap, KafkaSecurity security) {
    this.bootstrap = bootstrap;
    this.security = security;
  }

  @Override
  public Future<?> start() {
    admin =
        KafkaAdminClient.create(
            vertx,
            KafkaClients.settings(
                Map.of(
                    "bootstrap.servers", bootstrap,
                    "client.id", "app-service-readiness",
                    "request.timeout.ms", "3000",
                    "default.api.timeout.ms", "3000"),
                security));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return admin.close();
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public Future<Void> check() {
    return admin
        .describeCluster()
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture("unreachable: " + e.getMessage()));
  }
}
