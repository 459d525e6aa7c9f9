package io.astro.app.domains;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.dns.TestDnsServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One look at a domain's proof, against a real DNS server on 127.0.0.1 (UDP, the DNS wire
 * protocol): the token makes it verified; anything else is named in the reason.
 */
class DnsTxtCheckTest {

  private static final String TOKEN = "b3Zlci10aGUtd2lyZS10b2tlbi1vZi10aGlzLWRvbWFpbg";

  private static TestDnsServer dns;
  private static DnsTxtCheck check;

  @BeforeAll
  static void start() {
    dns = TestDnsServer.start();
    check = DnsTxtCheck.of(List.of(dns.address()), Duration.ofMillis(500));
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @Test
  void the_token_among_the_txt_records_verifies_the_domain() throws Exception {
    dns.txt("_astro-challenge.www.verified.test", "v=spf1 -all", TOKEN);

    DnsTxtCheck.Result result = look("_astro-challenge.www.verified.test");

    assertThat(result.verified()).isTrue();
    assertThat(result.reason()).isNull();
    assertThat(dns.queries("_astro-challenge.www.verified.test")).isEqualTo(1);
  }

  @Test
  void another_token_is_not_the_proof() throws Exception {
    dns.txt("_astro-challenge.wrong.test", "someone-elses-token");

    DnsTxtCheck.Result result = look("_astro-challenge.wrong.test");

    assertThat(result.verified()).isFalse();
    assertThat(result.reason())
        .isEqualTo(
            "the TXT record at _astro-challenge.wrong.test does not hold this domain's token");
  }

  @Test
  void a_name_without_txt_records_is_not_verified_yet() throws Exception {
    dns.noRecords("_astro-challenge.missing.test");

    DnsTxtCheck.Result result = look("_astro-challenge.missing.test");

    assertThat(result.verified()).isFalse();
    assertThat(result.reason()).isEqualTo("no TXT record at _astro-challenge.missing.test");
  }

  @Test
  void a_name_dns_does_not_know_is_nxdomain() throws Exception {
    DnsTxtCheck.Result result = look("_astro-challenge.nowhere.test");

    assertThat(result.verified()).isFalse();
    assertThat(result.reason())
        .isEqualTo("DNS has no name _astro-challenge.nowhere.test (NXDOMAIN)");
  }

  @Test
  void a_resolver_that_never_answers_times_out_with_a_reason() throws Exception {
    dns.silent("_astro-challenge.slow.test");

    DnsTxtCheck.Result result = look("_astro-challenge.slow.test");

    assertThat(result.verified()).isFalse();
    assertThat(result.reason())
        .startsWith(
            "no answer from the DNS resolvers for _astro-challenge.slow.test within 500 ms");
    assertThat(dns.queries("_astro-challenge.slow.test")).isPositive();
  }

  private static DnsTxtCheck.Result look(String name) throws Exception {
    return check.check(name, TOKEN).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
