package io.astro.common.net;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.SocketFactory;

/**
 * Which addresses a Kubernetes API server named by an imported kubeconfig may have. Whoever can
 * import a cluster makes Astro's servers connect where the kubeconfig points, so without this check
 * an import probes any host and port reachable from inside (the answer tells refused from TLS error
 * from HTTP 404: a port scanner), and reaches the cloud's metadata service.
 *
 * <p>Never allowed: the unspecified address ({@code 0.0.0.0/8}, {@code ::}), link-local ({@code
 * 169.254.0.0/16}, {@code fe80::/10}, the metadata services {@code 169.254.169.254} and {@code
 * fd00:ec2::254} among them), multicast and {@code 240.0.0.0/4}. Allowed only inside {@code
 * ASTRO_CLUSTER_ALLOWED_CIDRS}: loopback ({@code 127.0.0.0/8}, {@code ::1}), private ({@code
 * 10.0.0.0/8}, {@code 172.16.0.0/12}, {@code 192.168.0.0/16}, {@code fc00::/7}, {@code fec0::/10}),
 * shared ({@code 100.64.0.0/10}) and the other special-purpose IPv4 blocks. Any other (public)
 * address is allowed. An IPv6 address carrying an IPv4 one (mapped {@code ::ffff:a.b.c.d},
 * compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) is judged by
 * the IPv4 address. {@code https} only, unless {@code ASTRO_CLUSTER_ALLOW_HTTP=true}.
 *
 * <p>{@link #check} resolves the server's host once and refuses when any address is refused, before
 * any connection; {@link #socketFactory} checks again the address each socket connects to, so a
 * name that resolves differently later (DNS rebinding) is refused at connect time.
 */
public final class ClusterAddressGuard {

  /** Why an address or URL is refused; {@code code} is fit for callers, the message for logs. */
  public static final class Refused extends ConnectException {
    private static final long serialVersionUID = 1L;

    private final String code;

    Refused(String code, String detail) {
      super(detail);
      this.code = code;
    }

    /** {@code scheme}, {@code unresolvable} or {@code address}. */
    public String code() {
      return code;
    }
  }

  /** A block of addresses, {@code address/prefix}. */
  public static final class Cidr {

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
      this.network = network.clone();
      this.prefix = prefix;
    }

