package io.astro.testkit.kube;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.Eventually;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.vertx.VertxMockWebSocket;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch that ends while the fake's store is still sending it an event — an informer stopping, a
 * watch whose reader fell behind — leaves the store answering every other request at once, and its
 * other watches still get their events.
 *
 * <p>The watches here talk to the store (fabric8's mock with the fake's dispatcher) directly, as
 * the fake's proxy does. The watch that ends is never read, so the store's send to it cannot
 * finish: its end always comes in the middle of a send.
 */
class EndingWatchesTest {

  /**
   * Far below the 30 s that fabric8's mock stood still for when a watch ended mid-send (its {@code
   * VertxMockWebSocket} write bound), far above a loaded machine's answer time.
   */
  private static final Duration ANSWER = Duration.ofSeconds(8);

  private static final String NS = "/api/v1/namespaces/watched";

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<WebSocket> watches = new ArrayList<>();
  private final List<Socket> unreadWatches = new ArrayList<>();
  private KubernetesMockServer store;

  // the same construction as FakeCluster's (fabric8 deprecates the mapper without a replacement)
  @SuppressWarnings("deprecation")
  @BeforeEach
  void start() throws Exception {
    store =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            new IndexedCrudDispatcher(),
            false);
    store.init(InetAddress.getLoopbackAddress(), 0);
    assertThat(send("POST", "/api/v1/namespaces", object("Namespace", null, "watched", null)))
        .isEqualTo(201);
    // a watch of the namespace is first sent this as an ADDED event: larger than what a connection
    // that is not read holds (Linux grows a socket's send buffer to 4 MiB at most), so the store's
    // send of it to such a watch never ends
    String data = "x".repeat(8 * 1024 * 1024);
    assertThat(send("POST", NS + "/configmaps", object("ConfigMap", "watched", "big", data)))
        .isEqualTo(201);
  }

  @AfterEach
  void stop() throws IOException {
    watches.forEach(WebSocket::abort);
    for (Socket socket : unreadWatches) {
      socket.close();
    }
    store.destroy();
  }

  @Test
  void readsAreAnsweredRightAfterAWatchEndsMidSend() throws Exception {
    end(unreadWatch());

    assertThat(send("GET", NS, null)).as("the namespace read after the watch ended").isEqualTo(200);
    assertThat(send("GET", NS + "/configmaps/big", null)).as("a second read").isEqualTo(200);
  }

  @Test
  void writesAreAnsweredAndWatchedRightAfterAWatchEndsMidSend() throws Exception {
    Socket unread = unreadWatch();
    List<String> seen = watch();
    end(unread);

    assertThat(send("POST", NS + "/configmaps", object("ConfigMap", "watched", "late", "v")))
        .as("a write to what the ended watch watched")
        .isEqualTo(201);
    Eventually.until(
        "the other watch sees the write",
        ANSWER,
        () -> seen.stream().anyMatch(e -> e.contains("\"name\":\"late\"")));
  }

  /**
   * A watch whose reader never reads, once the store is sending it its first event (which it never
   * finishes): a bare WebSocket handshake on a socket with a small receive buffer, then nothing
   * read.
   */
  private Socket unreadWatch() throws IOException {
    // its sender is a thread the store starts for it
    Set<Thread> earlier = Thread.getAllStackTraces().keySet();
    Socket socket = new Socket();
    unreadWatches.add(socket);
    // set before connecting, so the kernel does not grow it
    socket.setReceiveBufferSize(4096);
    socket.setSoTimeout((int) ANSWER.toMillis());
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), store.getPort()));
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + NS
                + "/configmaps?watch=true HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(US_ASCII));
    out.flush();
    // the handshake's answer; nothing after it is read
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the handshake's answer: %s", head.toString(US_ASCII)).isNotNegative();
      head.write(b);
    }
    assertThat(head.toString(US_ASCII)).startsWith("HTTP/1.1 101");
    Eventually.until(
        "the store sends the unread watch its first event",
        ANSWER,
        () -> sending().anyMatch(sender -> !earlier.contains(sender)));
    return socket;
  }

  /** The store's watch senders that wait for a send to finish. */
  private static Stream<Thread> sending() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(
            thread ->
                Arrays.stream(thread.getValue())
                    .anyMatch(
                        frame ->
                            frame.getClassName().equals(VertxMockWebSocket.class.getName())
                                && frame.getMethodName().equals("awaitWrite")))
        .map(Map.Entry::getKey);
  }

  /** Ends a watch as a client does: a close frame (status 1000, masked with a zero key). */
  private static void end(Socket watch) throws IOException {
    watch
        .getOutputStream()
        .write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});
    watch.getOutputStream().flush();
  }

  /** A watch of the namespace's ConfigMaps that takes its events as they come. */
  private List<String> watch() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    watches.add(
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + store.getPort() + NS + "/configmaps?watch=true"),
                new WebSocket.Listener() {
                  private final StringBuilder message = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                      events.add(message.toString());
                      message.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(ANSWER.toMillis(), TimeUnit.MILLISECONDS));
    return events;
  }

  /** The status of a request to the store, which must come within {@link #ANSWER}. */
  private int send(String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + store.getPort() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .get(ANSWER.toMillis(), TimeUnit.MILLISECONDS)
        .statusCode();
  }

  private static String object(String kind, String namespace, String name, String data) {
    JsonObject meta = new JsonObject().put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    JsonObject object =
        new JsonObject().put("apiVersion", "v1").put("kind", kind).put("metadata", meta);
    if (data != null) {
      object.put("data", new JsonObject().put("k", data));
    }
    return object.encode();
  }
}
