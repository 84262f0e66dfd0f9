package org.imaginglakehouse.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.spark.LakehouseSessions;

/**
 * For the kill -9 tests: runs a job's {@code main} in a JVM of its own (the test classpath and
 * bin/jvm-options) and kills it with SIGKILL the moment a condition on the tables holds, plus the
 * two probes those conditions and comparisons need.
 */
public final class KilledJvm {
  private KilledJvm() {}

  /**
   * Starts {@code main} with {@code args} and kills it once {@code killPoint} holds; fails if the
   * JVM ends first (its log is in the message) or the point is not reached within {@code minutes}.
   */
  public static void killWhen(
      Path repoRoot,
      Path logDir,
      Class<?> main,
      List<String> args,
      BooleanSupplier killPoint,
      int minutes)
      throws Exception {
    Path log = logDir.resolve(main.getSimpleName() + "-" + System.nanoTime() + ".log");
    Process child = start(repoRoot, main, args, log);
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
      while (!killPoint.getAsBoolean()) {
        assertThat(child.isAlive())
            .as(
                main.getSimpleName()
                    + " ended before the kill point; log:\n"
                    + Files.readString(log))
            .isTrue();
        assertThat(System.nanoTime()).as("kill point not reached in time").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** What a child JVM run to its end left: exit code and everything it printed. */
  public record Finished(int exitCode, String log) {}

  /**
   * Runs {@code main} with {@code args} in a JVM of its own to its end (a fresh JVM: no state of
   * this one, e.g. for reproducibility checks); fails if it takes more than {@code minutes}.
   */
  public static Finished runToEnd(
      Path repoRoot, Path logDir, Class<?> main, List<String> args, int minutes) throws Exception {
    Path log = logDir.resolve(main.getSimpleName() + "-" + System.nanoTime() + ".log");
    Process child = start(repoRoot, main, args, log);
    try {
      assertThat(child.waitFor(minutes, TimeUnit.MINUTES))
          .as(main.getSimpleName() + " did not end in time; log:\n" + Files.readString(log))
          .isTrue();
      return new Finished(child.exitValue(), Files.readString(log));
    } finally {
      child.destroyForcibly();
    }
  }

  private static Process start(Path repoRoot, Class<?> main, List<String> args, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    for (String line : Files.readAllLines(repoRoot.resolve("bin/jvm-options"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        command.addAll(List.of(line.trim().split("\\s+")));
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * For the {@code main} of a child JVM: the job's config (home, local[2], few partitions, plus
   * {@code flags}) and its Spark session.
   */
  public static LakehouseConfig childConfig(String home, Map<String, String> flags) {
    LakehouseConfig.Builder b =
        LakehouseConfig.builder()
            .flag(LakehouseConfig.HOME, home)
            .flag("spark.master", "local[2]")
            .flag("spark.console-progress", "false")
            .flag("spark.conf.spark.sql.shuffle.partitions", "2")
            .flag("spark.conf.spark.databricks.delta.snapshotPartitions", "1");
    flags.forEach(b::flag);
    return b.build();
  }

  /** The child's session, from the same factory the jobs use. */
  public static SparkSession childSession(LakehouseConfig config) {
    SparkSession spark = LakehouseSessions.create(config);
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  /** Ends a child JVM the way the CLI would: summary printed, exit code 1 on failure. */
  public static void exit(SparkSession spark, JobResult result) {
    System.out.println(result.summary());
    spark.stop();
    System.exit(result.status().exitCode() == 1 ? 1 : 0);
  }

  /** Number of commits in the Delta table at {@code table} (0 when it does not exist yet). */
  public static long commits(String table) {
    Path log = Path.of(table, "_delta_log");
    if (!Files.isDirectory(log)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(log)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).count();
    } catch (IOException e) {
      return 0; // listed while the job renames a file: try again on the next poll
    }
  }

  /** Copies a (local) Delta table directory: two homes over exactly the same table. */
  public static void copyTable(String from, String to) throws IOException {
    Path source = Path.of(from);
    Path target = Path.of(to);
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path copy = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(p, copy);
        }
      }
    }
  }

  /** Every row of the table as sorted JSON, without the {@code ignore} columns. */
  public static List<String> rows(SparkSession spark, String table, List<String> ignore) {
    Dataset<Row> rows =
        spark.read().format("delta").load(table).drop(ignore.toArray(new String[0]));
    return rows.selectExpr("to_json(struct(*)) AS j")
        .orderBy("j")
        .as(Encoders.STRING())
        .collectAsList();
  }
}
