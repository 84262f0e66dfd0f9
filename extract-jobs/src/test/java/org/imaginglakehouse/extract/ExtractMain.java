package org.imaginglakehouse.extract;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.extract.deid.ProjectKeys;

/**
 * Runs one extract in its own JVM (for the kill -9 test): {@code home project cohort keyFile
 * extractionId}.
 */
public final class ExtractMain {
  private ExtractMain() {}

  public static void main(String[] args) {
    LakehouseConfig config =
        KilledJvm.childConfig(args[0], Map.of(ProjectKeys.keyFileConfigKey(args[1]), args[3]));
    SparkSession spark = KilledJvm.childSession(config);
    Map<String, String> options =
        Map.of(
            ExtractJob.OPTION_PROJECT, args[1],
            ExtractJob.OPTION_COHORT, args[2],
            ExtractJob.OPTION_EXTRACTION, args[4],
            ExtractJob.OPTION_VERIFY, "false");
    KilledJvm.exit(
        spark,
        new ExtractJob(spark, config, JobOptions.of(config, ExtractJob.NAME, options), Map.of())
            .execute());
  }
}
