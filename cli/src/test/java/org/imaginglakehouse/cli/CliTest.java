package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CLI run in this JVM (sharing the test session), as people and scripts use it. */
class CliTest extends SparkTestBase {
  record Run(int exitCode, String out, String err) {}

  private static String home;

  @BeforeAll
  static void createLakehouse() {
    LakehouseConfig config = newHomeConfig("cli");
    home = config.home();
    ZoneLayout layout = ZoneLayout.from(config);
    spark()
        .sql("SELECT id, concat('e', id) AS eupi, 'CT' AS modality FROM range(5)")
        .write()
        .format("delta")
        .save(layout.table(Zone.DEIDENTIFIED, "study"));
    spark()
        .sql("SELECT 'Jones^Ann' AS PatientName, 'x,y' AS note")
        .write()
        .format("delta")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
    spark()
        .sql("SELECT 'Smith^Bob' AS PatientName, 'z' AS note")
        .write()
        .format("delta")
        .mode("append")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
  }

  static Run cli(String... args) {
    spark(); // the CLI reuses the JVM's shared session
    List<String> all = new ArrayList<>();
    if (!List.of(args).contains("--home")) {
      all.addAll(List.of("--home", home));
    }
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        LakehouseCli.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of());
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void versionNamesEveryEngine() {
    Run run = cli("version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .containsPattern("lakehouse\\s+0\\.")
        .containsPattern("spark\\s+4\\.2\\.0")
        .containsPattern("delta\\s+4\\.4\\.0")
        .containsPattern("pixelmed\\s+20220618")
        .containsPattern("tesseract\\s+\\d+\\.\\d+");
  }

  @Test
  void sqlPrintsTablesCsvAndJsonLines() {
    Run table = cli("sql", "SELECT 1 AS one, array('a','b') AS arr, CAST(NULL AS STRING) AS n");
    assertThat(table.exitCode()).isZero();
    assertThat(table.out())
        .contains("| one | arr       | n    |")
        .contains("| 1   | [\"a\",\"b\"] | NULL |")
        .contains("1 row");

    Run csv =
        cli(
            "sql",
            "--format",
            "csv",
            "--zone",
            "identifiable",
            "SELECT note, PatientName FROM identifiable.instances ORDER BY 2");
    assertThat(csv.exitCode()).isZero();
    assertThat(csv.out().lines())
        .containsExactly("note,PatientName", "\"x,y\",Jones^Ann", "z,Smith^Bob");

    Run json = cli("sql", "--format", "json", "SELECT count(*) AS n FROM deidentified.study;");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out().strip()).isEqualTo("{\"n\":\"5\"}");
  }

  @Test
  void sqlPrintsResultsWithRepeatedColumnNames() {
    Run same = cli("sql", "SELECT 1 AS x, 2 AS x");
    assertThat(same.exitCode()).as(same.err()).isZero();
    assertThat(same.out()).contains("| x | x |").contains("| 1 | 2 |");

    Run join =
        cli(
            "sql",
            "--format",
            "csv",
            "SELECT * FROM deidentified.study a JOIN deidentified.study b ON a.id = b.id"
                + " WHERE a.id = 3");
    assertThat(join.exitCode()).as(join.err()).isZero();
    assertThat(join.out().lines())
        .containsExactly("id,eupi,modality,id,eupi,modality", "3,e3,CT,3,e3,CT");

    Run subqueries =
        cli(
            "sql",
            "--format",
            "json",
            "SELECT (SELECT max(id) FROM deidentified.study), (SELECT 7)");
    assertThat(subqueries.exitCode()).as(subqueries.err()).isZero();
    assertThat(subqueries.out()).contains("\"4\"").contains("\"7\"");
  }

