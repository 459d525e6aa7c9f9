package io.astro.app.domains;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.kube.KubeNames;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operator's side of custom domains (README, app-service table): Astro's apps domain (the same
 * {@code ASTRO_APPS_DOMAIN} as the sync-worker's: apps' own hosts, which custom domains point at
 * and may not be under), the ingress controller's addresses for apex domains, how many domains an
 * app may have, and the DNS resolvers and schedule of verification.
 */
public record DomainSettings(
    String appsDomain,
    List<String> ingressAddresses,
    int maxPerApp,
    List<InetSocketAddress> resolvers,
    Duration dnsTimeout,
    DomainVerifier.Schedule schedule) {

  public DomainSettings {
    ingressAddresses = List.copyOf(ingressAddresses);
    resolvers = List.copyOf(resolvers);
  }

  public static DomainSettings from(Env env) {
    String appsDomain = env.string("ASTRO_APPS_DOMAIN", null);
    if (appsDomain != null && !KubeNames.HOST.matcher(appsDomain).matches()) {
      throw new ConfigException(
          "ASTRO_APPS_DOMAIN must be a lowercase DNS name of at least two labels, e.g."
              + " apps.example.com");
    }
    Duration every = env.duration("ASTRO_DOMAIN_VERIFY_INTERVAL", Duration.ofSeconds(10));
    Duration first = env.duration("ASTRO_DOMAIN_VERIFY_BACKOFF", Duration.ofSeconds(30));
    if (every.isZero() || every.isNegative() || first.isZero() || first.isNegative()) {
      throw new ConfigException(
          "ASTRO_DOMAIN_VERIFY_INTERVAL and ASTRO_DOMAIN_VERIFY_BACKOFF must be above 0");
    }
    return new DomainSettings(
        appsDomain,
        list(env.string("ASTRO_INGRESS_ADDRESSES", "")),
        env.integer("ASTRO_MAX_DOMAINS_PER_APP", 5, 0, 100),
        resolvers(env.string("ASTRO_DNS_RESOLVERS", "")),
        env.duration("ASTRO_DNS_TIMEOUT", Duration.ofSeconds(3)),
        new DomainVerifier.Schedule(
            every,
            first,
            Duration.ofHours(1),
            env.integer("ASTRO_DOMAIN_VERIFY_ATTEMPTS", 30, 1, 10_000)));
  }

  private static List<String> list(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code host[:port],...}, IPv6 as {@code [addr]:port}; port 53 when none. */
  static List<InetSocketAddress> resolvers(String text) {
    List<InetSocketAddress> servers = new ArrayList<>();
    for (String entry : list(text)) {
      String host = entry;
      int port = 53;
      int colon = entry.lastIndexOf(':');
      boolean bracketed = entry.startsWith("[");
      if (colon > 0 && (bracketed ? entry.indexOf(']') < colon : entry.indexOf(':') == colon)) {
        host = entry.substring(0, colon);
        try {
          port = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      if (bracketed) {
        host = host.substring(1, host.length() - 1);
      }
      if (port < 1 || port > 65535 || host.isEmpty()) {
        throw new ConfigException(
            "ASTRO_DNS_RESOLVERS must be host[:port] entries separated by commas, got " + entry);
      }
      // a literal address is not looked up; a name is, once, at start
      servers.add(new InetSocketAddress(host, port));
    }
    return servers;
  }
}
