package org.imaginglakehouse.core.spark;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.job.JobStatus;

/**
 * For rejection tables that a run rewrites (a snapshot of what is rejected now): a rejection an
 * earlier run already recorded keeps that run's id and time, so {@code run_id = <this run>} selects
 * exactly the rejections this run found first, the ones that decide its exit code (see {@code
 * org.imaginglakehouse.core.job.Rejections}).
 */
public final class EarlierRecords {
  private static final String PREFIX = "_earlier_";
  private static final String FOUND = PREFIX + "found";

  private EarlierRecords() {}

  /**
   * The rows of {@code earlier} (a rejection table with a {@code run_id} column) recorded by a run
   * that finished, and so reported them: its row in the {@code job_runs} table at {@code
   * jobRunsLocation} says {@code SUCCEEDED} or {@code COMPLETED_WITH_REJECTIONS}. A run killed or
   * failed after recording rejections reported none of them, so the next run counts them as new.
   * Null when {@code earlier} is null.
   */
  public static Dataset<Row> reported(
      SparkSession spark, Dataset<Row> earlier, String jobRunsLocation) {
    if (earlier == null) {
      return null;
    }
    if (!DeltaTable.isDeltaTable(spark, jobRunsLocation)) {
      return earlier.limit(0);
    }
    Dataset<Row> finished =
        spark
            .read()
            .format("delta")
            .load(jobRunsLocation)
            .where(
                col("status")
                    .isin(JobStatus.SUCCEEDED.name(), JobStatus.COMPLETED_WITH_REJECTIONS.name()))
            .select(col("run_id").as(PREFIX + "finished_run"));
    return earlier.join(
        finished,
        earlier.col("run_id").equalTo(finished.col(PREFIX + "finished_run")),
        "left_semi");
  }

  /**
   * {@code rows} (columns in their order) where a row equal on {@code key} to a row of {@code
   * earlier} takes that row's {@code kept} columns (e.g. {@code run_id}, {@code recorded_at}).
   * {@code earlier} may be null (nothing on record). Keys compare null-safe.
   */
  public static Dataset<Row> keep(
      Dataset<Row> rows, Dataset<Row> earlier, List<String> key, List<String> kept) {
    if (earlier == null) {
      return rows;
    }
    List<Column> pick = new ArrayList<>();
    for (String k : key) {
      pick.add(col(quote(k)).as(PREFIX + k));
    }
    for (String k : kept) {
      pick.add(col(quote(k)).as(PREFIX + k));
    }
    pick.add(functions.lit(true).as(FOUND));
    Dataset<Row> before =
        earlier
            .select(pick.toArray(Column[]::new))
            .dropDuplicates(key.stream().map(k -> PREFIX + k).toArray(String[]::new));
    Column on = null;
    for (String k : key) {
      Column same = rows.col(quote(k)).eqNullSafe(before.col(PREFIX + k));
      on = on == null ? same : on.and(same);
    }
    Dataset<Row> joined = rows.join(before, on, "left");
    boolean matched = false;
    List<Column> out = new ArrayList<>();
    for (String c : rows.columns()) {
      if (kept.contains(c)) {
        out.add(
            functions
                .when(col(FOUND).isNotNull(), col(PREFIX + c))
                .otherwise(rows.col(quote(c)))
                .as(c));
        matched = true;
      } else {
        out.add(rows.col(quote(c)).as(c));
      }
    }
    if (!matched) {
      throw new IllegalArgumentException("kept columns " + kept + " are not among the rows'");
    }
    return joined.select(out.toArray(Column[]::new));
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
