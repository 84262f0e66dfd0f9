package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * The watch loop over a landing area held in memory and an ingest that keeps its own index (no
 * Spark; the real loop in a real process is cli's IngestWatchProcessTest).
 */
class IngestWatcherTest {
  private static final Duration POLL = Duration.ofMillis(20);

  /** The landing area: what the next listing returns. */
  private final List<SourceFile> landing = new CopyOnWriteArrayList<>();

  /** Paths indexed so far, and the inputs of every run (the start-up run's is empty). */
  private final Set<String> indexed = new HashSet<>();

  private final List<List<SourceFile>> runs = new ArrayList<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private static SourceFile file(String path) {
    return new SourceFile(path, 10, 1, false);
  }

  private JobResult ingest(List<SourceFile> files, JobStatus status) {
    runs.add(files);
    long read = files.stream().filter(f -> indexed.add(f.path())).count();
    long rejected = status == JobStatus.COMPLETED_WITH_REJECTIONS ? 1 : 0;
    return new JobResult(
        IngestJob.NAME,
        "run-" + runs.size(),
        status,
        Instant.EPOCH,
        Instant.EPOCH.plusMillis(1500),
        Map.of(
            "read",
            read,
            IngestResult.UNCHANGED,
            files.size() - read,
            IngestResult.INSTANCES,
            read - rejected,
            IngestResult.REJECTED,
            rejected),
        Map.of("parse_write", 1234L),
        null);
  }

  private IngestWatcher watcher(Function<List<SourceFile>, JobResult> ingest, int maxBatches) {
    return new IngestWatcher(
        () -> List.copyOf(landing), ingest, POLL, Duration.ZERO, maxBatches, out);
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void feedsDroppedOneAfterTheOtherAreOneBatchEachAfterTheStartUpRun() {
    landing.add(file("/landing/a1.dcm"));
    landing.add(file("/landing/a2.dcm"));
    IngestWatcher watcher =
        watcher(
            files -> {
              JobResult r = ingest(files, JobStatus.SUCCEEDED);
              if (runs.size() == 2) {
                landing.add(file("/landing/b1.dcm"));
              }
              return r;
            },
            2);
    IngestWatcher.Summary summary = watcher.run();
    assertThat(runs).hasSize(3);
    assertThat(runs.get(0)).isEmpty();
    assertThat(runs.get(1))
        .extracting(SourceFile::path)
        .containsExactly("/landing/a1.dcm", "/landing/a2.dcm");
    // The listing still holds a1 and a2, but they were handed out already.
    assertThat(runs.get(2)).extracting(SourceFile::path).containsExactly("/landing/b1.dcm");
    assertThat(summary.batches()).isEqualTo(2);
    assertThat(summary.read()).isEqualTo(3);
    assertThat(summary.exitCode()).isZero();
    assertThat(output())
        .contains("watch: ready in ")
        .contains("watch batch 1: run run-2 SUCCEEDED in 1.50 s; files 2, read 2, unchanged 0")
        .contains("timings: list ")
        .contains("parse_write 1.23 s")
        .contains("watch: stopped after 2 batch(es): 0 failed, 0 with quarantined files")
        .contains("exit code 0");
  }

  @Test
  void aFailedBatchIsCountedWithoutItsMessageAndItsFilesAreRetried() {
    landing.add(file("/landing/Smith^John/1.dcm"));
    int[] calls = {0};
    IngestWatcher watcher =
        watcher(
            files -> {
              if (!files.isEmpty() && calls[0]++ == 0) {
                throw new LakehouseException("cannot read /landing/Smith^John/1.dcm");
              }
              return ingest(files, JobStatus.SUCCEEDED);
            },
            2);
    IngestWatcher.Summary summary = watcher.run();
    assertThat(summary.failed()).isEqualTo(1);
    assertThat(summary.batches()).isEqualTo(2);
    assertThat(runs.get(1))
        .extracting(SourceFile::path)
        .containsExactly("/landing/Smith^John/1.dcm");
    assertThat(summary.read()).isEqualTo(1);
    assertThat(summary.exitCode()).isEqualTo(1);
    assertThat(output())
        .contains("watch batch 1: FAILED (LakehouseException")
        .contains("retried at the next poll")
        .doesNotContain("Smith");
  }

  @Test
  void aBatchThatQuarantinedFilesMakesTheExitCodeThree() {
    landing.add(file("/landing/junk.txt"));
    IngestWatcher.Summary summary =
        watcher(
                files ->
                    ingest(
                        files,
                        files.isEmpty()
                            ? JobStatus.SUCCEEDED
                            : JobStatus.COMPLETED_WITH_REJECTIONS),
                1)
            .run();
    assertThat(summary.quarantining()).isEqualTo(1);
    assertThat(summary.quarantined()).isEqualTo(1);
    assertThat(summary.exitCode()).isEqualTo(3);
  }

  @Test
  void stopEndsTheLoopAfterTheBatchInProgress() throws Exception {
    landing.add(file("/landing/a.dcm"));
    CountDownLatch inBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    IngestWatcher[] self = new IngestWatcher[1];
    self[0] =
        watcher(
            files -> {
              if (!files.isEmpty()) {
                inBatch.countDown();
                try {
                  assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                // A feed arriving during the stop is left for the next start.
                landing.add(file("/landing/b.dcm"));
              }
              return ingest(files, JobStatus.SUCCEEDED);
            },
            0);
    IngestWatcher.Summary[] summary = new IngestWatcher.Summary[1];
    Thread loop = new Thread(() -> summary[0] = self[0].run());
    loop.start();
    assertThat(inBatch.await(10, TimeUnit.SECONDS)).isTrue();
    self[0].stop();
    release.countDown();
    loop.join(10_000);
    assertThat(loop.isAlive()).isFalse();
    assertThat(summary[0].batches()).isEqualTo(1);
    assertThat(summary[0].read()).isEqualTo(1);
    assertThat(summary[0].exitCode()).isZero();
  }

  @Test
  void stopWhileWaitingReturnsAtOnce() throws Exception {
    IngestWatcher watcher =
        new IngestWatcher(
            () -> List.copyOf(landing),
            files -> ingest(files, JobStatus.SUCCEEDED),
            Duration.ofMinutes(10),
            Duration.ZERO,
            0,
            out);
    IngestWatcher.Summary[] summary = new IngestWatcher.Summary[1];
    Thread loop = new Thread(() -> summary[0] = watcher.run());
    loop.start();
    while (runs.isEmpty()) {
      Thread.sleep(5);
    }
    long t0 = System.nanoTime();
    watcher.stop();
    loop.join(10_000);
    assertThat(loop.isAlive()).isFalse();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(summary[0].batches()).isZero();
    assertThat(summary[0].exitCode()).isZero();
  }

  @Test
  void aMissingLandingAreaOrAFailedStartUpRunFailsTheWatchAtOnce() {
    IngestWatcher noLanding =
        new IngestWatcher(
            () -> {
              throw new LakehouseException("Ingest source /nope does not exist");
            },
            files -> ingest(files, JobStatus.SUCCEEDED),
            POLL,
            Duration.ZERO,
            0,
            out);
    assertThatThrownBy(noLanding::run).hasMessageContaining("does not exist");
    IngestWatcher noHome =
        watcher(
            files -> {
              throw new LakehouseException("home not writable");
            },
            0);
    assertThatThrownBy(noHome::run).hasMessageContaining("home not writable");
    assertThat(runs).isEmpty();
  }

  @Test
  void aListingThatFailsLaterIsCountedAndTheLoopGoesOn() {
    int[] listings = {0};
    landing.add(file("/landing/a.dcm"));
    IngestWatcher watcher =
        new IngestWatcher(
            () -> {
              if (listings[0]++ == 1) {
                throw new IllegalStateException("stale NFS handle /landing/Smith");
              }
              return List.copyOf(landing);
            },
            files -> ingest(files, JobStatus.SUCCEEDED),
            POLL,
            Duration.ZERO,
            1,
            out);
    IngestWatcher.Summary summary = watcher.run();
    assertThat(summary.failedListings()).isEqualTo(1);
    assertThat(summary.batches()).isEqualTo(1);
    assertThat(summary.exitCode()).isEqualTo(1);
    assertThat(output()).contains("listing the landing area failed").doesNotContain("Smith");
  }

  @Test
  void invalidSettingsAreRefused() {
    assertThatThrownBy(
            () -> new IngestWatcher(List::of, f -> null, Duration.ZERO, Duration.ZERO, 0, out))
        .hasMessageContaining("poll-seconds");
    assertThatThrownBy(() -> new IngestWatcher(List::of, f -> null, POLL, Duration.ZERO, -1, out))
        .hasMessageContaining("max-batches");
  }
}
