package org.imaginglakehouse.ingest.bench;

import static org.apache.spark.sql.functions.expr;
import static org.imaginglakehouse.ingest.bench.BenchClock.deleteTree;
import static org.imaginglakehouse.ingest.bench.BenchClock.loadAverage;
import static org.imaginglakehouse.ingest.bench.BenchClock.seconds;

import io.delta.kernel.Table;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.spark.DeltaSnapshots;
import org.imaginglakehouse.ingest.ChangeTest;
import org.imaginglakehouse.ingest.IngestSchemas;
import org.imaginglakehouse.ingest.SourceFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse bench-index}: the driver-side costs of a large {@code file_index} that do not
 * shrink with executors (issue 28 item 5, docs/scaling.md). Writes a {@code file_index} table of
 * the real schema with N synthetic rows (no DICOM parsing; paths, sizes and times follow from the
 * row number), then times on the driver: a cold snapshot load (Delta Kernel and Spark's Delta), the
 * ingest's change test ({@link ChangeTest}) against a listing of the N indexed inputs plus 1,000
 * new ones, a 1,000-row append, a 1,000-row MERGE on {@code file_path} (what a batch of changed
 * files costs), optionally many small commits, a checkpoint (time and bytes). Not a test: prints
 * numbers for docs/benchmarks.md; it fails when the change test's answer is wrong.
 */
@Command(
    name = "bench-index",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse bench-index --rows 1000000 --dir /tmp/bench-index",
      "  lakehouse bench-index --rows 1000000 --appends 10 --files-per-append 100 --small-commits 50"
    },
    description =
        "Benchmark the driver-side costs of a file_index of N rows: snapshot load, the change"
            + " test, a small append, a small MERGE, small commits, a checkpoint.")
public final class BenchIndexCommand extends LakehouseCommand {
  /** Rows of each small commit, append and MERGE. */
  private static final int SMALL = 1_000;

  /** Modification time of row 0 (epoch milliseconds); row i is i milliseconds later. */
  private static final long BASE_MILLIS = 1_700_000_000_000L;

  /** The listed root of the synthetic inputs (they do not exist on disk). */
  private static final String ROOT = "/bench-index/pacs/";

  @Option(names = "--rows", description = "Index rows (default 1000000).")
  long rows = 1_000_000;

  @Option(names = "--appends", description = "Appends that write the rows (default 4).")
  int appends = 4;

  @Option(names = "--files-per-append", description = "Data files per append (default 2).")
  int filesPerAppend = 2;

  @Option(
      names = "--small-commits",
      description = "Commits of 1,000 new rows each after the build, timed (default 0).")
  int smallCommits;

  @Option(names = "--dir", description = "Where the table is written (deleted first).")
  Path dir = Path.of("/tmp/lakehouse-bench-index");

