package org.imaginglakehouse.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.job.ConcurrentCommits;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.DeltaWrites;
import org.imaginglakehouse.ingest.SopSettlement.Decision;
import org.imaginglakehouse.ingest.SopSettlement.SopRow;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Settles one batch's duplicates in {@code instances} ({@link SopSettlement}'s rule) so that two
 * ingests running at once end with one row per SOPInstanceUID.
 *
 * <p>The decision and the deletion are one Delta transaction: it reads the latest version of the
 * table (registered as a read of the whole table), decides from the rows there, and commits the
 * losing rows' deletion vectors ({@link DeletionVectorMarks}). A commit of another run in between
 * that deleted or rewrote rows (its own settle, an OPTIMIZE) fails this commit, and the step starts
 * again from the new version ({@link ConcurrentCommits}); another run's plain append does not,
 * since the rule never lets a batch give way to a row it has not seen. Which UIDs to look up: those
 * the table had when the run started ({@link KeyFingerprints}), those of the run's own batches,
 * and, once another run committed to the table during this one (its commits carry no marker of this
 * run), every UID of the table at the version the batch decides on.
 */
final class InstanceSettle {
  /** Session key Delta records with each commit as its {@code userMetadata}. */
  static final String USER_METADATA_CONF = "spark.databricks.delta.commitInfo.userMetadata";

  private static final StructType DELETE_KEYS =
      new StructType()
          .add("d_sop", DataTypes.StringType, false)
          .add("d_path", DataTypes.StringType, false)
          .add("d_run", DataTypes.StringType, false);

  private final SparkSession spark;
  private final String instancesPath;
  private final String runId;
  private final String marker;
  private final ConcurrentCommits commits;
  private final KeyFingerprints knownSops = new KeyFingerprints("SOPInstanceUID");

  /** Version whose UIDs are in {@link #knownSops} yet to read, or -1. */
  private long unreadVersion;

  /** The last version whose commits were checked for other runs' rows. */
  private long scannedVersion;

  /**
   * {@code startVersion}: the version of instances when the run started (-1: no table); {@code
   * startHasRows}: whether it had rows then.
   */
  InstanceSettle(
      SparkSession spark,
      String instancesPath,
      String runId,
      long startVersion,
      boolean startHasRows,
      ConcurrentCommits commits) {
    this.spark = spark;
    this.instancesPath = instancesPath;
    this.runId = runId;
    this.marker = marker(runId);
    this.commits = commits;
    this.unreadVersion = startHasRows ? startVersion : -1;
    this.scannedVersion = startVersion;
  }

  /** The {@code userMetadata} of every commit of the ingest run {@code runId}. */
  static String marker(String runId) {
    return "lakehouse ingest " + runId;
  }

  /**
   * Settles the batch whose files are {@code pathsBySop} (per UID) and {@code checksums} (per file)
   * and returns the decision; retried on conflicting commits.
   */
  Decision settle(
      RunContext run, SortedMap<String, List<String>> pathsBySop, Map<String, String> checksums) {
    Decision decision =
        commits.retry(
            "identifiable." + IngestSchemas.INSTANCES, () -> attempt(run, pathsBySop, checksums));
    knownSops.add(pathsBySop.keySet());
    return decision;
  }

