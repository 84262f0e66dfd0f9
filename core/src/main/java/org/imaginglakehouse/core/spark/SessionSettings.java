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
  private SessionSettings() {}

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
