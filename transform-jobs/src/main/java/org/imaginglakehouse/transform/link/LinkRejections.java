package org.imaginglakehouse.transform.link;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.job.Rejections;
import org.imaginglakehouse.core.spark.EarlierRecords;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * The unmapped rows of a link run as the exit-code rule sees them: a row unmapped again for the
 * same reason (same source row) keeps the run id and time of the run that first recorded it in
 * {@code identifiable.link_unmapped} (and reported it: a run that did not finish reported nothing),
 * so only rows unmapped for the first time are new. The console names them by reason and source row
 * number, never by identifier or values.
 */
final class LinkRejections {
  /** Position of a source row as read (see {@link #summary}); not written anywhere. */
  static final String ROW_ID = "_link_row_id";

  /** Columns that identify an unmapped row across runs, and those it keeps from its first run. */
  private static final List<String> KEY = List.of("reason", "source_row");

  private static final List<String> KEPT = List.of("run_id", "recorded_at");

  /** Bits of the position in a partition in {@code monotonically_increasing_id}. */
  private static final int POSITION_BITS = 33;

  private LinkRejections() {}

  /** {@code unmapped} with the run id and time of an earlier equal row of this dataset. */
  static Dataset<Row> keepEarlier(
      SparkSession spark, ZoneLayout layout, String dataset, Dataset<Row> unmapped) {
    String location = layout.table(Zone.IDENTIFIABLE, LinkJob.UNMAPPED);
    Dataset<Row> earlier =
        DeltaTable.isDeltaTable(spark, location)
            ? spark.read().format("delta").load(location).where(col("dataset").equalTo(dataset))
            : null;
    String runs = layout.table(Zone.IDENTIFIABLE, JobRunLog.TABLE);
    return EarlierRecords.keep(unmapped, EarlierRecords.reported(spark, earlier, runs), KEY, KEPT);
  }

  /**
   * The summary's rejections: the new unmapped rows, shown by reason and source row number (1 for
   * the first data row, in the order the source is read).
   *
   * @param mapped every source row, with {@link #ROW_ID}
   * @param recorded this run's unmapped rows after {@link #keepEarlier}, with {@link #ROW_ID}
   */
  static Rejections summary(
      String dataset, String runId, Dataset<Row> mapped, Dataset<Row> recorded, long onRecord) {
    Dataset<Row> fresh = recorded.where(col("run_id").equalTo(runId));
    long newRows = fresh.count();
    List<String> examples = new ArrayList<>();
    if (newRows > 0) {
      // monotonically_increasing_id is (partition << 33) + position: the rows before a row are
      // those of the earlier partitions plus its position.
      Column partition = functions.shiftright(col(ROW_ID), POSITION_BITS);
      Map<Long, Long> perPartition = new TreeMap<>();
      for (Row r : mapped.groupBy(partition).count().collectAsList()) {
        perPartition.put(r.getLong(0), r.getLong(1));
      }
      for (Row r :
          fresh.orderBy(ROW_ID).select("reason", ROW_ID).limit(Rejections.SHOWN).collectAsList()) {
        long id = r.getLong(1);
        long number = (id & ((1L << POSITION_BITS) - 1)) + 1;
        for (Map.Entry<Long, Long> e : perPartition.entrySet()) {
          if (e.getKey() < (id >>> POSITION_BITS)) {
            number += e.getValue();
          }
        }
        examples.add(r.getString(0) + ": source row " + number);
      }
    }
    String inDataset = "dataset = " + Rejections.literal(dataset);
    return new Rejections(
        newRows,
        onRecord,
        examples,
        Zone.IDENTIFIABLE.id(),
        Zone.IDENTIFIABLE.id() + "." + LinkJob.UNMAPPED,
        inDataset + " AND " + Rejections.runIdIs(runId),
        inDataset);
  }
}