  @Override
  protected int run() throws Exception {
    // Each line as it comes: a run takes minutes, and a killed run keeps what it measured.
    PrintStream out = new PrintStream(context().out(), true, StandardCharsets.UTF_8);
    out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
    long ts = System.nanoTime();
    SparkSession spark = context().spark();
    out.printf(Locale.ROOT, "spark session start: %.1f s%n", seconds(ts));
    deleteTree(dir);
    String table = dir.resolve("file_index").toString();
    DeltaTable.createIfNotExists(spark)
        .location(table)
        .addColumns(IngestSchemas.FILE_INDEX_SCHEMA)
        .execute();

    long perAppend = (rows + appends - 1) / appends;
    for (long from = 0; from < rows; from += perAppend) {
      long to = Math.min(rows, from + perAppend);
      long t = System.nanoTime();
      append(spark, table, from, to, filesPerAppend);
      out.printf(Locale.ROOT, "build: rows %,d-%,d appended in %.1f s%n", from, to - 1, seconds(t));
    }
    out.printf(Locale.ROOT, "table: %,d data files, %s%n", dataFiles(spark, table), logSize());

    snapshotLoads(spark, table, out, "before checkpoint");

    List<SourceFile> listing = listing(rows + SMALL);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    for (int round = 1; round <= 2; round++) {
      long t = System.nanoTime();
      ChangeTest test = ChangeTest.run(conf, table, listing, List.of(ROOT));
      double s = seconds(t);
      if (test.unchanged() != rows || test.todo().size() != SMALL || !test.missing().isEmpty()) {
        throw new LakehouseException(
            String.format(
                Locale.ROOT,
                "The change test found %,d unchanged, %,d to read, %,d missing; expected %,d, %,d,"
                    + " 0: the synthetic rows and the listing disagree (a bug of bench-index)",
                test.unchanged(),
                test.todo().size(),
                test.missing().size(),
                rows,
                SMALL));
      }
      out.printf(
          Locale.ROOT,
          "change test %d: %,d listed against %,d index rows in %.2f s (%,.0f rows/s), %,d new%n",
          round,
          listing.size(),
          rows,
          s,
          rows / s,
          test.todo().size());
    }
    listing = null;

    long next = rows;
    for (int i = 1; i <= 3; i++) {
      long t = System.nanoTime();
      append(spark, table, next, next + SMALL, 1);
      next += SMALL;
      out.printf(Locale.ROOT, "append of %,d rows %d: %.2f s%n", SMALL, i, seconds(t));
    }
    for (int i = 1; i <= 2; i++) {
      long t = System.nanoTime();
      DeltaTable.forPath(spark, table)
          .as("t")
          .merge(
              rows(spark, 0, SMALL, 1).withColumn("file_size", expr("file_size + 1")).as("s"),
              "t.file_path = s.file_path")
          .whenMatched()
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
      out.printf(Locale.ROOT, "merge of %,d changed rows %d: %.2f s%n", SMALL, i, seconds(t));
    }
    if (smallCommits > 0) {
      double[] times = new double[smallCommits];
      for (int i = 0; i < smallCommits; i++) {
        long t = System.nanoTime();
        append(spark, table, next, next + SMALL, 1);
        next += SMALL;
        times[i] = seconds(t);
      }
      double[] sorted = times.clone();
      java.util.Arrays.sort(sorted);
      out.printf(
          Locale.ROOT,
          "%d small commits: first %.2f s, median %.2f s, max %.2f s, last %.2f s, total %.1f s%n",
          smallCommits,
          times[0],
          sorted[smallCommits / 2],
          sorted[smallCommits - 1],
          times[smallCommits - 1],
          java.util.Arrays.stream(times).sum());
      out.printf(Locale.ROOT, "after small commits: %s%n", logSize());
    }

    DeltaLog.clearCache();
    long tc = System.nanoTime();
    DeltaLog.forTable(spark, table).checkpoint();
    out.printf(
        Locale.ROOT,
        "checkpoint: %.2f s, %,d data files in the table, %s%n",
        seconds(tc),
        dataFiles(spark, table),
        logSize());
    snapshotLoads(spark, table, out, "after checkpoint");
    out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    return 0;
  }

  /** Rows {@code from} (inclusive) to {@code to} of the synthetic index, in {@code files} files. */
  private static Dataset<Row> rows(SparkSession spark, long from, long to, int files) {
    List<Column> columns = new ArrayList<>();
    columns.add(
        expr("concat('"
                + ROOT
                + "s', lpad(cast(id div 400 as string), 7, '0'), '/se', cast((id div 100) % 4"
                + " as string), '/', lpad(cast(id as string), 10, '0'), '.dcm')")
            .as("file_path"));
    columns.add(expr("cast(null as string)").as("archive_path"));
    columns.add(expr("100000 + id % 50000").as("file_size"));
    columns.add(expr("timestamp_millis(" + BASE_MILLIS + " + id)").as("file_modified"));
    columns.add(expr("cast(null as bigint)").as("container_size"));
    columns.add(expr("cast(null as timestamp)").as("container_modified"));
    columns.add(expr("sha2(cast(id as string), 256)").as("file_checksum"));
    columns.add(expr("'ok'").as("status"));
    columns.add(expr("cast(null as string)").as("error_class"));
    columns.add(
        expr("concat('1.2.826.0.1.3680043.10.543.', cast(id as string))").as("SOPInstanceUID"));
    columns.add(expr("'bench-index-00000000-0000-0000-0000-000000000000'").as("run_id"));
    columns.add(expr("current_timestamp()").as("indexed_at"));
    return spark.range(from, to, 1, files).select(columns.toArray(Column[]::new));
  }

