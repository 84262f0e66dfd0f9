package org.imaginglakehouse.ingest;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.KilledJvm;

/** Runs one ingest in its own JVM (for the kill -9 test): {@code home source batchSize}. */
public final class IngestMain {
  private IngestMain() {}

  public static void main(String[] args) {
    LakehouseConfig config = KilledJvm.childConfig(args[0], Map.of());
    SparkSession spark = KilledJvm.childSession(config);
    KilledJvm.exit(
        spark,
        new IngestJob(
                spark, config, IngestJob.options(config, args[1], Map.of("batch-size", args[2])))
            .execute());
  }
}
