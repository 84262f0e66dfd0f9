package org.imaginglakehouse.core.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jobs' write policy ({@link DeltaWrites}) in the session every job gets: a write or a MERGE of
 * many rows read from several input files is written by more than one task (the session's optimized
 * write would bin it into one task per 512 MB, encoding its Parquet on one core), while a small
 * write still makes one file, and the session's setting is back after a MERGE.
 */
class ParallelWritesTest extends SparkTestBase {
  private static final int ROWS = 200_000;
  private static final int INPUT_FILES = 4;
  private static Dataset<Row> source;

  @BeforeAll
  static void writeSourceFiles() {
    SparkSession spark = spark();
    String input = tempDir.resolve("input").toString();
    // Incompressible 64-character values: ~15 MB of shuffle data, well above the 1 MB minimum
    // partition size adaptive execution coalesces MERGE output down to.
    spark
        .range(ROWS)
        .select(
            col("id").as("key"),
            sha2(concat(lit("value "), col("id").cast("string")), 256).as("value"))
        .repartition(INPUT_FILES)
        .write()
        .parquet(input);
    source = spark.read().parquet(input);
    assertThat(source.rdd().getNumPartitions()).isGreaterThan(1);
  }

  @Test
  void appendOfManyRowsIsWrittenByMoreThanOneTask() {
    String table = tempDir.resolve("appended").toString();
    // The policy goes by the row count its caller gives: here the smallest it writes in parallel.
    DeltaWrites.writer(source, DeltaWrites.DEFAULT_PARALLEL_MIN_ROWS).mode("append").save(table);

    assertThat(lastOperationMetric(table, "numFiles")).isGreaterThan(1);
  }

  @Test
  void aSmallWriteFromManyTasksIsOneFile() {
    String table = tempDir.resolve("small").toString();
    Dataset<Row> few = source.where(col("key").lt(1000));
    assertThat(few.rdd().getNumPartitions()).isGreaterThan(1);

    DeltaWrites.writer(few, DeltaWrites.DEFAULT_PARALLEL_MIN_ROWS - 1).mode("append").save(table);

    assertThat(lastOperationMetric(table, "numFiles")).isEqualTo(1);
  }

  @Test
  void mergeOfManyRowsIsWrittenByMoreThanOneTask() {
    String table = tempDir.resolve("merged").toString();
    source.where(col("key").lt(10)).write().format("delta").mode("append").save(table);

    String before = spark().conf().get(DeltaWrites.OPTIMIZE_WRITE_CONF);

    DeltaWrites.withPolicy(
        spark(),
        DeltaWrites.DEFAULT_PARALLEL_MIN_ROWS,
        () ->
            DeltaTable.forPath(spark(), table)
                .as("t")
                .merge(source.as("s"), "t.key = s.key")
                .whenMatched()
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute());

    assertThat(lastOperationMetric(table, "numTargetFilesAdded")).isGreaterThan(1);
    assertThat(spark().read().format("delta").load(table).count()).isEqualTo(ROWS);
    assertThat(spark().conf().get(DeltaWrites.OPTIMIZE_WRITE_CONF)).isEqualTo(before);
  }

  @Test
  void withoutThePolicyTheSessionWritesOneFile() {
    // The reason for the policy: the session's own default bins this write into one task.
    String table = tempDir.resolve("session-default").toString();
    source.write().format("delta").mode("append").save(table);

    assertThat(lastOperationMetric(table, "numFiles")).isEqualTo(1);
  }

  /** A metric of the table's latest commit, from its history. */
  private static long lastOperationMetric(String table, String metric) {
    Row last = DeltaTable.forPath(spark(), table).history(1).select("operationMetrics").first();
    Map<String, String> metrics = last.getJavaMap(0);
    assertThat(metrics).containsKey(metric);
    return Long.parseLong(metrics.get(metric));
  }
}