    public static Cidr parse(String text) {
      String trimmed = text.trim();
      int slash = trimmed.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException("expected address/prefix, got '" + trimmed + "'");
      }
      String host = trimmed.substring(0, slash);
      if (!host.matches("[0-9a-fA-F:.]+")) { // a literal only: parsing must not look a name up
        throw new IllegalArgumentException("not an IP address: '" + host + "'");
      }
      byte[] bytes;
      try {
        bytes = InetAddress.getByName(host).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address: '" + host + "'");
      }
      int prefix;
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a prefix length in '" + trimmed + "'");
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("prefix out of range in '" + trimmed + "'");
      }
      return new Cidr(bytes, prefix);
    }

    public boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
      try {
        return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Blocks never allowed, whatever the operator lists. */
  private static final List<Named> NEVER =
      List.of(
          named("0.0.0.0/8", "unspecified"),
          named("::/128", "unspecified"),
          named("169.254.169.254/32", "metadata"),
          named("fd00:ec2::254/128", "metadata"),
          named("169.254.0.0/16", "link-local"),
          named("fe80::/10", "link-local"),
          named("224.0.0.0/4", "multicast"),
          named("ff00::/8", "multicast"),
          named("240.0.0.0/4", "reserved"));

  /** Blocks allowed only inside {@code ASTRO_CLUSTER_ALLOWED_CIDRS}. */
  private static final List<Named> UNLESS_ALLOWED =
      List.of(
          named("127.0.0.0/8", "loopback"),
          named("::1/128", "loopback"),
          named("10.0.0.0/8", "private"),
          named("172.16.0.0/12", "private"),
          named("192.168.0.0/16", "private"),
          named("fc00::/7", "private"),
          named("fec0::/10", "private"),
          named("100.64.0.0/10", "shared"),
          named("192.0.0.0/24", "special-purpose"),
          named("198.18.0.0/15", "special-purpose"),
          named("192.0.2.0/24", "documentation"),
          named("198.51.100.0/24", "documentation"),
          named("203.0.113.0/24", "documentation"),
          named("2001:db8::/32", "documentation"));

  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
  private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");

  private record Named(Cidr cidr, String kind) {}

  private static Named named(String cidr, String kind) {
    return new Named(Cidr.parse(cidr), kind);
  }

  private final List<Cidr> allowed;
  private final boolean allowHttp;

  public ClusterAddressGuard(List<Cidr> allowed, boolean allowHttp) {
    this.allowed = List.copyOf(allowed);
    this.allowHttp = allowHttp;
  }

  /** Public https servers only: the production default. */
  public static ClusterAddressGuard strict() {
    return new ClusterAddressGuard(List.of(), false);
  }

  /**
   * {@code ASTRO_CLUSTER_ALLOWED_CIDRS} (comma-separated {@code address/prefix}, default none) and
   * {@code ASTRO_CLUSTER_ALLOW_HTTP} (default false).
   */
  public static ClusterAddressGuard fromEnv(Env env) {
    List<Cidr> cidrs = new ArrayList<>();
    for (String entry : env.string("ASTRO_CLUSTER_ALLOWED_CIDRS", "").split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      try {
        cidrs.add(Cidr.parse(entry));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ASTRO_CLUSTER_ALLOWED_CIDRS: " + e.getMessage());
      }
    }
    return new ClusterAddressGuard(cidrs, env.bool("ASTRO_CLUSTER_ALLOW_HTTP", false));
  }

  public List<Cidr> allowed() {
    return allowed;
  }

  public boolean allowsHttp() {
    return allowHttp;
  }

  /**
   * Checks a server URL: its scheme, then every address its host resolves to (resolved once, here).
   * Nothing is connected to.
   *
   * @throws Refused naming the scheme, the host or the refused address and its kind (for logs)
   */
  public List<InetAddress> check(URI server) throws Refused {
    String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
      throw new Refused(
          "scheme",
          "scheme "
              + scheme
              + " refused for cluster servers"
              + (scheme.equals("http") ? " (ASTRO_CLUSTER_ALLOW_HTTP is false)" : ""));
    }
    String host = server.getHost();
    if (host == null || host.isEmpty()) {
      throw new Refused("unresolvable", "no host in the server URL");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Refused("unresolvable", "host " + host + " does not resolve");
    }
    for (InetAddress address : addresses) {
      refuseIfBarred(address, host);
    }
    return List.of(addresses);
  }

  /**
   * Throws {@link Refused} when {@code address} is not allowed; {@code host} is for the message.
   */
  public void refuseIfBarred(InetAddress address, String host) throws Refused {
    String kind = barred(address);
    if (kind != null) {
      throw new Refused(
          "address",
          "host "
              + host
              + " resolves to "
              + address.getHostAddress()
              + ", a "
              + kind
              + " address not allowed for cluster servers (ASTRO_CLUSTER_ALLOWED_CIDRS)");
    }
  }

  /** Null when {@code address} is allowed, else what kind of address it is. */
  public String barred(InetAddress address) {
    byte[] bytes = embeddedIpv4(address.getAddress());
    for (Named never : NEVER) {
      if (never.cidr().contains(bytes)) {
        return never.kind();
      }
    }
    for (Named special : UNLESS_ALLOWED) {
      if (special.cidr().contains(bytes)) {
        return allowed.stream().anyMatch(c -> c.contains(bytes)) ? null : special.kind();
      }
    }
    return null;
  }

  // the IPv4 address an IPv6 one stands for, if any: connecting to it reaches the IPv4 host
  private static byte[] embeddedIpv4(byte[] bytes) {
    if (bytes.length == 4) {
      return bytes;
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= bytes[i] == 0;
    }
    mapped &= bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    if (mapped || NAT64.contains(bytes)) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    // ::a.b.c.d, but not :: and ::1, which are themselves
    if (IPV4_COMPATIBLE.contains(bytes) && (bytes[12] | bytes[13] | bytes[14]) != 0) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    if (SIX_TO_FOUR.contains(bytes)) {
      return Arrays.copyOfRange(bytes, 2, 6);
    }
    return bytes;
  }

  /**
   * Sockets that check the address they connect to and refuse, without connecting, one this guard
   * bars: what the HTTP client of a cluster is built with, so the address checked is the address
   * used.
   */
  public SocketFactory socketFactory() {
    return new GuardedSockets();
  }

  private final class GuardedSockets extends SocketFactory {

    @Override
    public Socket createSocket() {
      return new GuardedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket socket = new GuardedSocket();
      socket.connect(new InetSocketAddress(host, port));
      return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      Socket socket = new GuardedSocket();
      socket.bind(new InetSocketAddress(localHost, localPort));
      socket.connect(new InetSocketAddress(host, port));
      return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Socket socket = new GuardedSocket();
      socket.connect(new InetSocketAddress(host, port));
      return socket;
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      Socket socket = new GuardedSocket();
      socket.bind(new InetSocketAddress(localAddress, localPort));
      socket.connect(new InetSocketAddress(address, port));
      return socket;
    }
  }

  private final class GuardedSocket extends Socket {

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress inet) || inet.getAddress() == null) {
        throw new Refused("unresolvable", "connection to an unresolved address refused");
      }
      refuseIfBarred(inet.getAddress(), inet.getHostString());
      super.connect(endpoint, timeout);
    }
  }
}
