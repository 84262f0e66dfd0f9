package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.imaginglakehouse.cli.serve.SqlServer;

/**
 * {@code lakehouse serve} as its own process on a free port, for the serve tests: started once per
 * test class, stopped with SIGTERM; and the Python clients of cli/src/test/python run against it
 * with the repo's .venv (bin/setup --with-python).
 */
final class ServeProcess implements AutoCloseable {
  static final List<String> NO_PYTHON_ENV =
      List.of(
          "PYSPARK_PYTHON=" + SqlServer.NO_PYTHON, "PYSPARK_DRIVER_PYTHON=" + SqlServer.NO_PYTHON);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LISTENING = "lakehouse serve: Spark Connect listening on ";

  private final Process process;
  private final Thread reader;
  private final StringBuilder output = new StringBuilder();
  private final int port;
  private String address;

  private ServeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    reader =
        new Thread(
            () -> {
              try {
                for (String line; (line = lines.readLine()) != null; ) {
                  synchronized (output) {
                    output.append(line).append('\n');
                    if (line.startsWith(LISTENING)) {
                      address = line.split(" ")[6];
                      output.notifyAll();
                    }
                  }
                }
              } catch (IOException e) {
                // the server has gone; its exit code is checked
              }
            });
    reader.setDaemon(true);
    reader.start();
  }

  /** A free port now (the server is started on it right after). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Starts {@code lakehouse [globalArgs] serve --port P [serveArgs]} with {@code env} added and
   * waits until it listens.
   */
  static ServeProcess start(List<String> env, List<String> globalArgs, List<String> serveArgs)
      throws Exception {
    int port = freePort();
    List<String> args = new ArrayList<>(globalArgs);
    args.addAll(List.of("serve", "--port", Integer.toString(port)));
    args.addAll(serveArgs);
    List<String> fullEnv = new ArrayList<>(NO_PYTHON_ENV);
    fullEnv.addAll(env);
    ServeProcess server =
        new ServeProcess(CliProcess.start(fullEnv, args.toArray(new String[0])), port);
    long deadline = System.currentTimeMillis() + 180_000;
    synchronized (server.output) {
      while (server.address == null
          && server.process.isAlive()
          && System.currentTimeMillis() < deadline) {
        server.output.wait(1000);
      }
    }
    assertThat(server.address)
        .as("server output:\n%s", server.output())
        .isEqualTo("sc://localhost:" + port);
    return server;
  }

  String address() {
    return address;
  }

  int port() {
    return port;
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  Process process() {
    return process;
  }

  /** SIGTERM, then checks the server said it stopped. */
  @Override
  public void close() throws Exception {
    if (!process.isAlive()) {
      return;
    }
    // SIGTERM; Process.destroy() would also close our end of its output before the last line.
    process.toHandle().destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    reader.join(10_000); // until it has read the last lines
    assertThat(output())
        .as("exit code %d", process.exitValue())
        .contains("lakehouse serve: stopped");
  }

  /** The server's health report ({@code GET /health} on {@code port}), which must be 200. */
  static JsonNode health(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** The repo's .venv Python (bin/setup --with-python). */
  static Path python() {
    Path python = CliProcess.repoRoot().resolve(".venv/bin/python");
    assertThat(python).as("the pyspark Connect client: run bin/setup --with-python").isExecutable();
    return python;
  }

  /**
   * Runs a client script of cli/src/test/python (one JSON object per line: name, ok, value or
   * error) and returns the results by name; {@code unsetEnv} are removed from its environment.
   */
  static Map<String, JsonNode> runClient(String script, List<String> args, List<String> unsetEnv)
      throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    unsetEnv.forEach(name -> env.put(name, null));
    String out = runPython(script, args, env);
    // Kept for reading when an attempt changes behaviour.
    Files.writeString(Path.of("target/" + script.replace(".py", "-results.jsonl")), out);
    return results(out);
  }

  /** Results of a client's output, one JSON object per line, by name. */
  static Map<String, JsonNode> results(String out) throws IOException {
    Map<String, JsonNode> results = new LinkedHashMap<>();
    for (String line : out.strip().split("\n")) {
      JsonNode node = JSON.readTree(line);
      results.put(node.get("name").asText(), node);
    }
    return results;
  }

  /**
   * Runs a script of cli/src/test/python with the .venv Python; {@code env} entries are set, or
   * removed when null. Returns stdout; fails with stderr unless it exits 0.
   */
  static String runPython(String script, List<String> args, Map<String, String> env)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(python().toString());
    command.add(CliProcess.repoRoot().resolve("cli/src/test/python/" + script).toString());
    command.addAll(args);
    return run(command, env);
  }

  /** Runs {@code command}; returns stdout, failing with stderr unless it exits 0. */
  static String run(List<String> command, Map<String, String> env) throws Exception {
    Path log = Files.createTempFile("serve-client-", ".log");
    Path stdout = Files.createTempFile("serve-client-", ".out");
    // stdout to a file, not a pipe: a client that hangs must not hang the test (and CI) with it.
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(log.toFile()).redirectOutput(stdout.toFile());
    env.forEach(
        (name, value) -> {
          if (value == null) {
            builder.environment().remove(name);
          } else {
            builder.environment().put(name, value);
          }
        });
    Process client = builder.start();
    if (!client.waitFor(10, TimeUnit.MINUTES)) {
      client.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(
          command.get(1)
              + " did not end within 10 minutes (killed); its last output: "
              + tail(stdout)
              + " stderr: "
              + tail(log));
    }
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    assertThat(client.exitValue())
        .as("%s stderr: %s", command.get(0), Files.readString(log))
        .isZero();
    return out;
  }

  private static String tail(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
  }

  /** The value of a result that must have succeeded, as text (JSON for non-text values). */
  static String value(Map<String, JsonNode> results, String name) {
    JsonNode result = results.get(name);
    assertThat(result).as(name).isNotNull();
    assertThat(result.get("ok").asBoolean()).as("%s failed: %s", name, result).isTrue();
    JsonNode value = result.get("value");
    return value.isTextual() ? value.asText() : value.toString();
  }

  /** The error of a result that must have failed. */
  static String error(Map<String, JsonNode> results, String name) {
    JsonNode result = results.get(name);
    assertThat(result).as(name).isNotNull();
    assertThat(result.get("ok").asBoolean()).as("%s was not refused: %s", name, result).isFalse();
    return result.get("error").asText();
  }
}
