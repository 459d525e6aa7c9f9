package io.astro.testkit.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A server someone else runs (env {@code ASTRO_TEST_MYSQL_URL}); we only create and drop databases
 * on it.
 */
public final class ExternalMySqlServer implements MySqlServer {

  private final String host;
  private final int port;
  private final String user;
  private final String password;

  private ExternalMySqlServer(String host, int port, String user, String password) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
  }

  /**
   * Parses {@code mysql://user:password@host:port}; the port defaults to 3306, the password to
   * empty.
   */
  public static ExternalMySqlServer fromUrl(String url) {
    URI uri = URI.create(url);
    if (!"mysql".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() == null) {
      throw new IllegalArgumentException("Expected mysql://user:password@host:port, got " + url);
    }
    String[] userInfo = uri.getRawUserInfo().split(":", 2);
    String password = userInfo.length > 1 ? decode(userInfo[1]) : "";
    int port = uri.getPort() == -1 ? 3306 : uri.getPort();
    return new ExternalMySqlServer(uri.getHost(), port, decode(userInfo[0]), password);
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }

  @Override
  public void close() {
    // not ours to stop
  }

  private static String decode(String value) {
    return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
