package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.synth.GroundTruth;
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
  private static String home;
  private static Path scratch;
  private static GroundTruth truth;
  private static ServeProcess server;
  private static Map<String, JsonNode> results;
  private static int healthPort;

  @BeforeAll
  static void startServerAndRunClient() throws Exception {
    pipeline();
    Path users =
        Files.writeString(
            Path.of(home).resolve("serve-users"),
            "# analysts of the test\nalice:" + sha256(ALICE_TOKEN) + "\nbob:" + sha256(BOB_TOKEN));
    healthPort = ServeProcess.freePort();
    server =
        ServeProcess.start(
            List.of(),
            List.of("--home", home, "--conf", "jobs.serve.audit-flush-ms=500"),
            List.of(
                "--users-file", users.toString(), "--health-port", Integer.toString(healthPort)));
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

  /**
   * The synthetic PACS through the commands docs/cohorts.md lists (in this JVM, as CliTest runs
   * them): synth, ingest, promote and link of both datasets with the generator's EUPI mapping.
   */
  private static void pipeline() throws Exception {
    Path pacs = tempDir.resolve("serve-pacs");
    var config = newHomeConfig("serve-users");
    home = config.home();
    layout = ZoneLayout.from(config);
    scratch = Path.of(home).resolve("scratch");
    lakehouse(
        "synth",
        "--out",
        pacs.toString(),
        "--patients",
        "60",
        "--seed",
        "7",
        "--images-scale",
        "0.1",
        "--pixel-size",
        "TINY",
        "--threads",
        "1",
        "--no-parquet");
    truth = GroundTruth.read(pacs);
    Path linked = truth.linkedDir();
    String[] mapping = {
      "--conf",
      "pseudonym.source=csv",
      "--conf",
      "pseudonym.location=" + linked.resolve("chi_eupi.csv")
    };
    lakehouse("ingest", "--source", truth.dicomRoot().toString());
    lakehouse(mapping, "promote");
    for (String dataset : List.of("prescribing", "smr06")) {
      lakehouse(
          mapping,
          "link",
          "--dataset",
          dataset,
          "--source",
          linked.resolve(dataset + ".csv").toString());
    }
  }

  private static void lakehouse(String... args) {
    lakehouse(new String[0], args);
  }

  /**
   * {@code lakehouse --home HOME [global] args} in this JVM; fails with its output unless it
   * succeeded (0) or recorded rejections (3: the synthetic PACS has junk files and bad CHIs).
   */
  private static void lakehouse(String[] global, String... args) {
    List<String> all = new ArrayList<>(List.of("--home", home));
    all.addAll(List.of(global));
    all.addAll(List.of(args));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
    int code = LakehouseCli.run(all.toArray(String[]::new), print, print, Map.of());
    assertThat(code).as("lakehouse %s: %s", all, out.toString(StandardCharsets.UTF_8)).isIn(0, 3);
  }

  private static long count(String table) {
    return spark().read().format("delta").load(layout.table(Zone.DEIDENTIFIED, table)).count();
  }

  /** Identifying values that must never reach a client, an error or the audit: the CHIs. */
  private static void assertNoIdentifiers(String text) {
    truth.patients().forEach(p -> assertThat(text).doesNotContain(p.chi()));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close(); // SIGTERM: says it stopped
      assertThatThrownBy(() -> health()).isInstanceOf(java.net.ConnectException.class);
    }
  }

  private static HttpResponse<String> health() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theHealthCheckAnswersWhileTheServerRuns() throws Exception {
    assertThat(server.output()).contains("Health: http://127.0.0.1:" + healthPort + "/health");
    HttpResponse<String> response = health();
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("ok");
    assertThat(body.get("connect").asText()).isEqualTo(server.address());
    assertThat(body.get("users").asInt()).isEqualTo(2);
    assertThat(body.get("tables").asInt()).isGreaterThanOrEqualTo(5);
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
    String studies = Long.toString(count("study"));
    assertThat(ServeProcess.value(results, "alice without user_id")).isEqualTo(studies);
    assertThat(ServeProcess.value(results, "alice count study")).isEqualTo(studies);
    assertThat(ServeProcess.value(results, "bob count series"))
        .isEqualTo(Long.toString(count("series")));
  }

  @Test
  void eachUserWritesOnlyIntoTheirOwnScratchDatabase() {
    for (String write : List.of("alice CTAS", "alice INSERT", "alice saveAsTable", "bob CTAS")) {
      ServeProcess.value(results, write);
    }
    assertThat(ServeProcess.value(results, "alice reads her cohort")).isEqualTo("5");
    assertThat(ServeProcess.value(results, "alice reads her copy"))
        .isEqualTo(Long.toString(count("series")));
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
            Map.entry("escape: read the audit table", "is the server's audit table"),
            Map.entry("escape: bob replaces alice's cohort", "was made by someone else"),
            Map.entry("escape: cohort of identifiable.instances", "TABLE_OR_VIEW_NOT_FOUND"),
            Map.entry("escape: cohort of an identifiable path", "which is outside"),
            Map.entry("escape: cohort of the audit table", "is the server's audit table"),
            Map.entry(
                "escape: cohort of a scratch table", "Cohorts may only read deidentified tables"),
            Map.entry("escape: cohort SQL as a command", "must be a single query"),
            Map.entry("escape: cohort SQL calling Java", "would run code sent by the client"),
            Map.entry("escape: cohort SQL saving a cohort", "must be a single query"),
            Map.entry("escape: schema of an identifiable path", "which is outside"));
    assertThat(results.keySet().stream().filter(name -> name.startsWith("escape: ")))
        .containsExactlyInAnyOrderElementsOf(escapes.keySet());
    escapes.forEach(
        (name, reason) -> assertThat(ServeProcess.error(results, name)).as(name).contains(reason));
    assertNoIdentifiers(results.toString());
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
    Row cohort = statement(byUser.get("alice"), "create_cohort(name => \\'serve_studies\\'");
    assertThat(cohort.<String>getAs("outcome")).isEqualTo("ok");
    assertThat(cohort.<String>getAs("kind")).isEqualTo("execute");
    assertThat(cohort.<String>getList(cohort.fieldIndex("tables")))
        .singleElement()
        .satisfies(t -> assertThat(t).endsWith("deidentified.study"));
    Row replaced = statement(byUser.get("bob"), "CALL lakehouse.create_cohort(");
    assertThat(replaced.<String>getAs("outcome")).isEqualTo("refused");
    for (String bad : List.of("bad_command", "bad_identifiable", "bad_audit", "bad_scratch")) {
      Row row = statement(byUser.get("alice"), "create_cohort(name => \\'" + bad + "\\'");
      assertThat(row.<String>getAs("outcome")).as(bad).isEqualTo("refused");
    }
    // Plan-only requests (df.columns, df.schema): kind analyze, with the tables they read.
    List<Row> analyzed =
        byUser.get("alice").stream().filter(r -> "analyze".equals(r.getAs("kind"))).toList();
    assertThat(analyzed)
        .anySatisfy(
            r -> {
              assertThat(r.<String>getAs("outcome")).isEqualTo("ok");
              assertThat(r.<String>getList(r.fieldIndex("tables")))
                  .anySatisfy(t -> assertThat(t).endsWith("deidentified.study"));
            })
        .anySatisfy(
            r -> {
              assertThat(r.<String>getAs("outcome")).isEqualTo("refused");
              assertThat(r.<String>getAs("statement")).contains("/instances");
              assertThat(r.<String>getAs("error")).contains("which is outside");
            });
    assertThat(byUser.get(""))
        .anySatisfy(r -> assertThat(r.<String>getAs("error")).startsWith("missing token"))
        .anySatisfy(r -> assertThat(r.<String>getAs("error")).startsWith("wrong token"));
    assertThat(byUser.get("bob"))
        .anySatisfy(
            r ->
                assertThat(r.<String>getAs("error"))
                    .contains("the token is bob's, but the request says user_id alice"));
    assertNoIdentifiers(rows.stream().map(Row::toString).collect(Collectors.joining("\n")));
  }

  @Test
  void analystsSaveCohortsAsTheCohortCommandDoes() throws Exception {
    assertThat(ServeProcess.value(results, "alice saves a cohort"))
        .contains("cohort serve_studies: ")
        .contains("by alice")
        .contains("deidentified.study VERSION AS OF ");
    ServeProcess.value(results, "alice saves a cohort at study level");
    assertThat(ServeProcess.error(results, "alice passes parameter markers"))
        .contains("argument name must be a literal");
    ServeProcess.value(results, "alice replaces her cohort");
    long studies = count("study");
    assertThat(ServeProcess.value(results, "alice reads the cohort's members"))
        .isEqualTo(Long.toString(studies));
    assertThat(ServeProcess.value(results, "alice reads the cohort's creator")).isEqualTo("alice");
    assertThat(ServeProcess.value(results, "alice runs the pinned SQL"))
        .isEqualTo(Long.toString(studies));
    // The same SQL through lakehouse cohort create: the same pinned SQL, versions and members.
    String sql =
        "SELECT eupi, StudyInstanceUID, StudyDate FROM deidentified.study"
            + " WHERE StudyInstanceUID IS NOT NULL";
    cli("cohort", "create", "--name", "cli_studies", "--level", "study", "--sql", sql);
    Map<String, Row> definitions =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.DEIDENTIFIED, "cohorts"))
            .collectAsList()
            .stream()
            .collect(Collectors.toMap(r -> r.<String>getAs("cohort_name"), r -> r));
    Row served = definitions.get("serve_studies_level");
    Row command = definitions.get("cli_studies");
    for (String column :
        List.of("sql", "pinned_sql", "level", "tables_read", "member_count", "result_hash")) {
      assertThat(String.valueOf(served.<Object>getAs(column)))
          .as(column)
          .isEqualTo(String.valueOf(command.<Object>getAs(column)));
    }
    assertThat(served.<String>getAs("created_by")).isEqualTo("alice");
    assertThat(served.<Long>getAs("member_count")).isEqualTo(studies);
    assertThat(definitions.get("serve_studies").<String>getAs("created_by")).isEqualTo("alice");
    String members =
        "SELECT eupi, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID,"
            + " to_json(map_entries(attributes)) AS attributes FROM delta.`"
            + layout.table(Zone.DEIDENTIFIED, "cohort_members")
            + "` WHERE cohort_name = ";
    assertThat(
            spark()
                .sql(members + "'serve_studies_level'")
                .exceptAll(spark().sql(members + "'cli_studies'"))
                .count())
        .isZero();
    assertThat(
            spark()
                .sql(members + "'cli_studies'")
                .exceptAll(spark().sql(members + "'serve_studies_level'"))
                .count())
        .isZero();
    // The cohort commands see it: list, show, and a re-run proves it reproducible.
    assertThat(cli("cohort", "list"))
        .containsPattern("serve_studies_level\\s+study\\s+" + studies + " .* alice ");
    assertThat(cli("cohort", "show", "serve_studies")).contains(" UTC by alice (run ");
    assertThat(cli("cohort", "rerun", "serve_studies_level")).contains("identical: yes");
    assertThat(definitions).doesNotContainKeys("bad_identifiable", "bad_path", "bad_audit");
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.DEIDENTIFIED, "cohorts"))
                .where("cohort_name = 'serve_studies'")
                .first()
                .<String>getAs("created_by"))
        .as("bob's replacement was refused")
        .isEqualTo("alice");
  }

  /** {@code lakehouse --home HOME args} in this JVM: its output; fails unless it exits 0. */
  private static String cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--home", home));
    all.addAll(List.of(args));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
    int code = LakehouseCli.run(all.toArray(String[]::new), print, print, Map.of());
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("lakehouse %s: %s", all, text).isZero();
    return text;
  }

  @Test
  void theExampleNotebookAnswersThePapersQuestionsAsLakehouseSqlDoes() throws Exception {
    Path executed = tempDir.resolve("cohort-analysis.executed.ipynb");
    ServeProcess.runPython(
        "run_notebook.py",
        List.of(
            repoRoot().resolve("docs/notebooks/cohort-analysis.ipynb").toString(),
            executed.toString(),
            "900"),
        Map.of(
            "LAKEHOUSE_SERVE_URL", server.address() + "/;token=" + ALICE_TOKEN + ";user_id=alice"));
    Map<String, Long> numbers = new TreeMap<>();
    int images = 0;
    JsonNode notebook = new ObjectMapper().readTree(executed.toFile());
    for (JsonNode cell : notebook.get("cells")) {
      for (JsonNode output : cell.path("outputs")) {
        for (String line : text(output.path("text")).split("\n")) {
          if (line.startsWith("RESULT ")) {
            String[] parts = line.split(" ");
            numbers.put(parts[1], Long.parseLong(parts[2]));
          }
        }
        JsonNode png = output.path("data").path("image/png");
        if (!png.isMissingNode()) {
          byte[] image = Base64.getMimeDecoder().decode(text(png));
          assertThat(image).startsWith(0x89, 'P', 'N', 'G');
          images++;
        }
      }
    }
    assertThat(images).as("the histogram").isEqualTo(1);
    // The same questions through lakehouse sql, with the SQL of docs/cohorts.md.
    String sql =
        "WITH gabapentin AS ("
            + documentedSql("gabapentin_brain_mr")
            + "), glioblastoma AS ("
            + documentedSql("glioblastoma")
            + ") SELECT (SELECT count(*) FROM deidentified.series) AS series,"
            + " (SELECT count(DISTINCT eupi) FROM gabapentin) AS gabapentin_patients,"
            + " (SELECT count(DISTINCT StudyInstanceUID) FROM gabapentin) AS gabapentin_studies,"
            + " (SELECT count(DISTINCT eupi) FROM glioblastoma) AS glioblastoma_patients,"
            + " (SELECT count(DISTINCT StudyInstanceUID) FROM glioblastoma) AS glioblastoma_studies,"
            + " (SELECT count(DISTINCT StudyInstanceUID) FROM glioblastoma"
            + " WHERE days_from_diagnosis < 0) AS glioblastoma_studies_before_diagnosis";
    CliProcess.Result run =
        CliProcess.run(List.of(), "--home", home, "sql", "--format", "csv", sql);
    String csv = new String(run.bytes(), StandardCharsets.UTF_8);
    assertThat(run.exitCode()).as(csv).isZero();
    List<String> lines = csv.lines().filter(l -> !l.startsWith("#")).toList();
    String[] header = lines.get(lines.size() - 2).split(",");
    String[] values = lines.get(lines.size() - 1).split(",");
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < header.length; i++) {
      expected.put(header[i], Long.parseLong(values[i]));
    }
    assertThat(numbers).containsAllEntriesOf(expected);
    GroundTruth.Cohort gbm = truth.expected().cohort("glioblastoma");
    assertThat(numbers.get("glioblastoma_studies"))
        .isEqualTo((long) gbm.linkableStudyInstanceUids().size())
        .isPositive();
    assertThat(numbers.get("gabapentin_studies")).isPositive();
    // The gabapentin cohort saved with CALL lakehouse.create_cohort: one member per study, and
    // its pinned SQL returns them again.
    assertThat(numbers.get("gabapentin_cohort_members"))
        .isEqualTo(numbers.get("gabapentin_studies"));
    assertThat(numbers.get("gabapentin_pinned_rows"))
        .isEqualTo(numbers.get("gabapentin_cohort_members"));
    // The cohort saved into alice's scratch database: one row per study.
    assertThat(numbers.get("cohort_rows")).isEqualTo(numbers.get("glioblastoma_studies"));
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(scratch.resolve("alice/glioblastoma_cohort").toString())
                .count())
        .isEqualTo(numbers.get("cohort_rows"));
    assertThat(numbers.get("histogram_studies"))
        .isPositive()
        .isLessThanOrEqualTo(numbers.get("cohort_rows"));
    assertNoIdentifiers(Files.readString(executed));
  }

  @Test
  void theJvmClientGetsTheAnswersThePythonClientGets() throws Exception {
    Path classpath = tempDir.resolve("jvm-client.classpath");
    String mvn =
        ServeProcess.run(
            List.of(
                "mvn",
                "-B",
                "-q",
                "-o",
                "-f",
                repoRoot().resolve("cli/src/test/jvm-client/pom.xml").toString(),
                "dependency:build-classpath",
                "-Dmdep.outputFile=" + classpath),
            Map.of());
    assertThat(classpath).as("spark-connect-client-jvm (bin/setup fetches it): %s", mvn).exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(CliProcess.jvmOptions());
    command.addAll(List.of("-cp", Files.readString(classpath).strip()));
    command.add(repoRoot().resolve("cli/src/test/jvm-client/ServeJvmClient.java").toString());
    command.add(server.address() + "/;token=" + ALICE_TOKEN + ";user_id=alice");
    command.add(layout.root(Zone.IDENTIFIABLE));
    Map<String, JsonNode> jvm = ServeProcess.results(ServeProcess.run(command, Map.of()));
    assertThat(ServeProcess.value(jvm, "alice count study"))
        .isEqualTo(ServeProcess.value(results, "alice count study"));
    assertThat(ServeProcess.value(jvm, "DataFrame series count"))
        .isEqualTo(ServeProcess.value(results, "bob count series"));
    assertThat(ServeProcess.value(jvm, "alice reads her cohort"))
        .isEqualTo(ServeProcess.value(results, "alice reads her cohort"));
    assertThat(ServeProcess.value(jvm, "our SQL function")).isEqualTo("45.0");
    assertThat(ServeProcess.error(jvm, "escape: identifiable path")).contains("which is outside");
    assertThat(ServeProcess.error(jvm, "escape: bob's cohort")).contains("which is outside");
    ServeProcess.error(jvm, "escape: Java function");
    assertNoIdentifiers(jvm.toString());
  }

  private static String text(JsonNode node) {
    if (node.isArray()) {
      StringBuilder out = new StringBuilder();
      node.forEach(part -> out.append(part.asText()));
      return out.toString();
    }
    return node.asText();
  }

  /** The SQL block following {@code <!-- cohort:name -->} in docs/cohorts.md. */
  private static String documentedSql(String cohort) throws Exception {
    Matcher block =
        Pattern.compile(
                "<!-- cohort:" + Pattern.quote(cohort) + " -->\\s*```sql\\n(.*?)```",
                Pattern.DOTALL)
            .matcher(Files.readString(repoRoot().resolve("docs/cohorts.md")));
    assertThat(block.find()).as("docs/cohorts.md block cohort:%s", cohort).isTrue();
    return block.group(1);
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
