package org.imaginglakehouse.cli.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.imaginglakehouse.core.LakehouseException;

/**
 * {@code GET /health} of {@code lakehouse serve} for load balancers, systemd and Kubernetes probes:
 * 200 with {@code {"status":"ok",...}} while Spark and the Connect service answer, 503 with the
 * reason otherwise (also while the server is starting). The probe returns a JSON object or throws
 * with what is down. It tells counts and the address, never a user name, token or query.
 */
final class HealthEndpoint implements AutoCloseable {
  private final HttpServer http;

  HealthEndpoint(String bind, int port, Supplier<String> probe) {
    try {
      http = HttpServer.create(new InetSocketAddress(bind, port), 8);
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot open the health port "
              + port
              + " on "
              + bind
              + " ("
              + e.getMessage()
              + "): is it taken? Give another --health-port.",
          e);
    }
    http.createContext("/health", exchange -> answer(exchange, probe));
    http.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "lakehouse-serve-health");
              t.setDaemon(true);
              return t;
            }));
    http.start();
  }

  /** The port listened on (useful when 0 was asked for). */
  int port() {
    return http.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, Supplier<String> probe) throws IOException {
    int status;
    String body;
    try {
      body = probe.get();
      status = 200;
    } catch (RuntimeException e) {
      status = 503;
      body =
          "{\"status\":\"down\",\"reason\":\""
              + String.valueOf(e.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"")
              + "\"}";
    }
    byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