  private Decision attempt(
      RunContext run, SortedMap<String, List<String>> pathsBySop, Map<String, String> checksums) {
    DeltaLog log = DeltaLog.forTable(spark, instancesPath);
    OptimisticTransaction txn = log.startTransaction();
    txn.readWholeTable();
    long version = txn.snapshot().version();
    var hadoop = spark.sparkContext().hadoopConfiguration();
    if (unreadVersion >= 0) {
      long v = unreadVersion;
      run.time("sop_fingerprints", () -> knownSops.addTable(hadoop, instancesPath, v));
      unreadVersion = -1;
    }
    if (version > scannedVersion) {
      if (othersCommitted(log, version)) {
        // Another run wrote rows since: their UIDs join the ones this run looks up.
        run.time("sop_fingerprints", () -> knownSops.addTable(hadoop, instancesPath, version));
      }
      scannedVersion = version;
    }
    Set<String> batchPaths = checksums.keySet();
    Set<String> candidates = knownSops.candidates(pathsBySop.keySet());
    List<SopRow> present = new ArrayList<>();
    if (!candidates.isEmpty()) {
      rowsAt(version, candidates).forEach((row, file) -> present.add(row));
    }
    Decision decision =
        SopSettlement.decide(
            runId, pathsBySop, SopSettlement.earliestOthers(present, runId, batchPaths), checksums);
    if (decision.fixes().isEmpty()) {
      return decision;
    }
    List<Row> deleted = new ArrayList<>();
    Set<String> files = new HashSet<>();
    rowsAt(version, decision.fixes().keySet())
        .forEach(
            (r, file) -> {
              if (SopSettlement.deletes(r, decision.fixes(), runId, batchPaths)) {
                deleted.add(RowFactory.create(r.sop(), r.path(), r.runId()));
                files.add(file);
              }
            });
    if (deleted.isEmpty()) {
      return decision;
    }
    run.add("instance_rows_settled", deleted.size());
    Dataset<Row> keys = spark.createDataFrame(deleted, DELETE_KEYS);
    Column match =
        col("SOPInstanceUID")
            .equalTo(col("d_sop"))
            .and(col("file_path").equalTo(col("d_path")))
            .and(col("ingest_run_id").equalTo(col("d_run")));
    List<AddFile> targets = new ArrayList<>();
    for (AddFile f : CollectionConverters.asJava(txn.filterFiles())) {
      if (files.contains(new org.apache.hadoop.fs.Path(f.path()).getName())) {
        targets.add(f);
      }
    }
    List<Action> actions = new ArrayList<>();
    if (DeletionVectorMarks.writable(txn.snapshot())) {
      // The losing rows marked deleted; their files (and every other row's header) stay as written.
      actions.addAll(DeletionVectorMarks.mark(spark, log, txn.snapshot(), targets, keys, match));
    } else {
      // A table without deletion vectors (turned off by hand): its files rewritten without them.
      Dataset<Row> kept =
          at(version)
              .where(col("_metadata.file_name").isin(files.toArray()))
              .join(broadcast(keys), match, "left_anti");
      for (AddFile f : targets) {
        actions.add(f.remove());
      }
      for (FileAction a : CollectionConverters.asJava(txn.writeFiles(kept))) {
        actions.add(a);
      }
    }
    txn.commit(
        CollectionConverters.asScala(actions).toSeq(),
        // Recorded as an overwrite of the rows of the settled UIDs' files (a Delete operation
        // would need the metrics only Delta's DELETE command collects).
        DeltaWrites.operation(SaveMode.Overwrite, "settle duplicate SOPInstanceUIDs"));
    return decision;
  }

  /** The table at {@code version}. */
  private Dataset<Row> at(long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(instancesPath);
  }

  /** The rows of the given UIDs at {@code version}, each with the name of its data file. */
  private Map<SopRow, String> rowsAt(long version, Collection<String> sops) {
    Dataset<Row> rows =
        withSops(at(version), sops)
            .select(
                col("SOPInstanceUID"),
                col("file_path"),
                col("ingest_run_id"),
                col("file_checksum"),
                functions.unix_micros(col("ingest_time")),
                col("_metadata.file_name"));
    Map<SopRow, String> out = new java.util.LinkedHashMap<>();
    for (Row r : rows.collectAsList()) {
      out.put(
          new SopRow(
              r.getString(0),
              r.getString(1),
              r.getString(2),
              r.getString(3),
              r.isNullAt(4) ? 0 : r.getLong(4)),
          r.getString(5));
    }
    return out;
  }

  /** Rows whose UID is one of {@code sops}: an IN list when few, else a broadcast semi-join. */
  private Dataset<Row> withSops(Dataset<Row> frame, Collection<String> sops) {
    if (sops.size() <= 1_000) {
      return frame.where(col("SOPInstanceUID").isin(sops.toArray()));
    }
    List<Row> rows = new ArrayList<>(sops.size());
    for (String sop : sops) {
      rows.add(RowFactory.create(sop));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    StructType schema = new StructType().add("w_sop", DataTypes.StringType, false);
    Dataset<Row> keys =
        spark.createDataFrame(
            jsc.parallelize(
                rows, Math.max(1, Math.min(jsc.defaultParallelism(), rows.size() / 5000))),
            schema);
    return frame.join(broadcast(keys), col("SOPInstanceUID").equalTo(col("w_sop")), "left_semi");
  }

  /**
   * Whether a commit after {@link #scannedVersion} up to {@code version} added files and is not
   * this run's (its {@code userMetadata} is not {@link #marker}). Reads only those commit files; a
   * log that no longer has them counts as another run's.
   */
  private boolean othersCommitted(DeltaLog log, long version) {
    try {
      Iterator<Tuple2<Object, scala.collection.immutable.Seq<Action>>> changes =
          CollectionConverters.asJava(
              log.getChanges(scannedVersion + 1, scala.Option.empty(), true));
      while (changes.hasNext()) {
        Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = changes.next();
        if ((Long) commit._1() > version) {
          break;
        }
        boolean own = false;
        boolean adds = false;
        for (Action a : CollectionConverters.asJava(commit._2())) {
          if (a instanceof CommitInfo info) {
            own = info.userMetadata().isDefined() && marker.equals(info.userMetadata().get());
          } else if (a instanceof AddFile) {
            adds = true;
          }
        }
        if (adds && !own) {
          return true;
        }
      }
      return false;
    } catch (RuntimeException unreadableLog) {
      return true;
    }
  }
}
