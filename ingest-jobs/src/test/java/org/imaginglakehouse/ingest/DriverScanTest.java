package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

class DriverScanTest extends SparkTestBase {
  private static final StructType COLUMNS =
      new StructType().add("name", StringType.STRING).add("n", LongType.LONG);

  @Test
  void readsEveryLiveRowOfEveryFileAtTheAskedVersion() {
    String table = tempDir.resolve("driver-scan").toString();
    // Deletion vectors on, and rows spread over several files: a deleted row must not be read.
    spark()
        .sql(
            "CREATE TABLE delta.`"
                + table
                + "` (n BIGINT, name STRING) USING delta"
                + " TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')");
    spark()
        .range(0, 1000, 1, 4)
        .selectExpr("id AS n", "concat('row-', id) AS name")
        .write()
        .format("delta")
        .mode("append")
        .option("optimizeWrite", "false")
        .save(table);
    spark().sql("DELETE FROM delta.`" + table + "` WHERE n % 10 = 3");
    assertThat(
            spark()
                .sql("DESCRIBE HISTORY delta.`" + table + "`")
                .where("operation = 'DELETE'")
                .selectExpr("operationMetrics['numDeletionVectorsAdded']")
                .as(org.apache.spark.sql.Encoders.STRING())
                .first())
        .isNotEqualTo("0");
    Configuration conf = spark().sparkContext().hadoopConfiguration();

    List<List<String>> latest =
        DriverScan.read(
            conf,
            table,
            DriverScan.LATEST,
            COLUMNS,
            ArrayList::new,
            (into, batch, row) ->
                into.add(
                    batch.getColumnVector(0).getString(row)
                        + "="
                        + batch.getColumnVector(1).getLong(row)));
    TreeSet<String> rows = new TreeSet<>();
    latest.forEach(rows::addAll);
    assertThat(latest).hasSizeGreaterThan(1);
    assertThat(rows).hasSize(900).contains("row-0=0", "row-999=999").doesNotContain("row-3=3");

    List<LongList> beforeDelete =
        DriverScan.read(
            conf,
            table,
            1,
            COLUMNS,
            LongList::new,
            (into, batch, row) -> into.add(batch.getColumnVector(1).getLong(row)));
    assertThat(LongList.sorted(beforeDelete)).hasSize(1000).contains(3L);
  }

  @Test
  void aMissingTableIsAClearError() {
    assertThatThrownBy(
            () ->
                DriverScan.read(
                    spark().sparkContext().hadoopConfiguration(),
                    tempDir.resolve("no-such-table").toString(),
                    DriverScan.LATEST,
                    COLUMNS,
                    LongList::new,
                    (into, batch, row) -> into.add(1)))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("no-such-table");
  }
}
