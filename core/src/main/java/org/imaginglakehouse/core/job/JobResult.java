package org.imaginglakehouse.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a job run did: counts, timings and status. Jobs return this (or a subclass with typed
 * accessors); the CLI prints {@link #summary()}, and the same values go to {@code job_runs}.
 */
public class JobResult {
  private final String job;
  private final String runId;
  private final JobStatus status;
  private final Instant startedAt;
  private final Instant endedAt;
  private final Map<String, Long> counts;
  private final Map<String, Long> timingsMillis;
  private final String error;
  private final Rejections rejections;

  public JobResult(
      String job,
      String runId,
      JobStatus status,
      Instant startedAt,
      Instant endedAt,
      Map<String, Long> counts,
      Map<String, Long> timingsMillis,
      String error) {
    this(job, runId, status, startedAt, endedAt, counts, timingsMillis, error, null);
  }

  /** With the run's {@link Rejections} (null when the job rejects nothing). */
  public JobResult(
      String job,
      String runId,
      JobStatus status,
      Instant startedAt,
      Instant endedAt,
      Map<String, Long> counts,
      Map<String, Long> timingsMillis,
      String error,
      Rejections rejections) {
    this.job = job;
    this.runId = runId;
    this.status = status;
    this.startedAt = startedAt;
    this.endedAt = endedAt;
    this.counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    this.timingsMillis = Collections.unmodifiableMap(new LinkedHashMap<>(timingsMillis));
    this.error = error;
    this.rejections = rejections;
  }

  protected JobResult(JobResult other) {
    this(
        other.job,
        other.runId,
        other.status,
        other.startedAt,
        other.endedAt,
        other.counts,
        other.timingsMillis,
        other.error,
        other.rejections);
  }

  public String job() {
    return job;
  }

  public String runId() {
    return runId;
  }

  public JobStatus status() {
    return status;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant endedAt() {
    return endedAt;
  }

  public Duration duration() {
    return Duration.between(startedAt, endedAt);
  }

  public Map<String, Long> counts() {
    return counts;
  }

  /** A count, or 0 when the job did not report it. */
  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  public Map<String, Long> timingsMillis() {
    return timingsMillis;
  }

  public String error() {
    return error;
  }

  /** The run's rejections, or null when the job reported none (it rejects nothing). */
  public Rejections rejections() {
    return rejections;
  }

  /** A one-screen summary for the CLI. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%s run %s: %s in %.1f s%n",
            job,
            runId,
            status,
            duration().toMillis() / 1000.0));
    int width = 10;
    for (String key : counts.keySet()) {
      width = Math.max(width, key.length());
    }
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      out.append(
          String.format(
              Locale.ROOT, "  %-" + width + "s %,14d%n", entry.getKey(), entry.getValue()));
    }
    if (!timingsMillis.isEmpty()) {
      out.append("  timings:");
      String sep = " ";
      for (Map.Entry<String, Long> entry : timingsMillis.entrySet()) {
        out.append(
            String.format(
                Locale.ROOT, "%s%s %.1f s", sep, entry.getKey(), entry.getValue() / 1000.0));
        sep = ", ";
      }
      out.append(System.lineSeparator());
    }
    if (rejections != null) {
      out.append(rejections.describe());
    }
    if (error != null) {
      out.append("  error: ").append(error).append(System.lineSeparator());
    }
    return out.toString();
  }
}
