package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.imaginglakehouse.core.job.ConcurrentCommits;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyedCommits}: new keys are appended while only this run writes to the table; once another
 * run has written to it (or the keys may be there) rows are MERGEd, so a key is never there twice;
 * matched rows are replaced or left as they are, as asked.
 */
class KeyedCommitsTest extends SparkTestBase {

  @Test
  void appendsWhileTheTableIsItsOwnAndMergesOnceAnotherRunWroteToIt() {
    SparkSession spark = spark();
    String path = tempDir.resolve("keyed-append").toString();
    rows("a1", "x", "first").write().format("delta").save(path);
    KeyedCommits commits = commits(path, false, version(path));

    commits.write(rows("a2", "x", "mine"), 1, false);
    commits.write(rows("a3", "x", "mine"), 1, false);
    assertThat(operations(path)).containsExactly("WRITE", "WRITE", "WRITE");

    // Another run records a3 (already there) and a4 of the same extraction.
    DeltaTable.forPath(spark, path)
        .as("t")
        .merge(
            rows("a3", "x", "other").union(rows("a4", "x", "other")).as("s"),
            "t.extraction = s.extraction AND t.sop = s.sop")
        .whenNotMatched()
        .insertAll()
        .execute();
    // Its a4 was not there when this run read the table: this run's append would duplicate it.
    commits.write(rows("a4", "x", "mine").union(rows("a5", "x", "mine")), 2, false);
    assertThat(operations(path)).endsWith("MERGE", "MERGE");
    assertThat(keysAndValues(path))
        .containsExactly("a1/x=first", "a2/x=mine", "a3/x=mine", "a4/x=other", "a5/x=mine");

    // Once another run wrote, every later write of this run MERGEs too: an append would add a5
    // a second time.
    commits.write(rows("a5", "x", "again"), 1, false);
    assertThat(keysAndValues(path)).hasSize(5).contains("a5/x=mine");
  }

  @Test
  void rowsWhoseKeysMayBeThereAreMergedAndReplaceWhenAsked() {
    String path = tempDir.resolve("keyed-replace").toString();
    rows("b1", "x", "first").union(rows("b1", "y", "first")).write().format("delta").save(path);
    KeyedCommits commits = commits(path, true, version(path));

    commits.write(rows("b1", "x", "second").union(rows("b2", "x", "second")), 2, true);
    assertThat(operations(path)).containsExactly("WRITE", "MERGE");
    assertThat(keysAndValues(path)).containsExactly("b1/x=second", "b1/y=first", "b2/x=second");
    // Its own MERGE was the only commit since: new keys are appended again.
    commits.write(rows("b3", "x", "third"), 1, false);
    assertThat(operations(path)).containsExactly("WRITE", "MERGE", "WRITE");
  }

  private static KeyedCommits commits(String path, boolean updateMatched, long version) {
    return new KeyedCommits(
        spark(),
        path,
        "test.keyed",
        List.of("sop", "extraction"),
        updateMatched,
        version,
        new ConcurrentCommits("test", 2, 1));
  }

  private static Dataset<Row> rows(String sop, String extraction, String value) {
    return spark()
        .sql(
            "SELECT '"
                + sop
                + "' AS sop, '"
                + extraction
                + "' AS extraction, '"
                + value
                + "' AS value");
  }

  private static long version(String path) {
    return DeltaLog.forTable(spark(), path)
        .update(false, scala.Option.empty(), scala.Option.empty())
        .version();
  }

  private static List<String> operations(String path) {
    return DeltaTable.forPath(spark(), path)
        .history()
        .orderBy("version")
        .select("operation")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private static List<String> keysAndValues(String path) {
    return spark()
        .read()
        .format("delta")
        .load(path)
        .orderBy("sop", "extraction")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0) + "/" + r.getString(1) + "=" + r.getString(2))
        .toList();
  }
}
