package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lakehouse serve --users-file} as its own process with two analysts, each with a token of
 * their own, over gRPC with the pyspark Connect client (cli/src/test/python/serve_users_client.py):
 * tokens are checked and bound to user names, each user writes only into their own scratch
 * database, and every operation and refused call lands in the audit table.
 */
class ServeUsersTest extends SparkTestBase {
  private static final String ALICE_TOKEN = "alice-token-5f0c2a9e7b1d4c3a8e6f";
  private static final String BOB_TOKEN = "bob-token-9a8b7c6d5e4f3a2b1c0d";

  private static ZoneLayout layout;
  private static Path scratch;
  private static ServeProcess server;
  private static Map<String, JsonNode> results;

  @BeforeAll
  static void startServerAndRunClient() throws Exception {
    LakehouseConfig config = newHomeConfig("serve-users");
    layout = ZoneLayout.from(config);
    scratch = Path.of(config.home()).resolve("scratch");
    spark()
        .sql("SELECT id, concat('e', id) AS eupi, 'CT' AS Modality FROM range(5)")
        .write()
        .format("delta")
        .save(layout.table(Zone.DEIDENTIFIED, "study"));
    spark()
        .sql("SELECT id, 'MR' AS Modality FROM range(3)")
        .write()
        .format("delta")
        .save(layout.table(Zone.DEIDENTIFIED, "series"));
    spark()
        .sql("SELECT 'Jones^Ann' AS PatientName FROM range(2)")
        .write()
        .format("delta")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
    Path users =
        Files.writeString(
            Path.of(config.home()).resolve("serve-users"),
            "# analysts of the test\nalice:" + sha256(ALICE_TOKEN) + "\nbob:" + sha256(BOB_TOKEN));
    server =
        ServeProcess.start(
            List.of(),
            List.of("--home", config.home(), "--conf", "jobs.serve.audit-flush-ms=500"),
            List.of("--users-file", users.toString()));
    assertThat(server.output()).contains("2 users with their own tokens");
    results =
        ServeProcess.runClient(
            "serve_users_client.py",
            List.of(
                server.address(),
                ALICE_TOKEN,
                BOB_TOKEN,
                layout.root(Zone.IDENTIFIABLE),
                layout.root(Zone.DEIDENTIFIED),
                scratch.toString()),
            List.of("USER", "SPARK_USER"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void tokensAreCheckedAndBoundToTheirUsers() {
    assertThat(ServeProcess.error(results, "missing token"))
        .contains("UNAUTHENTICATED")
        .contains("missing token");
    assertThat(ServeProcess.error(results, "wrong token"))
        .contains("UNAUTHENTICATED")
        .contains("wrong token");
    assertThat(ServeProcess.error(results, "bob's token claiming alice"))
        .contains("PERMISSION_DENIED")
        .contains("the token is bob's, but the request says user_id alice");
    assertThat(ServeProcess.value(results, "alice without user_id")).isEqualTo("5");
    assertThat(ServeProcess.value(results, "alice count study")).isEqualTo("5");
    assertThat(ServeProcess.value(results, "bob count series")).isEqualTo("3");
  }

  @Test
  void eachUserWritesOnlyIntoTheirOwnScratchDatabase() {
    for (String write : List.of("alice CTAS", "alice INSERT", "alice saveAsTable", "bob CTAS")) {
      ServeProcess.value(results, write);
    }
    assertThat(ServeProcess.value(results, "alice reads her cohort")).isEqualTo("5");
    assertThat(ServeProcess.value(results, "alice reads her copy")).isEqualTo("3");
    assertThat(ServeProcess.value(results, "bob reads his cohort")).isEqualTo("1");
    ServeProcess.value(results, "alice drops her copy");
    assertThat(scratch.resolve("alice/cohort/_delta_log")).isDirectory();
    assertThat(scratch.resolve("bob/cohort/_delta_log")).isDirectory();
    assertThat(scratch.resolve("alice/series_copy")).doesNotExist();
    Map<String, String> escapes =
        Map.ofEntries(
            Map.entry("escape: alice writes bob's scratch", "you write only into scratch_alice"),
            Map.entry(
                "escape: alice saveAsTable into bob's scratch",
                "you write only into scratch_alice"),
            Map.entry("escape: alice reads bob's cohort", "which is outside"),
            Map.entry("escape: alice reads bob's cohort by path", "which is outside"),
            Map.entry("escape: alice drops bob's cohort", "you write only into scratch_alice"),
            Map.entry(
                "escape: alice lists bob's scratch",
                "Refused: ShowTables of a table outside the served databases"),
            Map.entry("escape: alice writes deidentified", "you write only into scratch_alice"),
            Map.entry(
                "escape: alice inserts into deidentified", "you write only into scratch_alice"),
            Map.entry("escape: scratch table with a location", "names its own location"),
            Map.entry(
                "escape: scratch table in parquet",
                "Refused: CreateDataSourceTableAsSelectCommand writes or changes something"),
            Map.entry("escape: scratch copy of identifiable", "which is outside"),
            Map.entry(
                "escape: alice's scratch by path write",
                "Refused: SaveIntoDataSourceCommand writes or changes something"),
            Map.entry("escape: read the audit table", "is the server's audit table"));
    assertThat(results.keySet().stream().filter(name -> name.startsWith("escape: ")))
        .containsExactlyInAnyOrderElementsOf(escapes.keySet());
    escapes.forEach(
        (name, reason) ->
            assertThat(ServeProcess.error(results, name))
                .as(name)
                .contains(reason)
                .doesNotContain("Jones"));
    assertThat(scratch.resolve("bob/x")).doesNotExist();
    assertThat(scratch.resolve("alice/direct")).doesNotExist();
  }

  @Test
  void everyOperationAndRefusedCallIsAudited() throws Exception {
    List<Row> rows = auditRows(Duration.ofSeconds(60));
    Map<String, List<Row>> byUser =
        rows.stream().collect(Collectors.groupingBy(r -> r.getAs("user")));
    assertThat(byUser.keySet()).contains("alice", "bob", "");
    assertThat(rows).allSatisfy(r -> assertThat(r.<Boolean>getAs("verified")).isTrue());
    Row aliceCount = statement(byUser.get("alice"), "SELECT count(*) FROM deidentified.study");
    assertThat(aliceCount.<String>getAs("outcome")).isEqualTo("ok");
    Row bobCtas = statement(byUser.get("bob"), "CREATE TABLE scratch_bob.cohort");
    assertThat(bobCtas.<String>getAs("outcome")).isEqualTo("ok");
    Row refused = statement(byUser.get("alice"), "CREATE TABLE scratch_bob.x");
    assertThat(refused.<String>getAs("outcome")).isEqualTo("refused");
    assertThat(refused.<String>getAs("error")).contains("you write only into scratch_alice");
    Row identifiable = statement(byUser.get("alice"), "/instances");
    assertThat(identifiable.<String>getAs("outcome")).isEqualTo("refused");
    assertThat(byUser.get(""))
        .anySatisfy(r -> assertThat(r.<String>getAs("error")).startsWith("missing token"))
        .anySatisfy(r -> assertThat(r.<String>getAs("error")).startsWith("wrong token"));
    assertThat(byUser.get("bob"))
        .anySatisfy(
            r ->
                assertThat(r.<String>getAs("error"))
                    .contains("the token is bob's, but the request says user_id alice"));
    assertThat(rows.stream().map(Row::toString).collect(Collectors.joining("\n")))
        .doesNotContain("Jones");
  }

  private static Row statement(List<Row> rows, String text) {
    assertThat(rows).as("audit rows").isNotNull();
    return rows.stream()
        .filter(r -> r.<String>getAs("statement") != null)
        .filter(r -> r.<String>getAs("statement").contains(text))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no audit row with " + text + " in " + rows));
  }

  /** The audit rows once the server has written those of the client's last statement. */
  private static List<Row> auditRows(Duration timeout) throws Exception {
    String location = layout.table(Zone.DEIDENTIFIED, "serve_audit");
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Row> rows = List.of();
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(Path.of(location, "_delta_log"))) {
        rows = spark().read().format("delta").load(location).collectAsList();
        if (rows.stream()
            .anyMatch(
                r ->
                    r.<String>getAs("statement") != null
                        && r.<String>getAs("statement").contains("serve_audit"))) {
          return rows;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the audit table has no row of the last statement: " + rows);
  }
}
