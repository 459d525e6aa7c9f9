package io.astro.bench.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx (from Debian's package; {@code bench/run.sh} installs it) as a plain keep-alive reverse
 * proxy in front of app-service: the floor any proxy hop costs. One worker process, as the gateway
 * serves HTTP on one event loop.
 */
public final class Nginx extends LoopbackProxy {

  private static final List<Path> CANDIDATES =
      List.of(
          Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx"), Path.of("/usr/local/sbin/nginx"));

  private Nginx(Process process, int port) {
    super("nginx", process, port);
  }

  /** The nginx binary, or null when it is not installed. */
  public static Path binary() {
    return CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  public static Nginx start(Path binary, Path dir, int port, int upstreamPort) {
    try {
      Files.createDirectories(dir.resolve("logs"));
      Path conf = dir.resolve("nginx.conf");
      Files.writeString(conf, config(dir, port, upstreamPort));
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "-p",
                  dir.toString(),
                  "-c",
                  conf.toString(),
                  "-g",
                  "daemon off;")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nginx.out").toFile()))
              .start();
      Nginx nginx = new Nginx(process, port);
      nginx.awaitListening(Duration.ofSeconds(10));
      return nginx;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start nginx: " + e.getMessage(), e);
    }
  }

  static String config(Path dir, int port, int upstreamPort) {
    return """
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %1$s/tmp-body;
          proxy_temp_path %1$s/tmp-proxy;
          fastcgi_temp_path %1$s/tmp-fastcgi;
          uwsgi_temp_path %1$s/tmp-uwsgi;
          scgi_temp_path %1$s/tmp-scgi;
          keepalive_requests 1000000;
          upstream app_service {
            server 127.0.0.1:%3$d;
            keepalive 128;
            keepalive_requests 1000000;
          }
          server {
            listen 127.0.0.1:%2$d;
            location / {
              proxy_pass http://app_service;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_set_header Host $host;
              proxy_set_header X-Forwarded-For $remote_addr;
            }
          }
        }
        """
        .formatted(dir, port, upstreamPort);
  }
}
