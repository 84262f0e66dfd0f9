package org.imaginglakehouse.core.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs one step with some Spark session settings changed, and puts back what was there before (set
 * values restored, unset ones unset again) even when the step fails: a job must not leave its
 * settings behind in a session that a scheduler driver or a notebook endpoint keeps using.
 */
public final class SessionSettings {
  /**
   * Expressions evaluated by Spark's interpreter instead of generated and compiled Java. For
   * queries over a few thousand to a few million small rows (run logs, cohorts, inventories,
   * manifests) compiling each plan's code in a fresh JVM costs more than it saves: an extract of
   * 22,868 files spent 5-7 s of its ~35 s of fixed cost in Janino (docs/benchmarks.md, Extract,
   * "the extract's fixed cost"). Jobs whose rows are large or many (ingest's headers, promote) keep
   * code generation.
   */
  public static final Map<String, String> INTERPRETED =
      Map.of(
          "spark.sql.codegen.wholeStage", "false",
          "spark.sql.codegen.factoryMode", "NO_CODEGEN");

  private SessionSettings() {}

  /** {@link #with(SparkSession, Map, Supplier)} for a step with no result. */
  public static void with(SparkSession spark, Map<String, String> settings, Runnable step) {
    with(
        spark,
        settings,
        () -> {
          step.run();
          return null;
        });
  }

  /** Runs {@code step} with {@code settings} in force, then restores the session's own values. */
  public static <T> T with(SparkSession spark, Map<String, String> settings, Supplier<T> step) {
    Map<String, String> before = new LinkedHashMap<>();
    for (String key : settings.keySet()) {
      before.put(key, spark.conf().getOption(key).getOrElse(() -> null));
    }
    settings.forEach(spark.conf()::set);
    try {
      return step.get();
    } finally {
      before.forEach(
          (key, value) -> {
            if (value == null) {
              spark.conf().unset(key);
            } else {
              spark.conf().set(key, value);
            }
          });
    }
  }
}