  @Test
  void aCutResultSaysSoInItsLastLine() {
    String query = "SELECT id FROM deidentified.study ORDER BY id";
    Run table = cli("sql", "--max-rows", "2", query);
    assertThat(table.exitCode()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo("2 rows (output cut at 2 rows: --max-rows 0 prints all)");
    assertThat(table.err()).contains("output cut at 2 rows");

    for (String format : List.of("csv", "json")) {
      Run run = cli("sql", "--format", format, "--max-rows", "3", query);
      List<String> out = run.out().lines().toList();
      assertThat(out).hasSize(format.equals("csv") ? 5 : 4);
      assertThat(out.get(out.size() - 1))
          .isEqualTo("# output cut at 3 rows: --max-rows 0 prints all");
    }

    Run all = cli("sql", "--format", "csv", "--max-rows", "0", query);
    assertThat(all.out().lines()).containsExactly("id", "0", "1", "2", "3", "4");
    assertThat(all.err()).doesNotContain("cut");
    Run exact = cli("sql", "--max-rows", "5", query);
    assertThat(exact.out()).contains("5 rows").doesNotContain("cut");
  }

  @Test
  void sqlOpensOnlyTheDeidentifiedZoneUnlessTold() {
    Run byName = cli("sql", "SELECT PatientName FROM identifiable.instances");
    assertThat(byName.exitCode()).isEqualTo(1);
    assertThat(byName.err())
        .contains("the identifiable zone is not open")
        .contains("--zone identifiable");
    assertThat(byName.out() + byName.err()).doesNotContain("Jones");

    String path = ZoneLayout.from(newHomeConfig("cli")).table(Zone.IDENTIFIABLE, "instances");
    Run byPath = cli("sql", "SELECT PatientName FROM delta.`" + path + "`");
    assertThat(byPath.exitCode()).isEqualTo(1);
    assertThat(byPath.err()).contains("outside the deidentified zone");
    assertThat(byPath.out() + byPath.err()).doesNotContain("Jones");

    Run parquet = cli("sql", "SELECT * FROM parquet.`" + path + "`");
    assertThat(parquet.exitCode()).isEqualTo(1);
    assertThat(parquet.err()).contains("not a Delta table of the deidentified zone");

    Run restricted =
        cli(
            "--conf",
            "catalog.zones=deidentified",
            "sql",
            "--zone",
            "identifiable",
            "SELECT count(*) FROM identifiable.instances");
    assertThat(restricted.exitCode()).isEqualTo(1);
    assertThat(restricted.err()).contains("identifiable zone is not visible in this deployment");

    Run write = cli("sql", "DROP TABLE deidentified.study");
    assertThat(write.exitCode()).isEqualTo(1);
    assertThat(write.err()).contains("is not one of them");
    Run describePath = cli("sql", "DESCRIBE delta.`" + path + "`");
    assertThat(describePath.exitCode()).isEqualTo(1);
    assertThat(describePath.err()).contains("describes only tables of the open zones");

    Run show = cli("sql", "--format", "csv", "SHOW TABLES IN deidentified");
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out()).contains("deidentified,study,false");
    Run describe = cli("sql", "DESCRIBE deidentified.study");
    assertThat(describe.exitCode()).as(describe.err()).isZero();
    assertThat(describe.out()).contains("eupi");
  }

