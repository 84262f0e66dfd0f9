package org.imaginglakehouse.transform.promote;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.job.Rejections;
import org.imaginglakehouse.core.spark.Checkpoints;
import org.imaginglakehouse.core.spark.EarlierRecords;
import org.imaginglakehouse.core.zone.Zone;

/**
 * The rejections of a promote run as the exit-code rule sees them: an instance re-promoted (its
 * study changed, or a full rebuild) and rejected again for the same reason keeps the run id that
 * first recorded it in {@code promotion_rejections}, so only instances rejected for the first time
 * count as new.
 */
final class PromoteRejections {
  private static final List<String> KEY = List.of("rejection_key", "reason");

  private PromoteRejections() {}

  /** {@code rows} with the run id of an earlier equal rejection, computed once. */
  static Dataset<Row> keepEarlier(
      SparkSession spark, String location, String jobRuns, Dataset<Row> rows) {
    Dataset<Row> earlier =
        DeltaTable.isDeltaTable(spark, location)
            ? spark.read().format("delta").load(location)
            : null;
    return Checkpoints.local(
        EarlierRecords.keep(
            rows, EarlierRecords.reported(spark, earlier, jobRuns), KEY, List.of("run_id")));
  }

  /**
   * The summary's rejections: the new ones counted by reason (no UID, path or patient identifier is
   * shown) and the queries over {@code identifiable.promotion_rejections}.
   */
  static Rejections summary(
      SparkSession spark, String location, Dataset<Row> recorded, String runId) {
    List<String> examples = new ArrayList<>();
    long fresh = 0;
    for (Row r :
        recorded
            .where(col("run_id").equalTo(runId))
            .groupBy("reason")
            .count()
            .orderBy(col("count").desc(), col("reason"))
            .collectAsList()) {
      fresh += r.getLong(1);
      examples.add(String.format(Locale.ROOT, "%s: %,d instance(s)", r.getString(0), r.getLong(1)));
    }
    long onRecord =
        DeltaTable.isDeltaTable(spark, location)
            ? spark.read().format("delta").load(location).count()
            : 0;
    return new Rejections(
        fresh,
        onRecord,
        examples,
        Zone.IDENTIFIABLE.id(),
        Zone.IDENTIFIABLE.id() + "." + PromoteJob.REJECTIONS,
        Rejections.runIdIs(runId),
        null);
  }
}
