package org.imaginglakehouse.transform.promote;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;

/** Runs one promote in its own JVM (for the kill -9 test): {@code home mappingCsv}. */
public final class PromoteMain {
  private PromoteMain() {}

  public static void main(String[] args) {
    LakehouseConfig config =
        KilledJvm.childConfig(
            args[0], Map.of(PseudonymConfig.SOURCE, "csv", PseudonymConfig.LOCATION, args[1]));
    SparkSession spark = KilledJvm.childSession(config);
    KilledJvm.exit(
        spark,
        new PromoteJob(spark, config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
            .execute());
  }
}
