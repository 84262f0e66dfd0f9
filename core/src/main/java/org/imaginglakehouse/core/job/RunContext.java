package org.imaginglakehouse.core.job;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the counts and timings of one run while a job executes, and logs one line per timed
 * phase (its wall time and the counts it changed): what the console shows while a job runs.
 */
public final class RunContext {
  private static final Logger PHASES = LoggerFactory.getLogger("org.imaginglakehouse.phase");

  private final String job;
  private final String runId;
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private Rejections rejections;

  /** The {@code job_runs} start row's commit; done unless the job records it alongside its run. */
  private volatile CompletableFuture<Void> startRecorded = CompletableFuture.completedFuture(null);

  RunContext(String job, String runId) {
    this.job = job;
    this.runId = runId;
  }

  public String runId() {
    return runId;
  }

  void startRecordedBy(CompletableFuture<Void> commit) {
    this.startRecorded = commit;
  }

  /**
   * Waits until the run's {@code RUNNING} row is in {@code job_runs}, and fails the run if it could
   * not be written. A job that records its start alongside its run ({@link
   * AbstractJob#recordsStartAlongside}) calls this before it writes anything, so that whatever it
   * writes belongs to a run on record (a run killed after that stays {@code RUNNING}).
   */
  public void awaitStartRecorded() {
    try {
      startRecorded.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
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
    Map<String, Long> before = counts();
    long start = System.nanoTime();
    boolean done = false;
    try {
      T result = step.get();
      done = true;
      return result;
    } finally {
      long millis = (System.nanoTime() - start) / 1_000_000;
      synchronized (this) {
        timings.merge(name, millis, Long::sum);
      }
      String changed = done ? changedSince(before) : " (failed)";
      // A phase under a second that changed no count has nothing to tell the console.
      if (PHASES.isInfoEnabled() && (millis >= 1000 || !changed.isEmpty())) {
        PHASES.info(
            "{} {}: {}{}",
            job,
            name,
            String.format(Locale.ROOT, "%.1f s", millis / 1000.0),
            changed);
      }
    }
  }

  /** The counts that changed since {@code before}, as {@code " (name value, ...)"}, or "". */
  private String changedSince(Map<String, Long> before) {
    StringJoiner changed = new StringJoiner(", ", " (", ")").setEmptyValue("");
    counts()
        .forEach(
            (name, value) -> {
              if (!Objects.equals(before.get(name), value)) {
                changed.add(name + " " + value);
              }
            });
    return changed.toString();
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
