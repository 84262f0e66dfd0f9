package org.imaginglakehouse.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests (Debian's {@code postgresql-15} binaries): {@code initdb} into
 * a fresh temporary directory and {@code pg_ctl start} on a free port of 127.0.0.1 with password
 * authentication. PostgreSQL refuses to run as root, so when the tests run as root the server runs
 * as the {@code postgres} OS user ({@code runuser}) in a directory it owns. {@link #close()} stops
 * the server ({@code pg_ctl stop -m fast}) and deletes the directory; a shutdown hook does the same
 * if a test JVM exits without closing.
 *
 * <pre>
 * try (PostgresServer pg = PostgresServer.start()) {
 *   pg.execute("CREATE TABLE t (id int)");
 *   String url = pg.jdbcUrl();   // jdbc:postgresql://127.0.0.1:PORT/postgres
 * }
 * </pre>
 *
 * Binaries: {@code $LAKEHOUSE_PG_BIN}, else {@code /usr/lib/postgresql/15/bin}.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String DEFAULT_BIN = "/usr/lib/postgresql/15/bin";
  public static final String USER = "lakehouse_test";
  private static final String OS_USER = "postgres";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final String password;
  private final boolean asRoot;
  private final Thread shutdownHook;
  private boolean running;

  private PostgresServer(Path bin, Path dir, int port, String password, boolean asRoot) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.password = password;
    this.asRoot = asRoot;
    this.shutdownHook = new Thread(this::stopQuietly, "postgres-test-server-stop");
  }

  /** Initialises and starts a new server; fails with what to install when it cannot. */
  public static PostgresServer start() {
    String configured = System.getenv("LAKEHOUSE_PG_BIN");
    Path bin = Path.of(configured != null && !configured.isBlank() ? configured : DEFAULT_BIN);
    if (!Files.isExecutable(bin.resolve("initdb")) || !Files.isExecutable(bin.resolve("pg_ctl"))) {
      throw new IllegalStateException(
          "PostgreSQL server binaries not found in "
              + bin
              + ": install Debian's postgresql-15 (apt-get install postgresql-15) or set"
              + " LAKEHOUSE_PG_BIN to the directory holding initdb and pg_ctl");
    }
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    byte[] secret = new byte[12];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    PostgresServer server;
    try {
      Path dir = Files.createTempDirectory("lakehouse-pg-");
      server = new PostgresServer(bin, dir, freePort(), password, asRoot);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create a directory for PostgreSQL: " + e, e);
    }
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.initAndStart();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void initAndStart() {
    try {
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
      if (asRoot) {
        run(List.of("chown", "-R", OS_USER + ":" + OS_USER, dir.toString()), 30);
      }
      run(
          asOsUser(
              bin.resolve("initdb").toString(),
              "-D",
              data.toString(),
              "-U",
              USER,
              "--pwfile",
              pwfile.toString(),
              "-A",
              "scram-sha-256",
              "-E",
              "UTF8",
              "--locale=C",
              "--no-sync"),
          120);
      Files.deleteIfExists(pwfile);
      run(
          asOsUser(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-t",
              "60",
              "-o",
              "-p "
                  + port
                  + " -k "
                  + dir
                  + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                  + " -c full_page_writes=off -c max_connections=20 -c shared_buffers=16MB",
              "start"),
          90);
      running = true;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start PostgreSQL in " + dir + ": " + e, e);
    }
  }

  private List<String> asOsUser(String... command) {
    List<String> out = new ArrayList<>();
    if (asRoot) {
      out.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private void run(List<String> command, int timeoutSeconds) throws IOException {
    Path log = Files.createTempFile("lakehouse-pg-cmd-", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "Timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
      }
      if (process.exitValue() != 0) {
        String serverLog = "";
        Path server = dir.resolve("server.log");
        if (Files.exists(server)) {
          serverLog = "\nserver.log:\n" + Files.readString(server, StandardCharsets.UTF_8);
        }
        throw new IllegalStateException(
            String.join(" ", command)
                + " exited with "
                + process.exitValue()
                + ":\n"
                + Files.readString(log, StandardCharsets.UTF_8)
                + serverLog);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted: " + String.join(" ", command), e);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  /** JDBC URL of database {@code postgres}. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, password);
  }

  /** Runs statements in database {@code postgres} (one transaction per statement). */
  public void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL statement failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // JVM already shutting down: the hook is running this.
    }
  }

  private synchronized void stopQuietly() {
    if (running) {
      try {
        run(
            asOsUser(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-m",
                "fast",
                "-w",
                "stop"),
            60);
      } catch (IOException | RuntimeException e) {
        System.err.println("Could not stop test PostgreSQL in " + dir + ": " + e.getMessage());
      }
      running = false;
    }
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("Could not delete " + root + ": " + e.getMessage());
    }
  }
}
