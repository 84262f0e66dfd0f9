package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.cli.serve.SqlServer;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lakehouse serve} as its own process and the pyspark Connect client of the repo's .venv
 * (bin/setup --with-python) over gRPC: allowed queries agree with direct reads, and every escape
 * attempt of cli/src/test/python/serve_client.py is refused.
 */
class ServeEscapeTest extends SparkTestBase {
  private static final String TOKEN = "serve-test-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String OUTSIDE = "which is outside the zones deidentified";
  private static final String NOT_DELTA = "which is not a Delta table of the zones deidentified";
  private static final String READ_ONLY =
      "writes or changes something, and this endpoint is read-only";
  private static final String CLIENT_CODE = "would run code sent by the client on the server";
  private static final String ARTIFACTS = "Refused: uploading artifacts";

  /** Escape attempts of serve_client.py and the reason each must be refused with. */
  private static final String[][] ESCAPES = {
    {"escape: identifiable.instances", "TABLE_OR_VIEW_NOT_FOUND"},
    {"escape: project not granted", "TABLE_OR_VIEW_NOT_FOUND"},
    {"escape: path of a project not granted", OUTSIDE},
    {"escape: table identifiable.instances", "TABLE_OR_VIEW_NOT_FOUND"},
    {"escape: read.load identifiable path", OUTSIDE},
    {"escape: delta.`identifiable path`", OUTSIDE},
    {"escape: parquet files of identifiable", NOT_DELTA},
    {"escape: read.text /etc/passwd", NOT_DELTA},
    {"escape: json of a served table log", NOT_DELTA},
    {"escape: second session identifiable path", OUTSIDE},
    {"escape: CREATE TABLE", "Refused: CreateTable " + READ_ONLY},
    {"escape: CREATE TABLE AS identifiable", "Refused: CreateTableAsSelect " + READ_ONLY},
    {"escape: INSERT", "Refused: AppendData " + READ_ONLY},
    {"escape: DELETE", "Refused: DeleteCommand " + READ_ONLY},
    {"escape: DataFrame write to a path", "Refused: SaveIntoDataSourceCommand " + READ_ONLY},
    {"escape: saveAsTable", "Refused: SaveAsV1TableCommand " + READ_ONLY},
    {"escape: CREATE TABLE over identifiable location", "Refused: CreateTable " + READ_ONLY},
    {"escape: temp view USING parquet path", "Refused: CreateTempViewUsing " + READ_ONLY},
    {"escape: ADD JAR", "Refused: AddJarsCommand " + READ_ONLY},
    {"escape: DROP TABLE", "Refused: DropTable " + READ_ONLY},
    {"escape: CACHE TABLE", "Refused: CacheTable " + READ_ONLY},
    {"escape: reflect", "Refused: reflect " + CLIENT_CODE},
    {"escape: python UDF", CLIENT_CODE},
    {"escape: python UDTF", "Refused: pythonudtf " + CLIENT_CODE},
    // Refused at registration (ConnectRequestGuard); the server has no Python to start anyway.
    {"escape: python data source", "Refused: registering a Python data source"},
    {"escape: TRANSFORM script", "Refused: ScriptTransformation " + CLIENT_CODE},
    {"escape: DESCRIBE identifiable path", "Refused: DescribeRelation of a table outside"},
    // Spark opens a JDBC source before the plan check: refused before Spark sees the read, and no
    // JDBC connection provider is left for the other ways (the client counts connections).
    {"escape: read.jdbc", "Refused: a read of format 'jdbc' is not served"},
    {"escape: format jdbc", "Refused: a read of format 'jdbc' is not served"},
    {"escape: format by class name", "Refused: a read of format 'org.apache.spark.sql.exec"},
    {"escape: temp view USING jdbc", "Refused: CreateTempViewUsing " + READ_ONLY},
    // A JDBC catalog set by the client (were it not refused, Spark would find no connection
    // provider either: SqlServer disables them all).
    {"escape: JDBC catalog", "Refused: setting spark.sql.catalog.* would plug"},
    {"escape: JDBC catalog with SQL SET", "Refused: setting spark.sql.catalog.* would plug"},
    // Artifacts would land on the server (the test also looks for them there).
    {"escape: addArtifacts pyfile", ARTIFACTS},
    {"escape: addArtifacts jar", ARTIFACTS},
    {"escape: addArtifacts file", ARTIFACTS},
    // Plan-only requests (AnalyzePlan) analyse the plan in the client's session: same check.
    {"escape: schema of identifiable.instances", "TABLE_OR_VIEW_NOT_FOUND"},
    {"escape: columns of an identifiable path", OUTSIDE},
    {"escape: explain of an identifiable path", OUTSIDE},
    {"escape: explain of delta.`identifiable path`", OUTSIDE},
    {"escape: printSchema of an identifiable path", OUTSIDE},
    {"escape: isStreaming of an identifiable path", OUTSIDE},
    {"escape: inputFiles of an identifiable path", OUTSIDE},
    {"escape: semanticHash of an identifiable path", OUTSIDE},
    {"escape: schema of parquet files of identifiable", NOT_DELTA},
    // Cohorts name their creator: a shared token names nobody.
    {"escape: cohort with a shared token", "saving a cohort needs a per-user token"},
  };

