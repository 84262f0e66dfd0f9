package org.imaginglakehouse.extract;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.KilledJvm;

/** Runs one verify in its own JVM (for the kill -9 test): {@code home project extractionId}. */
public final class VerifyMain {
  private VerifyMain() {}

  public static void main(String[] args) {
    LakehouseConfig config = KilledJvm.childConfig(args[0], Map.of());
    SparkSession spark = KilledJvm.childSession(config);
    KilledJvm.exit(
        spark,
        VerifyJob.of(
                spark,
                config,
                Map.of(
                    VerifyJob.OPTION_PROJECT,
                    args[1],
                    VerifyJob.OPTION_EXTRACTION,
                    args[2],
                    VerifyJob.OPTION_IOD_SAMPLE,
                    "1",
                    VerifyJob.OPTION_DCMDUMP_SAMPLE,
                    "1"))
            .execute());
  }
}
