package org.imaginglakehouse.core.job;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.delta.actions.RemoveFile;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.BuildInfo;
import org.imaginglakehouse.core.config.Secrets;
import org.imaginglakehouse.core.spark.DeltaWrites;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code <zone>.job_runs} Delta table: one row per run, written as {@code RUNNING} when the run
 * starts and replaced by the final row when it ends. A run killed with -9 stays {@code RUNNING},
 * which is what happened.
 *
 * <p>The start row goes into a data file of its own, and the end replaces that file in one Delta
 * commit (remove it, add the final row's file), through Delta's transaction API. A MERGE on {@code
 * run_id} did the same but scanned and joined the table: 1.6-2.3 s per run warm and 5-8 s as the
 * first MERGE of a process, a large share of a small or incremental ingest. When the start file is
 * no longer in the table (an OPTIMIZE of the zone compacted it while the run went on), the schema
 * is not this class's, or a concurrent commit conflicts, the row is completed with the MERGE.
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

  /** {@link #SCHEMA} as Delta stores it: a DataFrame write makes every column nullable. */
  private static final StructType STORED_SCHEMA =
      new StructType(
          Arrays.stream(SCHEMA.fields())
              .map(f -> new StructField(f.name(), f.dataType(), true, f.metadata()))
              .toArray(StructField[]::new));

  private final SparkSession spark;
  private final String location;
  private Map<String, String> options = Map.of();

  /** The data file holding only this run's start row, and the version that added it. */
  private AddFile startFile;

  private long startVersion;

  public JobRunLog(SparkSession spark, String location) {
    this.spark = spark;
    this.location = location;
  }

  void started(String job, String runId, Instant startedAt, Map<String, String> options) {
    this.options = options;
    Dataset<Row> row =
        frame(
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
    pinSession();
    // Two runs starting on a fresh home both create the table: the one whose creation loses the
    // race retries and finds it there.
    commits(job).creating(label(), () -> appendStartRow(row));
  }

  private void appendStartRow(Dataset<Row> row) {
    if (!DeltaTable.isDeltaTable(spark, location)) {
      // Creates the table (schema and protocol, no data) so that the row below gets a file of its
      // own, whose path the end of the run needs. One commit and no Spark job (an empty DataFrame
      // write ran one), with the schema a DataFrame write stores.
      DeltaTable.createIfNotExists(spark).location(location).addColumns(STORED_SCHEMA).execute();
    }
    OptimisticTransaction txn = DeltaLog.forTable(spark, location).startTransaction();
    if (!txn.metadata().schema().equals(STORED_SCHEMA)) {
      // Not this version's schema: the DataFrame writer checks it and says what differs.
      row.write().format("delta").mode("append").save(location);
      return;
    }
    // A new run id has no row yet: a blind append, which never conflicts with other runs' rows.
    List<AddFile> added = addedFiles(txn.writeFiles(row));
    long version = txn.commit(seq(added), write(SaveMode.Append, null));
    if (added.size() == 1) {
      startFile = added.get(0);
      startVersion = version;
    }
  }

  private String label() {
    return "job_runs (" + location + ")";
  }

  private static ConcurrentCommits commits(String job) {
    return ConcurrentCommits.of(job);
  }

  void finished(JobResult result) {
    Dataset<Row> row =
        frame(
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
    pinSession();
    if (!replaceStartFile(row, result.runId())) {
      // A MERGE reads the table afresh on each attempt.
      commits(result.job()).run(label(), () -> upsert(row));
    }
  }

  /**
   * Replaces the start row's file by one holding {@code row}, in one commit; false (nothing
   * committed) when that file is gone or the commit conflicts.
   */
  private boolean replaceStartFile(Dataset<Row> row, String runId) {
    if (startFile == null) {
      return false;
    }
    DeltaLog log = DeltaLog.forTable(spark, location);
    OptimisticTransaction txn = log.startTransaction();
    if (!txn.metadata().schema().equals(STORED_SCHEMA)
        || removedSince(log, txn.snapshot().version(), startFile.path())) {
      return false;
    }
    List<Action> actions = new ArrayList<>();
    actions.add(startFile.remove());
    actions.addAll(addedFiles(txn.writeFiles(row)));
    try {
      // A concurrent commit that removed the start file too fails this one; nothing is written.
      txn.commit(seq(actions), write(SaveMode.Overwrite, "run_id = '" + runId + "'"));
      return true;
    } catch (ConcurrentModificationException e) {
      return false;
    }
  }

  /**
   * Whether a commit after the start row's removed its file (an OPTIMIZE, say). Reads only the
   * commit files in between, usually none or a few: no Spark job.
   */
  private boolean removedSince(DeltaLog log, long latest, String path) {
    if (latest == startVersion) {
      return false;
    }
    try {
      Iterator<Tuple2<Object, Seq<Action>>> commits =
          CollectionConverters.asJava(log.getChanges(startVersion + 1, scala.Option.empty(), true));
      while (commits.hasNext()) {
        Tuple2<Object, Seq<Action>> commit = commits.next();
        if ((Long) commit._1() > latest) {
          break;
        }
        for (Action action : CollectionConverters.asJava(commit._2())) {
          if (action instanceof RemoveFile removed && removed.path().equals(path)) {
            return true;
          }
        }
      }
      return false;
    } catch (RuntimeException unreadableLog) {
      // Commit files already cleaned up (a run longer than the log retention): cannot tell.
      return true;
    }
  }

  private Dataset<Row> frame(Row row) {
    return spark.createDataFrame(List.of(row), SCHEMA);
  }

  private static List<AddFile> addedFiles(Seq<FileAction> actions) {
    List<AddFile> added = new ArrayList<>();
    for (FileAction action : CollectionConverters.asJava(actions)) {
      added.add((AddFile) action);
    }
    return added;
  }

  private static <T> Seq<T> seq(List<? extends T> items) {
    return CollectionConverters.asScala(new ArrayList<T>(items)).toSeq();
  }

  /** The operation recorded in the table history, as a DataFrame write would record it. */
  private static DeltaOperations.Write write(SaveMode mode, String predicate) {
    return DeltaWrites.operation(mode, predicate);
  }

  private void pinSession() {
    // Delta resolves the session from thread state; a job's own threads may have changed it.
    SparkSession.setActiveSession(spark);
    SparkSession.setDefaultSession(spark);
  }

  private void upsert(Dataset<Row> update) {
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
