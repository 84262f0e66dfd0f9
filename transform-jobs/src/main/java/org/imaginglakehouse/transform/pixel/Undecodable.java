package org.imaginglakehouse.transform.pixel;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.job.Rejections;
import org.imaginglakehouse.core.zone.Zone;

/**
 * The rejections of a pixel job (features, OCR): instances whose pixels cannot be decoded, recorded
 * with a status in the job's identifiable table. A run reads only instances without a current row,
 * so every undecodable instance it reports is new; a re-run skips them (they have their row). Shown
 * as counts only: the rows carry source UIDs.
 */
public final class Undecodable {
  private Undecodable() {}

  /**
   * @param table the table's name in the identifiable zone
   * @param statusColumn its column holding {@code undecodable}
   * @param status the undecodable value
   */
  public static Rejections of(
      SparkSession spark,
      String location,
      String table,
      String statusColumn,
      String status,
      String runId,
      long newThisRun) {
    String where = statusColumn + " = " + Rejections.literal(status);
    long onRecord =
        DeltaTable.isDeltaTable(spark, location)
            ? spark
                .read()
                .format("delta")
                .load(location)
                .where(col(statusColumn).equalTo(status))
                .count()
            : 0;
    return new Rejections(
        newThisRun,
        onRecord,
        List.of(),
        Zone.IDENTIFIABLE.id(),
        Zone.IDENTIFIABLE.id() + "." + table,
        where + " AND " + Rejections.runIdIs(runId),
        where);
  }
}
