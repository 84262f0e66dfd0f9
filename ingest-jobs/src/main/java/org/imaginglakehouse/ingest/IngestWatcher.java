package org.imaginglakehouse.ingest;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lakehouse ingest --watch}: one long-running process that lists a landing area every poll
 * and ingests the files that have settled (see {@link LandingArea}) through the same {@link
 * IngestJob} object, in the same Spark session, as one ingest run per batch. JVM, Spark and Delta
 * start-up are paid once instead of once per feed.
 *
 * <p>Every batch is a whole ingest run (change test against {@code file_index}, quarantine, its own
 * {@code job_runs} row), so a file already indexed is not read again and a process killed at any
 * moment leaves exactly the uncommitted files to the next start. {@link #stop} (SIGTERM, SIGINT)
 * ends the loop after the batch in progress. A failed batch is reported, counted, and its files are
 * handed out again at the next poll; the loop goes on.
 *
 * <p>The loop is plain Java over a listing function and a batch function, so it is tested without
 * Spark; {@link IngestCommand} wires it to {@link Discovery} and {@link IngestJob#execute(List)}.
 */
public final class IngestWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(IngestWatcher.class);

  /** {@code true} in the options of the runs a watcher makes (recorded in {@code job_runs}). */
  public static final String OPTION_WATCH = "watch";

  /** Seconds between two listings of the landing area. */
  public static final String OPTION_POLL_SECONDS = "poll-seconds";

  public static final double DEFAULT_POLL_SECONDS = 5;

  /** Seconds a file's size and modification time must stay unchanged before it is read. */
  public static final String OPTION_SETTLE_SECONDS = "settle-seconds";

  public static final double DEFAULT_SETTLE_SECONDS = 10;

  /** Stop after this many batches (0: run until stopped). */
  public static final String OPTION_MAX_BATCHES = "max-batches";

  public static final int DEFAULT_MAX_BATCHES = 0;

  private final Supplier<List<SourceFile>> lister;
  private final Function<List<SourceFile>, JobResult> ingest;
  private final Duration poll;
  private final int maxBatches;
  private final PrintStream out;
  private final LandingArea landing;
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  private int batches;
  private int failed;
  private int quarantining;
  private int failedListings;
  private long read;
  private long instances;
  private long quarantined;

  /**
   * @param lister lists the landing area (every file, with size and modification time)
   * @param ingest one ingest run over the given files; an empty list is the start-up run
   * @param poll time between listings
   * @param settle how long a file must stay unchanged (see {@link LandingArea})
   * @param maxBatches stop after this many batches, 0: until {@link #stop}
   * @param out where the per-batch lines and the summary go
   */
  public IngestWatcher(
      Supplier<List<SourceFile>> lister,
      Function<List<SourceFile>, JobResult> ingest,
      Duration poll,
      Duration settle,
      int maxBatches,
      PrintStream out) {
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException(OPTION_POLL_SECONDS + " must be positive, got " + poll);
    }
    if (maxBatches < 0) {
      throw new IllegalArgumentException(
          OPTION_MAX_BATCHES + " must not be negative, got " + maxBatches);
    }
    this.lister = lister;
    this.ingest = ingest;
    this.poll = poll;
    this.maxBatches = maxBatches;
    this.out = out;
    this.landing = new LandingArea(settle.toNanos());
  }

  /** Ends the loop after the batch in progress (or at once while it waits). Thread-safe. */
  public void stop() {
    stopRequested.countDown();
  }

  /**
   * Runs until {@link #stop} or {@code maxBatches}. The start-up run (no inputs) creates the tables
   * and pays Delta's first use before any feed arrives; if it fails, so does this call (nothing can
   * be ingested). Returns the summary, whose {@link Summary#exitCode} is that of an ingest.
   */
  public Summary run() {
    long t0 = System.nanoTime();
    // The landing area must exist: a typo would otherwise poll an empty listing forever.
    lister.get();
    JobResult startup = ingest.apply(List.of());
    print(
        String.format(
            Locale.ROOT,
            "watch: ready in %.1f s (start-up run %s: %s)",
            seconds(System.nanoTime() - t0),
            startup.runId(),
            startup.status()));
    while (stopRequested.getCount() > 0 && (maxBatches == 0 || batches < maxBatches)) {
      long pollStart = System.nanoTime();
      List<SourceFile> settled;
      try {
        settled = landing.observe(lister.get(), pollStart);
      } catch (RuntimeException e) {
        failedListings++;
        LOG.warn("watch: listing the landing area failed ({})", e.getClass().getSimpleName());
        print("watch: listing the landing area failed (" + e.getClass().getSimpleName() + ")");
        settled = List.of();
      }
      if (!settled.isEmpty()) {
        runBatch(settled, System.nanoTime() - pollStart);
      }
      long left = poll.toNanos() - (System.nanoTime() - pollStart);
      if (left > 0 && (maxBatches == 0 || batches < maxBatches)) {
        try {
          stopRequested.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    Summary summary =
        new Summary(batches, failed, quarantining, failedListings, read, instances, quarantined);
    print(summary.line());
    return summary;
  }

  private void runBatch(List<SourceFile> files, long listNanos) {
    int number = batches + 1;
    print(
        String.format(
            Locale.ROOT, "watch batch %d: %d settled file(s), ingesting", number, files.size()));
    JobResult result;
    try {
      result = ingest.apply(files);
    } catch (RuntimeException | Error e) {
      batches++;
      failed++;
      landing.retry(files);
      // The exception's message may name a file, and file names can be identifying: the class
      // only here; the redacted message is in the run's FAILED job_runs row.
      LOG.warn("watch batch {} failed: {}", number, e.getClass().getSimpleName());
      print(
          String.format(
              Locale.ROOT,
              "watch batch %d: FAILED (%s; the message is in identifiable.job_runs, status"
                  + " FAILED); its %d file(s) are retried at the next poll",
              number,
              e.getClass().getSimpleName(),
              files.size()));
      if (e instanceof Error err) {
        throw err;
      }
      return;
    }
    batches++;
    long batchRead = result.count("read");
    long batchQuarantined =
        result.count(IngestResult.REJECTED) + result.count(IngestResult.DUPLICATES);
    read += batchRead;
    instances += result.count(IngestResult.INSTANCES);
    quarantined += batchQuarantined;
    if (result.status() == JobStatus.COMPLETED_WITH_REJECTIONS) {
      quarantining++;
    }
    StringBuilder timings =
        new StringBuilder(String.format(Locale.ROOT, "list %.2f s", seconds(listNanos)));
    for (Map.Entry<String, Long> t : result.timingsMillis().entrySet()) {
      timings.append(String.format(Locale.ROOT, ", %s %.2f s", t.getKey(), t.getValue() / 1000.0));
    }
    print(
        String.format(
            Locale.ROOT,
            "watch batch %d: run %s %s in %.2f s; files %d, read %d, unchanged %d, instances %d,"
                + " duplicates %d, rejected %d, skipped %d; waiting %d; timings: %s",
            number,
            result.runId(),
            result.status(),
            result.duration().toMillis() / 1000.0,
            files.size(),
            batchRead,
            result.count(IngestResult.UNCHANGED),
            result.count(IngestResult.INSTANCES),
            result.count(IngestResult.DUPLICATES),
            result.count(IngestResult.REJECTED),
            result.count(IngestResult.SKIPPED),
            landing.waiting(),
            timings));
  }

  private void print(String line) {
    out.println(line);
    out.flush();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** What a watch did, and the exit code it maps to. */
  public record Summary(
      int batches,
      int failed,
      int quarantining,
      int failedListings,
      long read,
      long instances,
      long quarantined) {

    /**
     * 1 if a batch or a listing failed, else 3 if a batch quarantined files, else 0 (as {@code
     * ingest}).
     */
    public int exitCode() {
      if (failed > 0 || failedListings > 0) {
        return JobStatus.FAILED.exitCode();
      }
      return quarantining > 0 ? JobStatus.COMPLETED_WITH_REJECTIONS.exitCode() : 0;
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "watch: stopped after %d batch(es): %d failed, %d with quarantined files, %d failed"
              + " listing(s); %d file(s) read, %d instance(s), %d quarantined; exit code %d",
          batches,
          failed,
          quarantining,
          failedListings,
          read,
          instances,
          quarantined,
          exitCode());
    }
  }
}
