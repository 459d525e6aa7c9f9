package io.astro.testkit.kube;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container image reference split as the container runtime splits it (the distribution reference
 * grammar: the first path component is a registry only if it holds a {@code .} or a {@code :} or is
 * {@code localhost}; otherwise the image is on Docker Hub, under {@code library/} when it has no
 * namespace). Used to decide, from the text alone and never by connecting anywhere, whether a node
 * could reach the registry.
 */
record ImageReference(String registry, String repository, String tag, String digest) {

  static final String DOCKER_HUB = "docker.io";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  static ImageReference parse(String image) {
    String rest = image;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** The reference as containerd names it in its messages. */
  String canonical() {
    return registry
        + "/"
        + repository
        + (tag != null ? ":" + tag : "")
        + (digest != null ? "@" + digest : "");
  }

  /** An official Docker Hub image ({@code nginx}, {@code docker.io/library/nginx}, …): its name. */
  Optional<String> officialName() {
    return registry.equals(DOCKER_HUB) && repository.startsWith("library/")
        ? Optional.of(repository.substring("library/".length()))
        : Optional.empty();
  }

  /** The registry's host, without port or IPv6 brackets, lower case. */
  String host() {
    String r = registry;
    if (r.startsWith("[")) {
      int end = r.indexOf(']');
      return (end > 0 ? r.substring(1, end) : r.substring(1)).toLowerCase(Locale.ROOT);
    }
    int colon = r.indexOf(':');
    return (colon >= 0 ? r.substring(0, colon) : r).toLowerCase(Locale.ROOT);
  }

  /** host:port as the runtime dials it (HTTPS: 443 unless the reference names a port). */
  String dialAddress() {
    String r = registry;
    int close = r.lastIndexOf(']');
    boolean hasPort = r.lastIndexOf(':') > close && (close >= 0 || !r.startsWith("["));
    return hasPort ? r : r + ":443";
  }

  /**
   * Why a node could not reach this registry, as the runtime reports it, or empty when it could.
   * Names under the reserved top-level domains (RFC 2606, RFC 6761: {@code .invalid}, {@code
   * .test}, {@code .example}) never resolve; private (RFC 1918, RFC 4193), loopback and link-local
   * addresses are not a registry a cluster's nodes can reach from the internet.
   */
  Optional<String> unreachable() {
    String host = host();
    for (String tld : new String[] {"invalid", "test", "example"}) {
      if (host.equals(tld) || host.endsWith("." + tld)) {
        return Optional.of("dial tcp: lookup " + host + ": no such host");
      }
    }
    if (host.equals("localhost")) {
      return Optional.of(
          "dial tcp 127.0.0.1:"
              + dialAddress().substring(dialAddress().lastIndexOf(':') + 1)
              + ": connect: connection refused");
    }
    InetAddress address = literal(host);
    if (address == null) {
      return Optional.empty();
    }
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      return Optional.of("dial tcp " + dialAddress() + ": connect: connection refused");
    }
    byte[] b = address.getAddress();
    boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
    if (address.isSiteLocalAddress() || address.isLinkLocalAddress() || uniqueLocal) {
      return Optional.of("dial tcp " + dialAddress() + ": i/o timeout");
    }
    return Optional.empty();
  }

  /** The address of an IP literal; null for a name (which is never looked up). */
  private static InetAddress literal(String host) {
    boolean v4 = IPV4.matcher(host).matches();
    boolean v6 = host.contains(":") && IPV6.matcher(host).matches();
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      for (String part : host.split("\\.", -1)) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      // a literal: InetAddress parses it without any name lookup
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
