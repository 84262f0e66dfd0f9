package org.imaginglakehouse.core.job;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secrets;
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

  /** Does the work; report counts and timings to {@code run}. */
  protected abstract JobStatus run(RunContext run);

  /** Wraps the generic result in the job's own result type. */
  protected abstract R result(JobResult generic);

  @Override
  public final R execute() {
    String runId = RunIds.next();
    Instant started = Instant.now();
    Map<String, String> logged = new TreeMap<>(options.forRunLog());
    logged.putAll(runLogDetails());
    JobRunLog log = new JobRunLog(spark, runLogLocation());
    RunContext run = new RunContext(name(), runId);
    run.time("job_runs_start", () -> log.started(name(), runId, started, logged));
    JobStatus status;
    try {
      status = run(run);
    } catch (RuntimeException | Error e) {
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
        log.finished(failed);
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
    log.finished(done);
    LOG.info(
        "{} {}: job_runs entry completed in {} ms",
        name(),
        runId,
        (System.nanoTime() - finishing) / 1_000_000);
    return result(done);
  }

  private static String describe(Throwable e) {
    if (e instanceof LakehouseException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
