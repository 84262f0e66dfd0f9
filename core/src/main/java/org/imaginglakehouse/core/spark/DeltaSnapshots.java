package org.imaginglakehouse.core.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;

/** Delta snapshots read through the log, for version checks that need no query. */
public final class DeltaSnapshots {
  private DeltaSnapshots() {}

  /**
   * The latest snapshot of the table at {@code tablePath}: lists and reads its log, no Spark job.
   */
  public static Snapshot latest(SparkSession spark, String tablePath) {
    return DeltaLog.forTable(spark, tablePath)
        .update(false, scala.Option.empty(), scala.Option.empty());
  }
}
