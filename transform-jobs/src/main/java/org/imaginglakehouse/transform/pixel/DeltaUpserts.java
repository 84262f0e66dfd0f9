package org.imaginglakehouse.transform.pixel;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.DeltaWrites;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/** Idempotent writes of the pixel jobs: Delta MERGE on natural keys. */
public final class DeltaUpserts {
  private DeltaUpserts() {}

  /**
   * Inserts new keys and replaces existing ones; creates the table on first write. The rows are
   * counted for the write policy ({@link DeltaWrites}): pass checkpointed or cached rows.
   */
  public static void upsert(SparkSession spark, String path, Dataset<Row> rows, List<String> keys) {
    long count = rows.count();
    if (!DeltaTable.isDeltaTable(spark, path)) {
      DeltaWrites.writer(rows, count).mode("append").save(path);
      return;
    }
    String condition =
        keys.stream()
            .map(k -> "t.`" + k + "` <=> s.`" + k + "`")
            .collect(Collectors.joining(" AND "));
    DeltaWrites.withPolicy(
        spark,
        count,
        () ->
            DeltaTable.forPath(spark, path)
                .as("t")
                .merge(rows.as("s"), condition)
                .whenMatched()
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute());
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

  /**
   * {@link #migrateKeys(SparkSession, String, String, String)} for each of these identifiable
   * tables, timed as the run's step {@code migrate}; the run counts {@code tables_migrated} when it
   * rewrote any.
   */
  public static void migrateKeys(
      SparkSession spark, ZoneLayout layout, RunContext run, String owner, String... tables) {
    int migrated =
        run.time(
            "migrate",
            () -> {
              int n = 0;
              for (String t : tables) {
                if (migrateKeys(spark, layout.table(Zone.IDENTIFIABLE, t), t, owner)) {
                  n++;
                }
              }
              return n;
            });
    if (migrated > 0) {
      run.count("tables_migrated", migrated);
    }
  }

  /**
   * Renames the legacy key columns of a pixel table ({@link KeyColumns#LEGACY}) to their DICOM
   * keywords, keeping every row, column order, type and column metadata. The table is rewritten in
   * one overwrite commit rather than renamed through Delta column mapping, which would upgrade the
   * table protocol for good (reader 2 / writer 5) and leave the old names in the Parquet files; the
   * one commit makes it kill-safe (killed before it, the table is unchanged and the next run
   * rewrites it again) and a concurrent MERGE makes one of the two commits fail instead of mixing
   * layouts. See docs/architecture.md, "Naming".
   *
   * @param table the table's name, for messages and the commit's user metadata
   * @param owner the command that writes the table, for messages
   * @return whether the table was rewritten (false: no table yet, or already current)
   */
  public static boolean migrateKeys(SparkSession spark, String path, String table, String owner) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return false;
    }
    Dataset<Row> current = spark.read().format("delta").load(path);
    Map<String, String> renames =
        KeyColumns.legacyRenames(List.of(current.columns()), table, owner);
    if (renames.isEmpty()) {
      return false;
    }
    List<Column> columns = new ArrayList<>();
    for (StructField f : current.schema().fields()) {
      columns.add(
          col("`" + f.name() + "`").as(renames.getOrDefault(f.name(), f.name()), f.metadata()));
    }
    current
        .select(columns.toArray(new Column[0]))
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .option("userMetadata", "key columns renamed to DICOM keywords: " + renames)
        .save(path);
    return true;
  }
}
