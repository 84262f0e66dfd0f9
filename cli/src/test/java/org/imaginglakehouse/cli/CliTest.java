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
            "SELECT note, PatientName FROM identifiable.instances ORDER BY 2");
    assertThat(csv.exitCode()).isZero();
    assertThat(csv.out().lines())
        .containsExactly("note,PatientName", "\"x,y\",Jones^Ann", "z,Smith^Bob");

    Run json = cli("sql", "--format", "json", "SELECT count(*) AS n FROM deidentified.study;");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out().strip()).isEqualTo("{\"n\":\"5\"}");
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
