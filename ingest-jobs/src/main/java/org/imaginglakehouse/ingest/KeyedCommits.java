package org.imaginglakehouse.ingest;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.FileAction;
import org.imaginglakehouse.core.job.ConcurrentCommits;
import org.imaginglakehouse.core.spark.DeltaWrites;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Writes a batch's rows to a table with one row per key ({@code file_index} and {@code
 * ingest_errors}, both keyed by {@code file_path}), one row per key even when two ingests read the
 * same file at once.
 *
 * <p>A batch whose keys cannot be in the table yet (files never indexed before; for errors, also
 * none of the table's paths when the run started) is appended, the cheap way, as long as no other
 * run has committed to the table since this run last looked (the version it read before its change
 * test, then each of its own appends). The append is a transaction that reads the whole table, so
 * it is not a blind append: two such appends of two runs conflict, and the one that loses retries.
 * Once another run has written to the table, or the batch's keys may be there, the rows are MERGEd
 * on the key for the rest of the run. Both are retried on conflicts ({@link ConcurrentCommits}). In
 * a fresh JVM the MERGE is the expensive one: 5-7 s for one error row on a cold 100-file ingest,
 * against well under a second for the append.
 */
final class KeyedCommits {
  private final SparkSession spark;
  private final String tablePath;
  private final String table;
  private final String key;
  private final ConcurrentCommits commits;

  /** The table's version after this run's last commit to it; -1 once another run wrote to it. */
  private long ownVersion;

  /**
   * {@code table}: its name in the identifiable zone; {@code key}: the column rows are unique by;
   * {@code startVersion}: the version read before the change test.
   */
  KeyedCommits(
      SparkSession spark,
      String tablePath,
      String table,
      String key,
      long startVersion,
      ConcurrentCommits commits) {
    this.spark = spark;
    this.tablePath = tablePath;
    this.table = table;
    this.key = key;
    this.ownVersion = startVersion;
    this.commits = commits;
  }

  /** Writes {@code rows} ({@code count} of them); {@code mayExist}: some keys may be there. */
  void write(Dataset<Row> rows, long count, boolean mayExist) {
    commits.run(
        "identifiable." + table,
        () -> DeltaWrites.withPolicy(spark, count, () -> attempt(rows, mayExist)));
  }

  private void attempt(Dataset<Row> rows, boolean mayExist) {
    DeltaLog log = DeltaLog.forTable(spark, tablePath);
    OptimisticTransaction txn = log.startTransaction();
    txn.readWholeTable();
    long read = txn.snapshot().version();
    if (!mayExist && read == ownVersion) {
      List<Action> added = new ArrayList<>();
      for (FileAction a : CollectionConverters.asJava(txn.writeFiles(rows))) {
        added.add(a);
      }
      ownVersion =
          txn.commit(
              CollectionConverters.asScala(added).toSeq(),
              DeltaWrites.operation(SaveMode.Append, null));
      return;
    }
    DeltaTable.forPath(spark, tablePath)
        .as("t")
        .merge(rows.as("s"), "t.`" + key + "` = s.`" + key + "`")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
    // Still only this run's commits (the MERGE's is the next version): appends stay possible.
    long now = log.update(false, scala.Option.empty(), scala.Option.empty()).version();
    ownVersion = read == ownVersion && now == read + 1 ? now : -1;
  }
}
