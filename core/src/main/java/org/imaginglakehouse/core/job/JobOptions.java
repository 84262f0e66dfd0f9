package org.imaginglakehouse.core.job;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secrets;

/**
 * A job's named options: {@code jobs.<job>.<option>} from the config, overridden by explicit values
 * (CLI flags, Airflow operator arguments). Jobs keep option keys as constants beside their defaults
 * and read them with the typed getters here.
 */
public final class JobOptions {
  private final String job;
  private final Map<String, String> values;

  private JobOptions(String job, Map<String, String> values) {
    this.job = job;
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  public static JobOptions of(LakehouseConfig config, String job, Map<String, String> explicit) {
    Map<String, String> values = new LinkedHashMap<>(config.withPrefix("jobs." + job));
    explicit.forEach(
        (k, v) -> {
          if (v != null) {
            values.put(k, v);
          }
        });
    return new JobOptions(job, values);
  }

  public static JobOptions empty(String job) {
    return new JobOptions(job, Map.of());
  }

  public String get(String key, String defaultValue) {
    String value = values.get(key);
    return value == null || value.isEmpty() ? defaultValue : value;
  }

  public String require(String key) {
    String value = values.get(key);
    checkArgument(
        value != null && !value.isEmpty(),
        "Job %s needs option '%s' (flag --%s or config jobs.%s.%s)",
        job,
        key,
        key,
        job,
        key);
    return value;
  }

  public int getInt(String key, int defaultValue) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new LakehouseException(
          "Invalid option " + key + "=" + value + " for job " + job + ": expected an integer");
    }
  }

  public long getLong(String key, long defaultValue) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new LakehouseException(
          "Invalid option " + key + "=" + value + " for job " + job + ": expected an integer");
    }
  }

  public double getDouble(String key, double defaultValue) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new LakehouseException(
          "Invalid option " + key + "=" + value + " for job " + job + ": expected a number");
    }
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    String lower = value.trim().toLowerCase(Locale.ROOT);
    checkArgument(
        lower.equals("true") || lower.equals("false"),
        "Invalid option %s=%s for job %s: expected true or false",
        key,
        value,
        job);
    return Boolean.parseBoolean(lower);
  }

  /** Options as recorded in {@code job_runs}: secret values masked. */
  public Map<String, String> forRunLog() {
    Map<String, String> redacted = new TreeMap<>();
    values.forEach((k, v) -> redacted.put(k, Secrets.redact(v)));
    return redacted;
  }

  public Map<String, String> asMap() {
    return values;
  }
}