  private static ZoneLayout layout;
  private static String home;
  private static ServeProcess server;
  private static Path certificate;
  private static int healthPort;

  @BeforeAll
  static void startServer() throws Exception {
    LakehouseConfig config = newHomeConfig("serve");
    home = config.home();
    layout = ZoneLayout.from(config);
    write(
        "SELECT id, concat('e', id) AS eupi, 'CT' AS Modality FROM range(5)",
        Zone.DEIDENTIFIED,
        "study");
    write("SELECT id, 'MR' AS Modality FROM range(3)", Zone.DEIDENTIFIED, "series");
    write("SELECT 'Jones^Ann' AS PatientName FROM range(2)", Zone.IDENTIFIABLE, "instances");
    for (String project : List.of("granted", "other")) {
      spark()
          .sql("SELECT id FROM range(4)")
          .write()
          .format("delta")
          .save(layout.projectTable(project, "files"));
    }
    Path keystore = certificate(Path.of(home));
    healthPort = ServeProcess.freePort();
    server =
        ServeProcess.start(
            List.of(
                "LAKEHOUSE_SERVE_TOKEN=" + TOKEN, "LAKEHOUSE_SERVE_TLS_PASSWORD=" + TLS_PASSWORD),
            List.of("--home", home),
            List.of(
                "--grant-project",
                "granted",
                "--tls-keystore",
                keystore.toString(),
                "--health-port",
                Integer.toString(healthPort)));
    assertThat(server.output()).contains("TLS: connect with ;use_ssl=true");
  }

  private static final String TLS_PASSWORD = "serve-test-keystore";

