package io.astro.gateway.proxy;

import io.astro.common.http.RequestIds;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1: the fixed list plus every
 * header the {@code Connection} header names) stop here in both directions; {@code Host} becomes
 * {@code X-Forwarded-Host}; the request id and {@code X-Real-IP} (the client address rate limits
 * key on) are ours. Unless the gateway is told it sits behind a trusted load balancer, the client's
 * own {@code X-Forwarded-*} / {@code Forwarded} are discarded — they are trivially forged, and
 * upstreams and rate limits rely on them.
 */
public final class ForwardedHeaders {

  // compared ignoring case where they are used: lower-casing each header's name cost a string per
  // header, twice per request
  private static final List<String> HOP_BY_HOP =
      List.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");
  private static final String FORWARDED_FOR = "X-Forwarded-For";
  private static final String FORWARDED_PROTO = "X-Forwarded-Proto";
  private static final String FORWARDED_HOST = "X-Forwarded-Host";
  private static final String REAL_IP = "X-Real-IP";

  private final boolean trustClient;

  public ForwardedHeaders(boolean trustClient) {
    this.trustClient = trustClient;
  }

  /**
   * The headers of the upstream request; call on the request's context (it reads the request id).
   */
  public MultiMap toUpstream(HttpServerRequest in) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    Set<String> named = namedByConnection(in.headers());
    for (Map.Entry<String, String> header : in.headers()) {
      String name = header.getKey();
      boolean forwarding =
          name.regionMatches(true, 0, "x-forwarded-", 0, 12) || name.equalsIgnoreCase("forwarded");
      if (!hopByHop(name, named)
          && !name.equalsIgnoreCase("host")
          && !name.equalsIgnoreCase("x-request-id")
          && !name.equalsIgnoreCase("x-real-ip")
          && (trustClient || !forwarding)) {
        out.add(name, header.getValue());
      }
    }
    String remote = in.remoteAddress().hostAddress();
    String earlier = trustClient ? in.getHeader(FORWARDED_FOR) : null;
    out.set(FORWARDED_FOR, earlier == null ? remote : earlier + ", " + remote);
    // the client as the rate limits here see it, so user-service's login and sign-up limits key on
    // the same address without knowing whether a balancer sits in front; never the client's word
    out.set(REAL_IP, clientIp(in));
    if (!out.contains(FORWARDED_PROTO)) {
      out.set(FORWARDED_PROTO, in.scheme());
    }
    HostAndPort authority = in.authority();
    if (!out.contains(FORWARDED_HOST) && authority != null) {
      out.set(FORWARDED_HOST, authority.toString());
    }
    return RequestIds.propagate(out);
  }

  /** Copies an upstream response's headers for the client. */
  public void toClient(MultiMap fromUpstream, MultiMap toClient) {
    Set<String> named = namedByConnection(fromUpstream);
    for (Map.Entry<String, String> header : fromUpstream) {
      String name = header.getKey();
      // the gateway already answers with the request id, the same one it handed on
      if (!hopByHop(name, named) && !name.equalsIgnoreCase("x-request-id")) {
        toClient.add(name, header.getValue());
      }
    }
  }

  /**
   * The address rate limits key on: the peer, or — behind a trusted load balancer — the last {@code
   * X-Forwarded-For} entry, the one that balancer added (earlier entries are the client's word).
   */
  public String clientIp(RoutingContext ctx) {
    return clientIp(ctx.request());
  }

  private String clientIp(HttpServerRequest in) {
    String forwardedFor = trustClient ? in.getHeader(FORWARDED_FOR) : null;
    if (forwardedFor != null && !forwardedFor.isBlank()) {
      return forwardedFor.substring(forwardedFor.lastIndexOf(',') + 1).trim();
    }
    return in.remoteAddress().hostAddress();
  }

  private static boolean hopByHop(String name, Set<String> namedByConnection) {
    for (String hop : HOP_BY_HOP) {
      if (hop.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return !namedByConnection.isEmpty()
        && namedByConnection.contains(name.toLowerCase(Locale.ROOT));
  }

  // the headers a Connection header names (lower case); none, and nothing allocated, without one
  private static Set<String> namedByConnection(MultiMap headers) {
    List<String> connection = headers.getAll(HttpHeaders.CONNECTION);
    if (connection.isEmpty()) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    for (String value : connection) {
      for (String token : value.split(",")) {
        names.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }
}
