package org.imaginglakehouse.transform.pixel;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Idempotent writes of the pixel jobs: Delta MERGE on natural keys. */
public final class DeltaUpserts {
  private DeltaUpserts() {}

  /** Inserts new keys and replaces existing ones; creates the table on first write. */
  public static void upsert(SparkSession spark, String path, Dataset<Row> rows, List<String> keys) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      rows.write().format("delta").mode("append").save(path);
      return;
    }
    String condition =
        keys.stream()
            .map(k -> "t.`" + k + "` <=> s.`" + k + "`")
            .collect(Collectors.joining(" AND "));
    DeltaTable.forPath(spark, path)
        .as("t")
        .merge(rows.as("s"), condition)
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  /** Deletes the rows whose {@code key} appears in {@code keys} (no-op when the table is new). */
  public static void deleteMatching(
      SparkSession spark, String path, Dataset<Row> keys, String key) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return;
    }
    DeltaTable.forPath(spark, path)
        .as("t")
        .merge(keys.select(key).distinct().as("s"), "t.`" + key + "` = s.`" + key + "`")
        .whenMatched()
        .delete()
        .execute();
  }
}
