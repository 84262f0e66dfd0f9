package org.imaginglakehouse.core.job;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.BuildInfo;
import org.imaginglakehouse.core.config.Secrets;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code <zone>.job_runs} Delta table: one row per run, MERGEd on {@code run_id} so the start
 * row is completed in place. A run killed with -9 stays {@code RUNNING}, which is what happened.
 */
public final class JobRunLog {
  public static final String TABLE = "job_runs";

  public static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("job", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, true)
          .add("duration_ms", DataTypes.LongType, true)
          .add("options", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
          .add("counts", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
          .add(
              "timings_ms", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
          .add("error", DataTypes.StringType, true)
          .add("lakehouse_version", DataTypes.StringType, true)
          .add("run_by", DataTypes.StringType, true);

  private final SparkSession spark;
  private final String location;
  private Map<String, String> options = Map.of();

  public JobRunLog(SparkSession spark, String location) {
    this.spark = spark;
    this.location = location;
  }

  void started(String job, String runId, Instant startedAt, Map<String, String> options) {
    this.options = options;
    // A new run id has no row yet: an append is enough (and cheaper than a MERGE).
    append(
        RowFactory.create(
            runId,
            job,
            JobStatus.RUNNING.name(),
            Timestamp.from(startedAt),
            null,
            null,
            CollectionConverters.asScala(options),
            null,
            null,
            null,
            BuildInfo.projectVersion(),
            System.getProperty("user.name")));
  }

  void finished(JobResult result) {
    upsert(
        RowFactory.create(
            result.runId(),
            result.job(),
            result.status().name(),
            Timestamp.from(result.startedAt()),
            Timestamp.from(result.endedAt()),
            result.duration().toMillis(),
            CollectionConverters.asScala(options),
            CollectionConverters.asScala(result.counts()),
            CollectionConverters.asScala(result.timingsMillis()),
            Secrets.redact(result.error()),
            BuildInfo.projectVersion(),
            System.getProperty("user.name")));
  }

  private void append(Row row) {
    pinSession();
    spark
        .createDataFrame(List.of(row), SCHEMA)
        .write()
        .format("delta")
        .mode("append")
        .save(location);
  }

  private void pinSession() {
    // Delta resolves the session from thread state; a job's own threads may have changed it.
    SparkSession.setActiveSession(spark);
    SparkSession.setDefaultSession(spark);
  }

  private void upsert(Row row) {
    pinSession();
    Dataset<Row> update = spark.createDataFrame(List.of(row), SCHEMA);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      update.write().format("delta").mode("append").save(location);
      return;
    }
    DeltaTable.forPath(spark, location)
        .as("t")
        .merge(update.as("s"), "t.run_id = s.run_id")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }
}
