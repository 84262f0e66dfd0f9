package org.imaginglakehouse.core.spark;

import java.util.Map;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * How many tasks write a Delta commit: the jobs' write policy.
 *
 * <p>The session turns on Delta's optimized write ({@link #OPTIMIZE_WRITE_CONF}), which shuffles
 * each write into one task per 512 MB of output. That is right for the many small writes of our
 * jobs (a batch of 5,000 feature rows, a job_runs row, an incremental promote): one file each
 * instead of one per input task, and no small-file build-up between OPTIMIZE runs (measured on a
 * 73,000-instance home: the features job wrote 16 files with it and 121 without, and a single
 * 73,000-row write was no faster from 8 tasks than from one; docs/benchmarks.md). It is wrong for
 * large writes: their Parquet encoding then runs on one core while the others idle (a million image
 * rows: promote's write 12–13 s from one task, 9 s from every task). So a write of at least {@link
 * #DEFAULT_PARALLEL_MIN_ROWS} rows (or {@link #PARALLEL_MIN_ROWS_CONF}) goes without it: appends
 * keep the tasks that computed their rows, and a MERGE writes from its adaptive shuffle partitions
 * (each at least 1 MB).
 */
public final class DeltaWrites {
  /** Spark session key of Delta's optimized write; the session factory sets it to true. */
  public static final String OPTIMIZE_WRITE_CONF = "spark.databricks.delta.optimizeWrite.enabled";

  /** Spark session key that moves the threshold (e.g. {@code spark.conf.} in lakehouse.yaml). */
  public static final String PARALLEL_MIN_ROWS_CONF = "spark.lakehouse.write.parallelMinRows";

  /** Writes of at least this many rows are written by all their tasks, not binned into one. */
  public static final long DEFAULT_PARALLEL_MIN_ROWS = 1_000_000L;

  private DeltaWrites() {}

  /** Whether a write of {@code rows} rows should be spread over its tasks in this session. */
  public static boolean parallel(SparkSession spark, long rows) {
    String threshold = spark.conf().get(PARALLEL_MIN_ROWS_CONF, null);
    return rows >= (threshold == null ? DEFAULT_PARALLEL_MIN_ROWS : Long.parseLong(threshold));
  }

  /**
   * A Delta writer for {@code rows} (about {@code rowCount} rows) with the optimized write turned
   * on or off by the policy; the caller sets the mode, options and path.
   */
  public static DataFrameWriter<Row> writer(Dataset<Row> rows, long rowCount) {
    return rows.write()
        .format("delta")
        .option("optimizeWrite", Boolean.toString(!parallel(rows.sparkSession(), rowCount)));
  }

  /**
   * Runs a write that takes no writer options (a MERGE, a DELETE) with the optimized write chosen
   * by the policy for {@code sourceRows}, and puts the session's setting back afterwards. Jobs
   * write from one driver thread; the setting is the session's, so concurrent writers in one
   * session would see each other's choice (only the file layout differs, never the rows).
   */
  public static void withPolicy(SparkSession spark, long sourceRows, Runnable write) {
    SessionSettings.with(
        spark,
        Map.of(OPTIMIZE_WRITE_CONF, Boolean.toString(!parallel(spark, sourceRows))),
        () -> {
          write.run();
          return null;
        });
  }

  /**
   * The operation a commit made through Delta's transaction API records in the table history: that
   * of a DataFrame write with {@code mode} ({@code predicate}: the rows it replaces, or null).
   */
  public static org.apache.spark.sql.delta.DeltaOperations.Write operation(
      org.apache.spark.sql.SaveMode mode, String predicate) {
    return new org.apache.spark.sql.delta.DeltaOperations.Write(
        mode,
        scala.Option.empty(),
        scala.Option.apply(predicate),
        scala.Option.empty(),
        scala.Option.empty(),
        scala.Option.empty(),
        scala.Option.empty(),
        scala.Option.empty(),
        scala.Option.empty());
  }
}
