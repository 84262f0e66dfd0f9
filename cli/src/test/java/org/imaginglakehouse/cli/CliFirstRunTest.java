package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user sees, run as its own process from a directory where {@code bin/demo} has left its
 * lakehouse: the empty default home is named with where the setting came from and the {@code
 * --home} that has the demo's tables; the default output has no known Spark noise, {@code
 * --verbose} brings Spark's logs back.
 */
class CliFirstRunTest extends SparkTestBase {
  /** Spark and Delta messages every healthy run used to print; none may reach the console. */
  static final List<String> NOISE =
      List.of(
          "was created concurrently",
          "Truncated the string representation",
          "was locally checkpointed",
          "NativeCodeLoader",
          "\u001b[", // progress bars' escape codes
          "[Stage ");

  @TempDir Path dir;

  @Test
  void anEmptyDefaultHomeSaysWhereItLookedAndWhereTheDemosTablesAre() throws Exception {
    Files.createDirectories(dir.resolve("demo/lakehouse/deidentified"));

    String quiet = output(CliProcess.run(dir, List.of(), "tables"));
    assertThat(quiet)
        .contains(
            "No tables in deidentified, identifiable, projects zones of lakehouse home"
                + " ./lakehouse-data (the default; set another with --home, $LAKEHOUSE_HOME or"
                + " home: in config): it is empty.")
        .contains("bin/demo's lakehouse is in demo/lakehouse:")
        .contains("bin/lakehouse --home demo/lakehouse tables");
    for (String noise : NOISE) {
      assertThat(quiet).as(noise).doesNotContain(noise);
    }
    assertThat(quiet).doesNotContainPattern(" (INFO|WARN) ");

    String verbose = output(CliProcess.run(dir, List.of(), "--verbose", "sql", "SELECT 1 AS one"));
    assertThat(verbose)
        .contains("| one |")
        .contains("No tables in deidentified zone of lakehouse home ./lakehouse-data")
        .contains("bin/lakehouse --home demo/lakehouse sql \"SHOW TABLES IN deidentified\"")
        .containsPattern(" INFO SparkContext: Running Spark version 4\\.")
        .containsPattern(" INFO [A-Za-z]+: ");
  }

  @Test
  void theNoteNamesWhereTheHomeSettingCameFrom() throws Exception {
    Path home = dir.resolve("env-home");
    Path config = Files.writeString(dir.resolve("lakehouse.yaml"), "home: " + dir.resolve("c"));
    assertThat(sqlNote(Map.of("LAKEHOUSE_HOME", home.toString())))
        .contains("lakehouse home " + home + " (from $LAKEHOUSE_HOME): it is empty.")
        .contains("Jobs fill it");
    assertThat(sqlNote(Map.of("LAKEHOUSE_CONFIG", config.toString())))
        .contains("lakehouse home " + dir.resolve("c") + " (from home: in config " + config + ")");
    assertThat(sqlNote(Map.of(), "--home", home.toString()))
        .contains("lakehouse home " + home + " (from --home): it is empty.");
  }

  private static String sqlNote(Map<String, String> env, String... flags) {
    spark(); // the CLI reuses the JVM's shared session
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = new String[flags.length + 2];
    System.arraycopy(flags, 0, args, 0, flags.length);
    args[flags.length] = "sql";
    args[flags.length + 1] = "SELECT 1";
    int code =
        LakehouseCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env);
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(stderr).isZero();
    return stderr;
  }

  private static String output(CliProcess.Result run) {
    String text = new String(run.bytes(), StandardCharsets.UTF_8);
    assertThat(run.exitCode()).as(text).isZero();
    return text;
  }
}
