package org.imaginglakehouse.transform.cohort;

import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.KilledJvm;

/**
 * Re-runs cohorts in a JVM of its own: {@code home name...}. Prints {@code rerun <name>
 * identical=<bool>} per cohort and exits 0 only if every one is identical.
 */
public final class CohortRerunMain {
  private CohortRerunMain() {}

  public static void main(String[] args) {
    LakehouseConfig config = KilledJvm.childConfig(args[0], Map.of());
    SparkSession spark = KilledJvm.childSession(config);
    boolean all = true;
    for (String name : Arrays.copyOfRange(args, 1, args.length)) {
      CohortResult result =
          CohortRerunJob.of(spark, config, Map.of(CohortRerunJob.OPTION_NAME, name)).execute();
      boolean identical = Boolean.TRUE.equals(result.identical());
      all &= identical;
      System.out.println("rerun " + name + " identical=" + identical);
      if (!identical) {
        System.out.println(result.summary());
      }
    }
    spark.stop();
    System.exit(all ? 0 : 1);
  }
}