  @Test
  void openingTheIdentifiableZoneIsRecordedInItsRunLog() {
    String statement = "SELECT count(*) AS n FROM identifiable.instances WHERE note = 'z'";
    Run flag = cli("sql", "--format", "csv", "--zone", "identifiable", statement);
    assertThat(flag.exitCode()).as(flag.err()).isZero();
    assertThat(flag.out().lines()).containsExactly("n", "1");
    Run config =
        cli(
            "--conf",
            "jobs.sql.zones=identifiable,deidentified",
            "sql",
            "--format",
            "csv",
            statement);
    assertThat(config.exitCode()).as(config.err()).isZero();

    Run log =
        cli(
            "sql",
            "--zone",
            "identifiable",
            "--format",
            "csv",
            "SELECT options['zones'], options['zones_from'], options['statement_sha256'],"
                + " counts['rows'], status FROM identifiable.job_runs WHERE job = 'sql'"
                + " ORDER BY started_at");
    assertThat(log.exitCode()).as(log.err()).isZero();
    String sha = SqlRun.sha256(statement);
    assertThat(log.out().lines())
        .contains(
            "identifiable,--zone," + sha + ",1,SUCCEEDED",
            "\"identifiable,deidentified\",config jobs.sql.zones," + sha + ",1,SUCCEEDED");
    Run all =
        cli(
            "sql",
            "--zone",
            "identifiable",
            "--format",
            "json",
            "SELECT * FROM identifiable.job_runs WHERE job = 'sql'");
    assertThat(all.out()).doesNotContain("note = 'z'").doesNotContain("WHERE note");

    Run failed = cli("sql", "--zone", "identifiable", "SELECT nope FROM identifiable.instances");
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.err()).contains("UNRESOLVED_COLUMN");
  }

  @Test
  void everyCommandAndSubcommandHasHelpWithExamples() {
    List<List<String>> paths = new ArrayList<>();
    collect(LakehouseCli.commandLine(new LakehouseCli()), new ArrayList<>(), paths);
    assertThat(paths)
        .extracting(p -> String.join(" ", p))
        .contains("", "sql", "ingest", "link", "promote", "synth", "help", "cohort create");
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        Run run = cli(args.toArray(String[]::new));
        String name = String.join(" ", path);
        assertThat(run.exitCode()).as(name + " " + flag + ": " + run.err()).isZero();
        assertThat(run.err()).as(name).isEmpty();
        assertThat(run.out())
            .as(name)
            .containsPattern("(?m)^Usage: lakehouse" + (path.isEmpty() ? "" : " " + name) + " ")
            .contains("Examples:")
            .containsPattern("\n  lakehouse .*\n");
      }
    }
  }

  private static void collect(
      picocli.CommandLine commandLine, List<String> path, List<List<String>> out) {
    out.add(path);
    commandLine
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (sub.getCommandName().equals(name)) {
                List<String> child = new ArrayList<>(path);
                child.add(name);
                collect(sub, child, out);
              }
            });
  }

  @Test
  void tablesListsZoneNameVersionRowsAndLocation() {
    Run run = cli("tables", "--format", "csv");
    assertThat(run.exitCode()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("zone,table,version,rows,location");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("deidentified,deidentified.study,0,5,")
                    .endsWith("/deidentified/study"))
        .anySatisfy(l -> assertThat(l).startsWith("identifiable,identifiable.instances,1,2,"));
  }

  @Test
  void failuresExitNonZeroWithAShortMessage() {
    Run unknownTable = cli("sql", "SELECT * FROM deidentified.nope");
    assertThat(unknownTable.exitCode()).isEqualTo(1);
    assertThat(unknownTable.err()).contains("Error: ").contains("TABLE_OR_VIEW_NOT_FOUND");
    assertThat(unknownTable.err()).doesNotContain("\tat org.apache");

    Run badSql = cli("sql", "SELEC 1");
    assertThat(badSql.exitCode()).isEqualTo(1);
    assertThat(badSql.err()).contains("PARSE_SYNTAX_ERROR").doesNotContain("\tat ");

    Run verbose = cli("--verbose", "sql", "SELEC 1");
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).contains("\tat ");

    Run usage = cli("no-such-command");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.err()).contains("Unmatched argument");

    Run empty = cli("sql", " ; ");
    assertThat(empty.exitCode()).isEqualTo(1);
    assertThat(empty.err()).contains("the SQL statement is empty");
  }

  @Test
  void unreachableHomeIsAClearError() throws Exception {
    Path file = Files.writeString(tempDir.resolve("not-a-dir"), "x");
    Run run = cli("--home", file.toString(), "tables");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("is a file, not a directory");

    Run below = cli("--home", file.resolve("sub").toString(), "sql", "SELECT 1");
    assertThat(below.exitCode()).isEqualTo(1);
    assertThat(below.err()).contains("cannot be created");
  }

  @Test
  void secretsOnTheCommandLineAreRefused() {
    Run run = cli("--conf", "s3.secret-access-key=verysecretvalue", "tables");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("secrets must come from the environment or a file");
    assertThat(run.out() + run.err()).doesNotContain("verysecretvalue");
  }
}
