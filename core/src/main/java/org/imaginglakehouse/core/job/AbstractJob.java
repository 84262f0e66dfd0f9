package org.imaginglakehouse.core.job;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secrets;
import org.imaginglakehouse.core.spark.SessionSettings;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of every Spark job: gives it a run id, writes the {@code job_runs} entry at start and end
 * (also on failure), and collects counts and timings through a {@link RunContext}.
 */
public abstract class AbstractJob<R extends JobResult> implements LakehouseJob<R> {
  private static final Logger LOG = LoggerFactory.getLogger(AbstractJob.class);

  protected final SparkSession spark;
  protected final LakehouseConfig config;
  protected final ZoneLayout layout;
  protected final JobOptions options;

  protected AbstractJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    this.spark = spark;
    this.config = config;
    this.layout = ZoneLayout.from(config);
    this.options = options;
  }

  /** Zone whose {@code job_runs} table records this job's runs. */
  protected abstract Zone runLogZone();

  /**
   * Location of the {@code job_runs} table of this job: by default that of {@link #runLogZone}; a
   * project job records its runs in its project's zone.
   */
  protected String runLogLocation() {
    return layout.table(runLogZone(), JobRunLog.TABLE);
  }

  /**
   * Settings the run depends on beyond its options (e.g. key ids, profile editions), recorded with
   * the options in {@code job_runs}. Called once before {@link #run}; a failure here fails the run
   * before it reads anything. Never return a secret or an identifying value.
   */
  protected Map<String, String> runLogDetails() {
    return Map.of();
  }

  /**
   * Spark session settings in force for the whole run, the session's own values restored after it
   * (e.g. {@link SessionSettings#INTERPRETED} for a job of small queries). None by default.
   */
  protected Map<String, String> runSettings() {
    return Map.of();
  }

  /**
   * Whether {@link #run} starts while the {@code job_runs} start row is being committed on a second
   * thread (default false: the row first). In a fresh JVM that commit is Delta's first use, 3-5 s;
   * a job that first only reads (lists its sources, plans its queries) overlaps the two, and must
   * call {@link RunContext#awaitStartRecorded} before it writes anything.
   */
  protected boolean recordsStartAlongside() {
    return false;
  }

  /** Does the work; report counts and timings to {@code run}. */
  protected abstract JobStatus run(RunContext run);

  /** Wraps the generic result in the job's own result type. */
  protected abstract R result(JobResult generic);

  @Override
  public final R execute() {
    return SessionSettings.with(spark, runSettings(), this::executeRun);
  }

  private R executeRun() {
    String runId = RunIds.next();
    Instant started = Instant.now();
    Map<String, String> logged = new TreeMap<>(options.forRunLog());
    logged.putAll(runLogDetails());
    JobRunLog log = new JobRunLog(spark, runLogLocation());
    RunContext run = new RunContext(name(), runId);
    if (recordsStartAlongside()) {
      // Session settings are not changed from this thread: the run's own queries use them.
      run.startRecordedBy(
          CompletableFuture.runAsync(
              () -> {
                SparkSession.setActiveSession(spark);
                run.time("job_runs_start", () -> log.started(name(), runId, started, logged));
              },
              task -> {
                Thread thread = new Thread(task, "job-runs-start-" + runId);
                thread.setDaemon(true);
                thread.start();
              }));
    } else {
      // The run log's one-row writes are small queries whatever the job is.
      run.time(
          "job_runs_start", () -> interpreted(() -> log.started(name(), runId, started, logged)));
    }
    JobStatus status;
    try {
      status = run(run);
      run.awaitStartRecorded();
    } catch (RuntimeException | Error e) {
      try {
        run.awaitStartRecorded();
      } catch (RuntimeException | Error startFailure) {
        if (startFailure != e) {
          e.addSuppressed(startFailure);
        }
      }
      String message = Secrets.redact(describe(e));
      JobResult failed =
          new JobResult(
              name(),
              runId,
              JobStatus.FAILED,
              started,
              Instant.now(),
              run.counts(),
              run.timings(),
              message);
      try {
        interpreted(() -> log.finished(failed));
      } catch (RuntimeException logFailure) {
        LOG.warn(
            "Could not record failure of run {} in job_runs: {}", runId, logFailure.getMessage());
      }
      throw e;
    }
    JobResult done =
        new JobResult(
            name(),
            runId,
            status,
            started,
            Instant.now(),
            run.counts(),
            run.timings(),
            null,
            run.rejections());
    long finishing = System.nanoTime();
    interpreted(() -> log.finished(done));
    LOG.info(
        "{} {}: job_runs entry completed in {} ms",
        name(),
        runId,
        (System.nanoTime() - finishing) / 1_000_000);
    return result(done);
  }

  private void interpreted(Runnable step) {
    SessionSettings.with(spark, SessionSettings.INTERPRETED, step);
  }

  private static String describe(Throwable e) {
    if (e instanceof LakehouseException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
