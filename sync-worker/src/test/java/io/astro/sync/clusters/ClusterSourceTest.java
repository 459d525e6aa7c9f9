package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import io.astro.common.kubernetes.KubeJson;
import io.astro.common.net.ClusterAddressGuard;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A cluster's watch client is its request client without a read timeout. */
class ClusterSourceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(7);

  private static FakeCluster fake;

  @BeforeAll
  static void start() {
    fake = FakeCluster.start("sources");
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @Test
  void watches_share_the_requests_connections_and_have_no_read_timeout() throws Exception {
    ApiClient requests = new ClusterSource(fake.name(), fake.kubeconfig()).client(TIMEOUT);
    ApiClient watches = ClusterSource.watching(requests);

    assertThat(watches.getHttpClient().connectionPool())
        .isSameAs(requests.getHttpClient().connectionPool());
    assertThat(watches.getHttpClient().sslSocketFactory())
        .isSameAs(requests.getHttpClient().sslSocketFactory());
    assertThat(watches.getReadTimeout()).isZero();
    assertThat(requests.getReadTimeout()).isEqualTo(TIMEOUT.toMillis());
    assertThat(watches.getBasePath()).isEqualTo(requests.getBasePath());
  }

  @Test
  void watches_carry_the_kubeconfig_token() throws Exception {
    ApiClient watches =
        ClusterSource.watching(new ClusterSource(fake.name(), fake.kubeconfig()).client(TIMEOUT));

    // the sandbox answers 401 to a request without the cluster's token
    assertThat(new CoreV1Api(watches).listNamespace().limit(1).execute().getItems()).isNotNull();
  }

  @Test
  void watches_of_an_imported_cluster_keep_its_address_check() throws Exception {
    // the sandbox listens on loopback, which the strict guard bars
    ApiClient watches =
        ClusterSource.watching(
            new ClusterSource(fake.name(), fake.kubeconfig(), ClusterAddressGuard.strict())
                .client(TIMEOUT));

    assertThatThrownBy(() -> new CoreV1Api(watches).listNamespace().limit(1).execute())
        .isInstanceOf(ApiException.class)
        .hasRootCauseInstanceOf(ClusterAddressGuard.Refused.class);
  }

  @Test
  void a_cluster_s_client_reads_and_writes_with_kube_json() throws Exception {
    JSON.setGson(new Gson()); // a plain Gson writes bytes as an array of numbers

    new ClusterSource(fake.name(), fake.kubeconfig()).client(TIMEOUT);

    assertThat(JSON.getGson()).isSameAs(KubeJson.gson());
    V1Secret secret = new V1Secret().putDataItem("K", "s3cr3t".getBytes(StandardCharsets.UTF_8));
    assertThat(JSON.serialize(secret)).contains("\"data\":{\"K\":\"czNjcjN0\"}");
  }
}