  /** A self-signed certificate for localhost made with keytool; its PEM is {@link #certificate}. */
  private static Path certificate(Path dir) throws Exception {
    Path keystore = dir.resolve("serve.p12");
    certificate = dir.resolve("serve.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    ServeProcess.run(
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "serve",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            TLS_PASSWORD,
            "-keypass",
            TLS_PASSWORD),
        Map.of());
    ServeProcess.run(
        List.of(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "serve",
            "-keystore",
            keystore.toString(),
            "-storepass",
            TLS_PASSWORD,
            "-file",
            certificate.toString()),
        Map.of());
    return keystore;
  }

  private static void write(String sql, Zone zone, String table) {
    spark().sql(sql).write().format("delta").save(layout.table(zone, table));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void allowedQueriesAnswerAndEveryEscapeIsRefused() throws Exception {
    Map<String, JsonNode> results = clientResults();
    for (String attempt : List.of("wrong token", "missing token")) {
      assertThat(results.get(attempt).get("ok").asBoolean()).as(attempt).isFalse();
      assertThat(results.get(attempt).get("error").asText()).contains("UNAUTHENTICATED");
    }
    assertThat(value(results, "count deidentified.study")).isEqualTo("5");
    assertThat(value(results, "DataFrame deidentified.series")).isEqualTo("3");
    assertThat(value(results, "path read of a served table")).isEqualTo("5");
    assertThat(value(results, "our SQL function")).isEqualTo("45.0");
    assertThat(value(results, "show tables")).isEqualTo("[\"series\",\"study\"]");
    assertThat(value(results, "temp view")).isEqualTo("5");
    assertThat(value(results, "second session count")).isEqualTo("5");
    assertThat(value(results, "granted project")).isEqualTo("4");
    assertThat(value(results, "cached local relation")).isEqualTo("2000");
    assertThat(value(results, "connections to the JDBC listener")).isEqualTo("0");
    assertThat(uploaded()).as("artifacts on the server").isEmpty();
    assertThat(value(results, "schema of a served table"))
        .isEqualTo("[\"id\",\"eupi\",\"Modality\"]");
    Map<String, String> escapes = new LinkedHashMap<>();
    for (String[] row : ESCAPES) {
      escapes.put(row[0], row[1]);
    }
    assertThat(results.keySet().stream().filter(name -> name.startsWith("escape: ")))
        .containsExactlyInAnyOrderElementsOf(escapes.keySet());
    escapes.forEach(
        (name, reason) -> {
          JsonNode result = results.get(name);
          assertThat(result.get("ok").asBoolean())
              .as("%s was not refused: %s", name, result)
              .isFalse();
          assertThat(result.get("error").asText())
              .as(name)
              .contains(reason)
              .doesNotContain("Jones");
        });
  }

  @Test
  void aServerWhoseEnvironmentNamesAPythonDoesNotStart() throws Exception {
    CliProcess.Result run =
        CliProcess.run(
            List.of("PYSPARK_PYTHON=python3", "PYSPARK_DRIVER_PYTHON=" + SqlServer.NO_PYTHON),
            "--home",
            home,
            "serve",
            "--port",
            "0");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(new String(run.bytes(), StandardCharsets.UTF_8))
        .contains("lakehouse serve runs no client Python");
  }

  @Test
  void aTakenPortIsRefusedWithTheReason() throws Exception {
    CliProcess.Result run =
        CliProcess.run(
            ServeProcess.NO_PYTHON_ENV,
            "--home",
            home,
            "serve",
            "--port",
            Integer.toString(server.port()));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(new String(run.bytes(), StandardCharsets.UTF_8))
        .contains("Port " + server.port() + " on 127.0.0.1 is taken");
  }

  @Test
  void aNonLoopbackAddressNeedsAToken() throws Exception {
    CliProcess.Result run =
        CliProcess.run(
            ServeProcess.NO_PYTHON_ENV,
            "--home",
            home,
            "serve",
            "--bind",
            "0.0.0.0",
            "--port",
            "0");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(new String(run.bytes(), StandardCharsets.UTF_8))
        .contains("Refusing to serve on 0.0.0.0 without a token");
  }

  /**
   * pyspark's {@code spark.stop()} releases its session: the server closes it to the end (Spark
   * Connect posts its session-closed event, counted by the health check, as the last step of the
   * clean-up), the same session id is then refused rather than re-created, and no error is logged.
   */
  @Test
  void aReleasedSessionIsClosedOnTheServer() throws Exception {
    Map<String, JsonNode> results = clientResults();
    assertThat(results.get("release: stop").get("ok").asBoolean())
        .as("%s", results.get("release: stop"))
        .isTrue();
    assertThat(ServeProcess.error(results, "release: same session id after stop"))
        .contains("INVALID_HANDLE.SESSION_CLOSED");
    assertThat(value(results, "release: a new session after stop")).isEqualTo("1");
    // The event reaches the listener asynchronously: wait for it a little.
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode health = ServeProcess.health(healthPort);
    while (health.get("sessions_closed").asLong() == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      health = ServeProcess.health(healthPort);
    }
    assertThat(health.get("sessions_closed").asLong()).as("%s", health).isGreaterThanOrEqualTo(1);
    assertThat(health.get("sessions_open").asLong()).as("%s", health).isGreaterThanOrEqualTo(1);
    assertThat(server.output()).doesNotContain("NoClassDefFoundError").doesNotContain("ml.util");
  }

  private static Map<String, JsonNode> clientResults;

  /** The client's results, run once for the tests that read them. */
  private static synchronized Map<String, JsonNode> clientResults() throws Exception {
    if (clientResults == null) {
      clientResults = runClient();
    }
    return clientResults;
  }

  private static String value(Map<String, JsonNode> results, String name) {
    return ServeProcess.value(results, name);
  }

  /** The artifact the client tries to upload: a name of this run only, a .py and a .jar. */
  private static Path artifact;

  /**
   * Files named like {@link #artifact} in Spark's artifact directories ({@code
   * <java.io.tmpdir>/artifacts-<uuid>/<session>/...}, of every server on this machine).
   */
  private static List<Path> uploaded() throws Exception {
    String stem = artifact.getFileName().toString().replace(".py", "");
    List<Path> found = new java.util.ArrayList<>();
    try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      for (Path dir :
          dirs.filter(d -> d.getFileName().toString().startsWith("artifacts-")).toList()) {
        try (var files = Files.walk(dir, 6)) {
          files.filter(f -> f.getFileName().toString().startsWith(stem)).forEach(found::add);
        } catch (java.io.UncheckedIOException e) {
          // another server's directory went away meanwhile
        }
      }
    }
    return found;
  }

  /** The client over TLS, trusting the test's certificate (gRPC's roots file variable). */
  private static Map<String, JsonNode> runClient() throws Exception {
    String stem = "escape_artifact_" + Long.toHexString(System.nanoTime());
    artifact = Path.of(home).resolve(stem + ".py");
    Files.writeString(artifact, "print(open('/etc/hostname').read())\n");
    Files.write(Path.of(home).resolve(stem + ".jar"), new byte[] {'P', 'K', 5, 6});
    String out =
        ServeProcess.runPython(
            "serve_client.py",
            List.of(
                server.address(),
                TOKEN,
                Path.of(layout.root(Zone.IDENTIFIABLE)).toAbsolutePath().toString(),
                Path.of(layout.root(Zone.DEIDENTIFIED)).toAbsolutePath().toString(),
                Path.of(layout.root(Zone.PROJECTS)).toAbsolutePath().toString(),
                ";use_ssl=true"),
            Map.of(
                "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
                certificate.toString(),
                "ESCAPE_ARTIFACT",
                artifact.toString()));
    Files.writeString(Path.of("target/serve_client-results.jsonl"), out);
    return ServeProcess.results(out);
  }

  @Test
  void thePortSpeaksOnlyTls() throws Exception {
    try (java.net.Socket plain = new java.net.Socket("127.0.0.1", server.port())) {
      plain.setSoTimeout(30_000);
      plain
          .getOutputStream()
          .write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      plain.getOutputStream().flush();
      int first = plain.getInputStream().read();
      // Either the connection closes or a TLS alert record (content type 21) comes back: never
      // an HTTP/2 answer from Spark Connect.
      assertThat(first).isIn(-1, 21);
    }
  }
}
