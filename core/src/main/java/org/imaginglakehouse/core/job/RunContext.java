package org.imaginglakehouse.core.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Collects the counts and timings of one run while a job executes. */
public final class RunContext {
  private final String runId;
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private Rejections rejections;

  RunContext(String runId) {
    this.runId = runId;
  }

  public String runId() {
    return runId;
  }

  public synchronized void count(String name, long value) {
    counts.put(name, value);
  }

  public synchronized void add(String name, long delta) {
    counts.merge(name, delta, Long::sum);
  }

  /**
   * Reports the run's rejections (shown in the summary, counted as {@code rejections_new} and
   * {@code rejections_on_record}) and returns the status they make: the one exit-code rule of
   * {@link Rejections#status()}.
   */
  public synchronized JobStatus rejections(Rejections reported) {
    this.rejections = reported;
    counts.put("rejections_new", reported.newThisRun());
    if (reported.onRecord() >= 0) {
      counts.put("rejections_on_record", reported.onRecord());
    }
    return reported.status();
  }

  synchronized Rejections rejections() {
    return rejections;
  }

  /** Runs {@code step}, adding its wall time to timing {@code name}. */
  public <T> T time(String name, Supplier<T> step) {
    long start = System.nanoTime();
    try {
      return step.get();
    } finally {
      long millis = (System.nanoTime() - start) / 1_000_000;
      synchronized (this) {
        timings.merge(name, millis, Long::sum);
      }
    }
  }

  public void time(String name, Runnable step) {
    time(
        name,
        () -> {
          step.run();
          return null;
        });
  }

  synchronized Map<String, Long> counts() {
    return new LinkedHashMap<>(counts);
  }

  synchronized Map<String, Long> timings() {
    return new LinkedHashMap<>(timings);
  }
}
