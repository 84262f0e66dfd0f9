package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.verify.Failure;

/**
 * The release gate's tables in a project zone: {@code verification_failures} (what verify found, as
 * hashes and offsets), {@code extraction_status} (one row per extraction: pending, verified, failed
 * or released) and {@code audit} (every release decision: who, when, why, which failures approved).
 */
final class ExtractionState {
  static final String FAILURES = "verification_failures";
  // Not "extractions": that is the directory of the extractions themselves.
  static final String EXTRACTIONS = "extraction_status";
  static final String AUDIT = "audit";

  static final String PENDING = "pending";
  static final String VERIFIED = "verified";
  static final String FAILED = "failed";
  static final String RELEASED = "released";

  static final StructType FAILURE_SCHEMA =
      new StructType()
          .add("extraction_id", DataTypes.StringType, false)
          .add("failure_id", DataTypes.StringType, false)
          .add("path", DataTypes.StringType, false)
          .add("check", DataTypes.StringType, false)
          .add("found_sha256", DataTypes.StringType, true)
          .add("offset", DataTypes.LongType, false)
          .add("severity", DataTypes.StringType, false)
          .add("detail", DataTypes.StringType, true)
          .add("run_id", DataTypes.StringType, false)
          .add("recorded_at", DataTypes.TimestampType, false);

  static final StructType EXTRACTION_SCHEMA =
      new StructType()
          .add("extraction_id", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("files", DataTypes.LongType, true)
          .add("bytes", DataTypes.LongType, true)
          .add("errors", DataTypes.LongType, true)
          .add("warnings", DataTypes.LongType, true)
          .add("verified_list_sha256", DataTypes.StringType, true)
          .add("verify_run_id", DataTypes.StringType, true)
          .add("verified_at", DataTypes.TimestampType, true)
          .add("release_location", DataTypes.StringType, true)
          .add("released_at", DataTypes.TimestampType, true)
          .add("updated_at", DataTypes.TimestampType, false);

  static final StructType AUDIT_SCHEMA =
      new StructType()
          .add("event_id", DataTypes.StringType, false)
          .add("extraction_id", DataTypes.StringType, false)
          .add("decision", DataTypes.StringType, false)
          .add("decided_by", DataTypes.StringType, false)
          .add("decided_at", DataTypes.TimestampType, false)
          .add("reason", DataTypes.StringType, true)
          .add("approved_failure_ids", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("verify_run_id", DataTypes.StringType, true)
          .add("files", DataTypes.LongType, true)
          .add("release_location", DataTypes.StringType, true)
          .add("message", DataTypes.StringType, true)
          .add("run_id", DataTypes.StringType, false);

  /** One row of {@code extraction_status}. */
  record Extraction(
      String id,
      String status,
      long files,
      long bytes,
      long errors,
      long warnings,
      String verifiedListSha256,
      String verifyRunId,
      String releaseLocation) {}

  private final SparkSession spark;
  private final ZoneLayout layout;
  private final String project;

  ExtractionState(SparkSession spark, ZoneLayout layout, String project) {
    this.spark = spark;
    this.layout = layout;
    this.project = project;
  }

  String location(String table) {
    return layout.projectTable(project, table);
  }

  private boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, location(table));
  }

  /** The extraction's row, or null when verify never ran on it. */
  Extraction extraction(String id) {
    if (!exists(EXTRACTIONS)) {
      return null;
    }
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(location(EXTRACTIONS))
            .where(col("extraction_id").equalTo(id))
            .collectAsList();
    if (rows.isEmpty()) {
      return null;
    }
    Row r = rows.get(0);
    return new Extraction(
        id,
        r.getAs("status"),
        orZero(r.getAs("files")),
        orZero(r.getAs("bytes")),
        orZero(r.getAs("errors")),
        orZero(r.getAs("warnings")),
        r.getAs("verified_list_sha256"),
        r.getAs("verify_run_id"),
        r.getAs("release_location"));
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  /** Upserts the extraction's row (one Delta commit). */
  void put(Extraction e, Instant verifiedAt, Instant releasedAt) {
    Timestamp now = Timestamp.from(Instant.now());
    Row row =
        RowFactory.create(
            e.id(),
            e.status(),
            e.files(),
            e.bytes(),
            e.errors(),
            e.warnings(),
            e.verifiedListSha256(),
            e.verifyRunId(),
            verifiedAt == null ? null : Timestamp.from(verifiedAt),
            e.releaseLocation(),
            releasedAt == null ? null : Timestamp.from(releasedAt),
            now);
    Dataset<Row> rows = spark.createDataFrame(List.of(row), EXTRACTION_SCHEMA);
    if (!exists(EXTRACTIONS)) {
      rows.write().format("delta").mode("append").save(location(EXTRACTIONS));
      return;
    }
    DeltaTable.forPath(spark, location(EXTRACTIONS))
        .as("t")
        .merge(rows.as("s"), "t.extraction_id = s.extraction_id")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  /** Replaces the extraction's failures with {@code failures} (one commit). */
  void replaceFailures(String extractionId, List<Failure> failures, String runId) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (Failure f : failures) {
      rows.add(
          RowFactory.create(
              extractionId,
              f.id(),
              f.path(),
              f.check(),
              f.foundSha256(),
              f.offset(),
              f.severity(),
              f.detail(),
              runId,
              now));
    }
    Dataset<Row> ds = spark.createDataFrame(rows, FAILURE_SCHEMA);
    if (!exists(FAILURES)) {
      ds.write().format("delta").mode("append").save(location(FAILURES));
    } else {
      ds.write()
          .format("delta")
          .mode("overwrite")
          .option("replaceWhere", "extraction_id = '" + extractionId + "'")
          .save(location(FAILURES));
    }
  }

  /** The ids of the extraction's failures of severity error. */
  List<String> errorIds(String extractionId) {
    if (!exists(FAILURES)) {
      return List.of();
    }
    return spark
        .read()
        .format("delta")
        .load(location(FAILURES))
        .where(
            col("extraction_id").equalTo(extractionId).and(col("severity").equalTo(Failure.ERROR)))
        .select("failure_id")
        .orderBy("failure_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  /** Appends one decision to {@code audit}. */
  void audit(
      String extractionId,
      String decision,
      String decidedBy,
      String reason,
      List<String> approved,
      String verifyRunId,
      long files,
      String releaseLocation,
      String message,
      String runId) {
    Row row =
        RowFactory.create(
            java.util.UUID.randomUUID().toString(),
            extractionId,
            decision,
            decidedBy,
            Timestamp.from(Instant.now()),
            reason,
            approved.toArray(String[]::new),
            verifyRunId,
            files,
            releaseLocation,
            message,
            runId);
    spark
        .createDataFrame(List.of(row), AUDIT_SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .save(location(AUDIT));
  }
}
