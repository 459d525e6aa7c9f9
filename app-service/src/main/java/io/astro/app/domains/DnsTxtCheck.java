package io.astro.app.domains;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * One look at a domain's proof: a DNS query for the TXT records of {@code
 * _astro-challenge.<domain>} to the operator's resolvers (dnsjava, asynchronous: nothing waits on a
 * thread), answered as verified when one of them is the domain's token, or with what was found
 * instead.
 */
public final class DnsTxtCheck {

  /** What a look found: the token ({@code verified}), or the reason it was not there. */
  public record Result(boolean verified, String reason) {

    static Result notYet(String reason) {
      return new Result(false, reason);
    }
  }

  private final Resolver resolver;
  private final Duration timeout;

  private DnsTxtCheck(Resolver resolver, Duration timeout) {
    this.resolver = resolver;
    this.timeout = timeout;
  }

  /**
   * Asks {@code servers} in turn (none: the machine's own resolvers, from {@code
   * /etc/resolv.conf}), each given {@code timeout}.
   */
  public static DnsTxtCheck of(List<InetSocketAddress> servers, Duration timeout) {
    Resolver resolver;
    if (servers.size() == 1) {
      resolver = new SimpleResolver(servers.get(0));
    } else if (servers.isEmpty()) {
      resolver = new ExtendedResolver();
    } else {
      resolver =
          new ExtendedResolver(
              servers.stream().<Resolver>map(SimpleResolver::new).toArray(Resolver[]::new));
    }
    resolver.setTimeout(timeout);
    return new DnsTxtCheck(resolver, timeout);
  }

  /** Looks up {@code name}'s TXT records for {@code token}. */
  public CompletionStage<Result> check(String name, String token) {
    Message query;
    try {
      query = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.TXT, DClass.IN));
    } catch (TextParseException e) {
      return CompletableFuture.completedFuture(Result.notYet(name + " is not a DNS name"));
    }
    return resolver
        .sendAsync(query)
        .handle(
            (answer, failure) -> {
              if (failure != null) {
                Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                return Result.notYet(
                    "no answer from the DNS resolvers for "
                        + name
                        + " within "
                        + timeout.toMillis()
                        + " ms ("
                        + cause.getClass().getSimpleName()
                        + ")");
              }
              return read(name, token, answer);
            });
  }

  private static Result read(String name, String token, Message answer) {
    int rcode = answer.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return Result.notYet("DNS has no name " + name + " (NXDOMAIN)");
    }
    if (rcode != Rcode.NOERROR) {
      return Result.notYet("DNS answered " + Rcode.string(rcode) + " for " + name);
    }
    boolean anyTxt = false;
    for (Record record : answer.getSection(Section.ANSWER)) {
      if (record instanceof TXTRecord txt) {
        anyTxt = true;
        // a long value may come split into several strings of one record
        StringBuilder joined = new StringBuilder();
        for (Object part : txt.getStrings()) {
          joined.append(part);
        }
        if (token.equals(joined.toString())) {
          return new Result(true, null);
        }
      }
    }
    return Result.notYet(
        anyTxt
            ? "the TXT record at " + name + " does not hold this domain's token"
            : "no TXT record at " + name);
  }
}
