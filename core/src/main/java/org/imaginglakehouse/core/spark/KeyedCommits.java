package org.imaginglakehouse.core.spark;

import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.FileAction;
import org.imaginglakehouse.core.job.ConcurrentCommits;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Writes rows to a Delta table that holds one row per key (ingest's {@code file_index} and {@code
 * ingest_errors} by {@code file_path}; an extraction's {@code files} by extraction and SOP), one
 * row per key even when two runs write the same keys at once.
 *
 * <p>Rows whose keys cannot be in the table yet (the caller knows: files never indexed before,
 * instances that were not in the table when the run read it) are appended, the cheap way, as long
 * as no other run has committed to the table since this run last looked (the version the caller
 * read its keys at, then each of its own appends). The append is a transaction that reads the whole
 * table, so it is not a blind append: two such appends of two runs conflict, and the one that loses
 * retries. Once another run has written to the table, or the rows' keys may be there, they are
 * MERGEd on the key for the rest of the run. Both are retried on conflicts ({@link
 * ConcurrentCommits}). In a fresh JVM the MERGE is the expensive one: 5-7 s for one error row on a
 * cold 100-file ingest, against well under a second for the append.
 */
public final class KeyedCommits {
  private final SparkSession spark;
  private final String tablePath;
  private final String table;
  private final List<String> key;
  private final boolean updateMatched;
  private final ConcurrentCommits commits;

  /** The table's version after this run's last commit to it; -1 once another run wrote to it. */
  private long ownVersion;

  /**
   * {@code table}: its qualified name, for messages; {@code key}: the columns rows are unique by;
   * {@code updateMatched}: whether a row whose key is there replaces it (else it is left as it is);
   * {@code startVersion}: the version at which the caller learnt which keys are there (-1: unknown,
   * every write MERGEs).
   */
  public KeyedCommits(
      SparkSession spark,
      String tablePath,
      String table,
      List<String> key,
      boolean updateMatched,
      long startVersion,
      ConcurrentCommits commits) {
    this.spark = spark;
    this.tablePath = tablePath;
    this.table = table;
    this.key = List.copyOf(key);
    this.updateMatched = updateMatched;
    this.ownVersion = startVersion;
    this.commits = commits;
  }

  /** Writes {@code rows} ({@code count} of them); {@code mayExist}: some keys may be there. */
  public void write(Dataset<Row> rows, long count, boolean mayExist) {
    commits.run(table, () -> DeltaWrites.withPolicy(spark, count, () -> attempt(rows, mayExist)));
  }

  /** The MERGE condition of rows {@code s} and table {@code t} that match on {@code key}. */
  public static String matchOn(List<String> key) {
    return key.stream()
        .map(c -> "t.`" + c + "` = s.`" + c + "`")
        .collect(Collectors.joining(" AND "));
  }

  private void attempt(Dataset<Row> rows, boolean mayExist) {
    DeltaLog log = DeltaLog.forTable(spark, tablePath);
    OptimisticTransaction txn = log.startTransaction();
    txn.readWholeTable();
    long read = txn.snapshot().version();
    if (!mayExist && ownVersion >= 0 && read == ownVersion) {
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
    DeltaMergeBuilder merge =
        DeltaTable.forPath(spark, tablePath).as("t").merge(rows.as("s"), matchOn(key));
    (updateMatched ? merge.whenMatched().updateAll() : merge)
        .whenNotMatched()
        .insertAll()
        .execute();
    // Still only this run's commits (the MERGE's is the next version): appends stay possible.
    long now = DeltaSnapshots.latest(spark, tablePath).version();
    ownVersion = ownVersion >= 0 && read == ownVersion && now == read + 1 ? now : -1;
  }
}
