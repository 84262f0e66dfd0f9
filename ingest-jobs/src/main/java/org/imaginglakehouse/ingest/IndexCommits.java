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
 * Writes a batch's rows to {@code file_index}, one row per file even when two ingests read the same
 * file at once.
 *
 * <p>A batch of files never indexed before is appended, the cheap way, as long as no other run has
 * committed to the index since this run last looked (the version its change test read, then each of
 * its own appends). The append is a transaction that reads the whole table, so it is not a blind
 * append: two such appends of two runs conflict, and the one that loses retries. Once another run
 * has written to the index, or the batch holds files indexed before, the rows are MERGEd on {@code
 * file_path} for the rest of the run (the file may be there now). Both are retried on conflicts
 * ({@link ConcurrentCommits}).
 */
final class IndexCommits {
  private final SparkSession spark;
  private final String indexPath;
  private final ConcurrentCommits commits;

  /** The index version after this run's last commit to it; -1 once another run wrote to it. */
  private long ownVersion;

  /** {@code startVersion}: the version of the index the change test read. */
  IndexCommits(SparkSession spark, String indexPath, long startVersion, ConcurrentCommits commits) {
    this.spark = spark;
    this.indexPath = indexPath;
    this.ownVersion = startVersion;
    this.commits = commits;
  }

  /** Writes {@code rows} ({@code count} of them); {@code mayExist}: some files were indexed. */
  void write(Dataset<Row> rows, long count, boolean mayExist) {
    commits.run(
        "identifiable." + IngestSchemas.FILE_INDEX,
        () -> DeltaWrites.withPolicy(spark, count, () -> attempt(rows, mayExist)));
  }

  private void attempt(Dataset<Row> rows, boolean mayExist) {
    DeltaLog log = DeltaLog.forTable(spark, indexPath);
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
    DeltaTable.forPath(spark, indexPath)
        .as("t")
        .merge(rows.as("s"), "t.file_path = s.file_path")
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