  private static void append(SparkSession spark, String table, long from, long to, int files) {
    rows(spark, from, to, files)
        .write()
        .format("delta")
        .mode("append")
        .option("optimizeWrite", "false")
        .save(table);
  }

  /** The listing the change test gets: rows 0..n-1 as {@link #rows} writes them. */
  private static List<SourceFile> listing(long n) {
    List<SourceFile> out = new ArrayList<>((int) n);
    StringBuilder b = new StringBuilder(64);
    for (long i = 0; i < n; i++) {
      b.setLength(0);
      b.append(ROOT).append('s');
      pad(b, i / 400, 7);
      b.append("/se").append((i / 100) % 4).append('/');
      pad(b, i, 10);
      b.append(".dcm");
      out.add(new SourceFile(b.toString(), 100_000 + i % 50_000, BASE_MILLIS + i, false));
    }
    return out;
  }

  private static void pad(StringBuilder b, long value, int width) {
    String s = Long.toString(value);
    for (int k = s.length(); k < width; k++) {
      b.append('0');
    }
    b.append(s);
  }

  private static long dataFiles(SparkSession spark, String table) {
    return DeltaSnapshots.latest(spark, table).numOfFiles();
  }

  /** Cold snapshot loads: a fresh Kernel engine, and Spark's Delta with its log cache cleared. */
  private static void snapshotLoads(
      SparkSession spark, String table, PrintStream out, String when) {
    Engine engine = DefaultEngine.create(spark.sparkContext().hadoopConfiguration());
    long tk = System.nanoTime();
    long version = Table.forPath(engine, table).getLatestSnapshot(engine).getVersion();
    double kernel = seconds(tk);
    DeltaLog.clearCache();
    long ts = System.nanoTime();
    long files = dataFiles(spark, table);
    out.printf(
        Locale.ROOT,
        "snapshot load %s (version %d, %,d files): Kernel %.2f s, Spark Delta %.2f s%n",
        when,
        version,
        files,
        kernel,
        seconds(ts));
  }

  /** Bytes of the Delta log: commits (JSON) and the latest checkpoint (Parquet). */
  private String logSize() throws IOException {
    Path log = dir.resolve("file_index").resolve("_delta_log");
    long json = 0;
    long commits = 0;
    long checkpointBytes = 0;
    String latest = "";
    List<Path> checkpoints = new ArrayList<>();
    try (Stream<Path> files = Files.list(log)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".json") && !name.startsWith("_")) {
          json += Files.size(p);
          commits++;
        } else if (name.contains(".checkpoint") && name.endsWith(".parquet")) {
          checkpoints.add(p);
          String v = name.substring(0, 20);
          if (v.compareTo(latest) > 0) {
            latest = v;
          }
        }
      }
    }
    for (Path p : checkpoints) {
      if (p.getFileName().toString().startsWith(latest)) {
        checkpointBytes += Files.size(p);
      }
    }
    return String.format(
        Locale.ROOT,
        "log: %,d commits (%,d bytes JSON), latest checkpoint %s (%,d bytes)",
        commits,
        json,
        latest.isEmpty() ? "none" : "v" + Long.parseLong(latest),
        checkpointBytes);
  }
}
