package org.imaginglakehouse.ingest;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.LakehouseSessions;

/** Runs one ingest in its own JVM (for the kill -9 test): {@code home source batchSize}. */
public final class IngestMain {
  private IngestMain() {}

  public static void main(String[] args) {
    LakehouseConfig config =
        LakehouseConfig.builder()
            .flag(LakehouseConfig.HOME, args[0])
            .flag("spark.master", "local[2]")
            .flag("spark.console-progress", "false")
            .flag("spark.conf.spark.sql.shuffle.partitions", "2")
            .flag("spark.conf.spark.databricks.delta.snapshotPartitions", "1")
            .build();
    SparkSession spark = LakehouseSessions.create(config);
    spark.sparkContext().setLogLevel("WARN");
    IngestResult result =
        new IngestJob(
                spark, config, IngestJob.options(config, args[1], Map.of("batch-size", args[2])))
            .execute();
    System.out.println(result.summary());
    spark.stop();
    System.exit(result.status().exitCode() == 1 ? 1 : 0);
  }
}
