package org.imaginglakehouse.core.spark;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of long Spark work for a person (the CLI's default; {@code --verbose} shows Spark's own
 * bar instead): tasks done of those submitted, rows read and written, and the time since the work
 * started. On a terminal one line is rewritten in place; elsewhere (Airflow's task log, a file) a
 * plain line is printed every {@code interval}, so a log shows the job is alive without a screen of
 * escape codes. Nothing is printed for work shorter than the first interval. Counts only: no value,
 * path or query text.
 */
public final class ProgressLines extends SparkListener implements AutoCloseable {
  private final PrintStream out;
  private final boolean terminal;
  private final long intervalMillis;
  private final ScheduledExecutorService ticker;
  private final Map<Integer, Boolean> runningJobs = new ConcurrentHashMap<>();
  private final AtomicLong tasksSubmitted = new AtomicLong();
  private final AtomicLong tasksDone = new AtomicLong();
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private volatile long startedAt = -1;
  private volatile boolean lineOpen;

  public ProgressLines(PrintStream out, boolean terminal, Duration interval) {
    this.out = out;
    this.terminal = terminal;
    this.intervalMillis = interval.toMillis();
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lakehouse-progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    if (runningJobs.isEmpty()) {
      startedAt = System.currentTimeMillis();
      tasksSubmitted.set(0);
      tasksDone.set(0);
      rowsRead.set(0);
      rowsWritten.set(0);
    }
    runningJobs.put(job.jobId(), Boolean.TRUE);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted stage) {
    tasksSubmitted.addAndGet(stage.stageInfo().numTasks());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    tasksDone.incrementAndGet();
    TaskMetrics m = task.taskMetrics();
    if (m != null) {
      rowsRead.addAndGet(m.inputMetrics().recordsRead());
      rowsWritten.addAndGet(m.outputMetrics().recordsWritten());
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd job) {
    runningJobs.remove(job.jobId());
    if (runningJobs.isEmpty()) {
      synchronized (this) {
        if (terminal && lineOpen) {
          out.print("\r\033[K");
          out.flush();
        }
        lineOpen = false;
        startedAt = -1;
      }
    }
  }

  /** The line printed now, or null while nothing has run for a full interval. */
  String line(long now) {
    long started = startedAt;
    if (started < 0 || runningJobs.isEmpty() || now - started < intervalMillis) {
      return null;
    }
    long seconds = (now - started) / 1000;
    return String.format(
        "  ... %,d/%,d tasks, %,d rows read, %,d rows written, %dm%02ds",
        tasksDone.get(),
        tasksSubmitted.get(),
        rowsRead.get(),
        rowsWritten.get(),
        seconds / 60,
        seconds % 60);
  }

  private synchronized void tick() {
    String line = line(System.currentTimeMillis());
    if (line == null) {
      return;
    }
    if (terminal) {
      out.print("\r\033[K" + line);
      lineOpen = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
