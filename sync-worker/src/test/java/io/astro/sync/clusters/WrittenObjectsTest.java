package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.testkit.SettableClock;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WrittenObjectsTest {

  private final SettableClock clock = new SettableClock();
  private final WrittenObjects<V1Deployment> written =
      new WrittenObjects<>(Duration.ofSeconds(30), clock);

  @Test
  void aCreateStandsInForTheObjectTheInformerHasNotDeliveredYet() {
    V1Deployment created = deployment("5", 1);
    wrote(created);

    assertThat(written.current("u-1", "web", null)).isSameAs(created);
  }

  @Test
  void aReplaceStandsInForTheOlderVersionTheCacheStillHolds() {
    V1Deployment cachedV4 = deployment("4", 1);
    V1Deployment replacedV6 = deployment("6", 3);
    wrote(replacedV6);

    assertThat(written.current("u-1", "web", cachedV4)).isSameAs(replacedV6);
  }

  @Test
  void theInformerDeliveringTheWrittenVersionEndsTheStandIn() {
    wrote(deployment("6", 3));
    written.seen(deployment("6", 3));
    // a later status write of another controller's, delivered after ours
    V1Deployment statusV7 = deployment("7", 3);

    assertThat(written.current("u-1", "web", statusV7)).isSameAs(statusV7);
    assertThat(written.pending()).isZero();
  }

  @Test
  void aCacheFoundHoldingTheWrittenVersionEndsTheStandIn() {
    wrote(deployment("6", 3));
    V1Deployment cachedV6 = deployment("6", 3);

    assertThat(written.current("u-1", "web", cachedV6)).isSameAs(cachedV6);
    assertThat(written.pending()).isZero();
  }

  @Test
  void anOlderVersionDeliveredDoesNotEndTheStandIn() {
    V1Deployment replacedV6 = deployment("6", 3);
    wrote(replacedV6);
    written.seen(deployment("5", 2));

    assertThat(written.current("u-1", "web", deployment("5", 2))).isSameAs(replacedV6);
  }

  @Test
  void aDeleteHidesTheObjectUntilTheInformerDeliversItsDeletion() {
    V1Deployment cached = deployment("8", 1);
    written.delete("u-1", "web", () -> {});

    assertThat(written.current("u-1", "web", cached)).isNull();

    written.seenGone("u-1", "web");
    assertThat(written.current("u-1", "web", cached)).isSameAs(cached);
  }

  @Test
  void theDeletionOfAnOldObjectDoesNotEndTheStandInOfItsRecreation() {
    V1Deployment recreated = deployment("9", 1);
    wrote(recreated);
    written.seenGone("u-1", "web");

    assertThat(written.current("u-1", "web", null)).isSameAs(recreated);
  }

  @Test
  void aReListThatSkippedTheWrittenVersionEndsTheStandInWithALaterOne() {
    wrote(deployment("6", 3));
    // the informer re-listed (a reconnect) after the controller's status update: 6 never came
    V1Deployment relistedV7 = deployment("7", 3);
    written.seen(relistedV7);

    assertThat(written.pending()).isZero();
    assertThat(written.current("u-1", "web", relistedV7)).isSameAs(relistedV7);
  }

  @Test
  void aLaterVersionInTheCacheEndsTheStandIn() {
    wrote(deployment("9", 3));
    V1Deployment cachedV10 = deployment("10", 3);

    assertThat(written.current("u-1", "web", cachedV10)).isSameAs(cachedV10);
  }

  @Test
  void aWriteWhoseVersionsDoNotCompareStandsNoLongerThanItsTtl() {
    wrote(deployment("b6", 3));
    V1Deployment cachedC7 = deployment("c7", 3);
    written.seen(cachedC7);
    assertThat(written.current("u-1", "web", cachedC7).getMetadata().getResourceVersion())
        .isEqualTo("b6");

    clock.advance(Duration.ofSeconds(31));

    assertThat(written.current("u-1", "web", cachedC7)).isSameAs(cachedC7);
    assertThat(written.pending()).isZero();
  }

  @Test
  void aWriteTheInformerDeliveredBeforeItsAnswerCameBackIsNotHeld() {
    // the watch and the request are two connections: the event can come first
    V1Deployment answered =
        written.write(
            "u-1",
            "web",
            () -> {
              written.seen(deployment("6", 3));
              return deployment("6", 3);
            });
    V1Deployment statusV7 = deployment("7", 3);

    assertThat(answered.getMetadata().getResourceVersion()).isEqualTo("6");
    assertThat(written.current("u-1", "web", statusV7)).isSameAs(statusV7);
    assertThat(written.pending()).isZero();
  }

  @Test
  void aWriteTheInformerDeliveredALaterVersionOfBeforeItsAnswerCameBackIsNotHeld() {
    written.write(
        "u-1",
        "web",
        () -> {
          written.seen(deployment("6", 3));
          // the controller's status update, delivered before the answer too
          written.seen(deployment("7", 3));
          return deployment("6", 3);
        });

    assertThat(written.pending()).isZero();
  }

  @Test
  void aDeleteTheInformerDeliveredBeforeItsAnswerCameBackIsNotHeld() {
    written.delete("u-1", "web", () -> written.seenGone("u-1", "web"));
    V1Deployment recreatedByHand = deployment("9", 1);

    assertThat(written.current("u-1", "web", recreatedByHand)).isSameAs(recreatedByHand);
  }

  @Test
  void aFailedWriteHoldsNothing() {
    assertThatThrownBy(
            () ->
                written.write(
                    "u-1",
                    "web",
                    () -> {
                      throw new IllegalStateException("refused");
                    }))
        .isInstanceOf(IllegalStateException.class);
    V1Deployment cached = deployment("4", 1);

    assertThat(written.current("u-1", "web", cached)).isSameAs(cached);
  }

  private void wrote(V1Deployment object) {
    written.write(
        object.getMetadata().getNamespace(), object.getMetadata().getName(), () -> object);
  }

  private static V1Deployment deployment(String resourceVersion, int replicas) {
    return new V1Deployment()
        .metadata(new V1ObjectMeta().namespace("u-1").name("web").resourceVersion(resourceVersion))
        .spec(new V1DeploymentSpec().replicas(replicas));
  }
}
