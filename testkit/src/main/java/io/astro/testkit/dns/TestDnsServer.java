package io.astro.testkit.dns;

import io.astro.common.runtime.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A DNS server for tests: a real UDP responder on 127.0.0.1 speaking the DNS wire protocol
 * (dnsjava's message classes), authoritative for whatever names a test gives it. A name is answered
 * with its TXT records, with no records (NOERROR, empty answer), not at all (the client times out),
 * or — any name it was not told about — NXDOMAIN.
 */
public final class TestDnsServer implements AutoCloseable {

  private sealed interface Answer {}

  private record Txt(List<String> values) implements Answer {}

  private record NoRecords() implements Answer {}

  private record Silent() implements Answer {}

  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();

  private TestDnsServer(DatagramSocket socket) {
    this.socket = socket;
    this.thread = DaemonThreads.thread("test-dns-" + socket.getLocalPort(), this::serve);
    thread.start();
  }

  /** Starts a server on a free UDP port of 127.0.0.1. */
  public static TestDnsServer start() {
    try {
      return new TestDnsServer(
          new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** {@code 127.0.0.1:<port>}, as resolver settings take it. */
  public String hostPort() {
    return address().getAddress().getHostAddress() + ":" + address().getPort();
  }

  /** {@code name} has these TXT records (one string each). */
  public TestDnsServer txt(String name, String... values) {
    answers.put(key(name), new Txt(List.of(values)));
    return this;
  }

  /** {@code name} exists but has no records of the type asked for. */
  public TestDnsServer noRecords(String name) {
    answers.put(key(name), new NoRecords());
    return this;
  }

  /** Questions about {@code name} are never answered. */
  public TestDnsServer silent(String name) {
    answers.put(key(name), new Silent());
    return this;
  }

  /** Forgets {@code name}: NXDOMAIN from now on. */
  public TestDnsServer forget(String name) {
    answers.remove(key(name));
    return this;
  }

  /** How many questions about {@code name} arrived. */
  public int queries(String name) {
    AtomicInteger count = queries.get(key(name));
    return count == null ? 0 : count.get();
  }

  private void serve() {
    byte[] buffer = new byte[Message.MAXLENGTH];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(buffer, packet.getLength()));
        Message response = respond(query);
        if (response != null) {
          byte[] wire = response.toWire();
          socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
        // a malformed packet: dropped, as a real server would
      }
    }
  }

  private Message respond(Message query) {
    Record question = query.getQuestion();
    if (question == null) {
      return null;
    }
    String name = key(question.getName().toString());
    queries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    Answer answer = answers.get(name);
    if (answer instanceof Silent) {
      return null;
    }
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
    }
    response.addRecord(question, Section.QUESTION);
    if (answer == null) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
    } else if (answer instanceof Txt txt && question.getType() == Type.TXT) {
      for (String value : txt.values()) {
        response.addRecord(new TXTRecord(question.getName(), DClass.IN, 60, value), Section.ANSWER);
      }
    }
    return response;
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
