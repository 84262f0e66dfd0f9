package org.imaginglakehouse.transform;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.transform.features.FeaturesJob;
import org.imaginglakehouse.transform.ocr.OcrJob;

/**
 * Runs one pixel job in its own JVM (for the kill -9 test): {@code home features|ocr batchSize}.
 */
public final class PixelMain {
  private PixelMain() {}

  public static void main(String[] args) {
    LakehouseConfig config = KilledJvm.childConfig(args[0], Map.of());
    SparkSession spark = KilledJvm.childSession(config);
    KilledJvm.exit(spark, run(spark, config, args[1], args[2]));
  }

  static JobResult run(SparkSession spark, LakehouseConfig config, String job, String batchSize) {
    return switch (job) {
      case FeaturesJob.NAME ->
          new FeaturesJob(
                  spark,
                  config,
                  JobOptions.of(
                      config, FeaturesJob.NAME, Map.of(FeaturesJob.OPTION_BATCH_SIZE, batchSize)))
              .execute();
      case OcrJob.NAME ->
          new OcrJob(
                  spark,
                  config,
                  JobOptions.of(config, OcrJob.NAME, Map.of(OcrJob.OPTION_BATCH_SIZE, batchSize)))
              .execute();
      default -> throw new IllegalArgumentException("unknown pixel job " + job);
    };
  }
}
