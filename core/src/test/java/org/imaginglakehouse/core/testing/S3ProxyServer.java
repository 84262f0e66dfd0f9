package org.imaginglakehouse.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server for tests: S3Proxy's jar-with-dependencies from Maven Central ({@code
 * org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies}, fetched into the local Maven repository by
 * {@code bin/setup}, or here on first use) run as a separate process on 127.0.0.1 with a filesystem
 * backend under a temporary directory. Buckets are directories under {@link #dataDir()}.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
 *   s3.createBucket("pacs");
 *   config.flag("s3.endpoint", s3.endpoint()); // plus s3.access/secret via s3.hadoopConf()
 * }
 * }</pre>
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String VERSION = "2.6.0";
  public static final String ACCESS_KEY = "lakehouse-test";
  public static final String SECRET_KEY = "lakehouse-test-secret";

  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path log;

  private S3ProxyServer(Process process, int port, Path dataDir, Path log) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
  }

  /** Location of the jar in the local Maven repository. */
  public static Path jar() {
    String repo =
        System.getProperty(
            "maven.repo.local",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    return Path.of(
        repo, "org/gaul/s3proxy", VERSION, "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
  }

  /** Fetches the jar with Maven when it is not in the local repository yet. */
  public static Path ensureJar() {
    Path jar = jar();
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    try {
      Process mvn =
          new ProcessBuilder(
                  "mvn",
                  "-B",
                  "-q",
                  "-ntp",
                  "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get",
                  "-Dartifact=org.gaul:s3proxy:" + VERSION + ":jar:jar-with-dependencies",
                  "-Dtransitive=false")
              .inheritIO()
              .start();
      if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0 || !Files.isRegularFile(jar)) {
        mvn.destroyForcibly();
        throw new IllegalStateException(
            "Could not fetch S3Proxy "
                + VERSION
                + " into "
                + jar
                + ": run bin/setup (needs Maven Central)");
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run mvn to fetch S3Proxy", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts S3Proxy with its data under {@code workDir}; waits until it answers. */
  public static S3ProxyServer start(Path workDir) {
    Path jar = ensureJar();
    try {
      Path data = Files.createDirectories(workDir.resolve("s3proxy-data"));
      int port = freePort();
      Path properties = workDir.resolve("s3proxy.properties");
      Files.writeString(
          properties,
          String.join(
              "\n",
              "s3proxy.endpoint=http://127.0.0.1:" + port,
              "s3proxy.authorization=aws-v2-or-v4",
              "s3proxy.identity=" + ACCESS_KEY,
              "s3proxy.credential=" + SECRET_KEY,
              "jclouds.provider=filesystem",
              "jclouds.filesystem.basedir=" + data,
              ""),
          StandardCharsets.UTF_8);
      Path log = workDir.resolve("s3proxy.log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      command.add("-jar");
      command.add(jar.toString());
      command.add("--properties");
      command.add(properties.toString());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      S3ProxyServer server = new S3ProxyServer(process, port, data, log);
      server.awaitReady(Duration.ofSeconds(60));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start S3Proxy", e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited at start; log:\n" + logText());
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        int code = c.getResponseCode();
        c.disconnect();
        if (code > 0) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException(
        "S3Proxy did not answer within " + timeout + "; log:\n" + logText());
  }

  private String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Filesystem backend root: bucket {@code b} is directory {@code dataDir()/b}. */
  public Path dataDir() {
    return dataDir;
  }

  /** Creates a bucket (a directory of the filesystem backend). */
  public void createBucket(String bucket) {
    try {
      Files.createDirectories(dataDir.resolve(bucket));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Config flags for a lakehouse using this server ({@code s3.*} and the S3A settings that the
   * server needs).
   */
  public java.util.Map<String, String> configFlags() {
    java.util.Map<String, String> flags = new java.util.LinkedHashMap<>();
    flags.put("s3.endpoint", endpoint());
    flags.put("s3.path-style-access", "true");
    flags.put("spark.conf.spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
    flags.put("spark.conf.spark.hadoop.fs.s3a.secret.key", SECRET_KEY);
    flags.put(
        "spark.conf.spark.hadoop.fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return flags;
  }

  /**
   * The Hadoop S3A settings that reach this server from a test's running Spark session: set them on
   * the session's Hadoop configuration, unset them before the server stops.
   */
  public java.util.Map<String, String> hadoopSettings() {
    return java.util.Map.of(
        "fs.s3a.endpoint", endpoint(),
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.access.key", ACCESS_KEY,
        "fs.s3a.secret.key", SECRET_KEY,
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.impl.disable.cache", "true");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
