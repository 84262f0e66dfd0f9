package org.imaginglakehouse.ingest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse ingest --source DIR|FILE|LIST.txt|ARCHIVE.zip|s3a://...}. */
@Command(
    name = "ingest",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse --home /data/lakehouse ingest --source /pacs",
      "  lakehouse ingest --source s3a://pacs-copy/2024,s3a://pacs-copy/2025",
      "  lakehouse ingest --source @new-files.txt --on-missing remove",
      "  lakehouse ingest --source /data/landing --watch --poll-seconds 5 --settle-seconds 10"
    },
    description =
        "Ingest a PACS copy (directory tree, file list, zip archives; local, hdfs:// or s3a://)"
            + " into identifiable.instances, ingest_errors and file_index. Incremental and"
            + " re-runnable; exit code 3 when this run quarantined files.")
public final class IngestCommand extends LakehouseCommand {
  @Option(
      names = "--source",
      required = true,
      split = ",",
      description =
          "Directory, DICOM file, zip archive or file list (*.txt, *.lst, *.list or @FILE: one"
              + " path per line). Repeat or comma-separate for several.")
  List<String> sources;

  @Option(names = "--batch-size", description = "Inputs per committed batch (default 250000).")
  Integer batchSize;

  @Option(
      names = "--checksum",
      description = "header (default: SHA-256 of the header bytes and length) or full.")
  String checksum;

  @Option(
      names = "--files-per-task",
      description = "Inputs per Spark task at most, each writing one data file (default 100000).")
  Integer filesPerTask;

  @Option(names = "--optimize", description = "auto (default), always or never.")
  String optimize;

  @Option(
      names = "--on-missing",
      description =
          "keep (default: count files gone from a listed directory, keep their rows) or remove"
              + " (delete their instances, errors and index rows).")
  String onMissing;

  @Option(
      names = "--watch",
      description =
          "Keep running: list the sources every poll and ingest the files that have settled, one"
              + " ingest run per batch in this process. Stops after the batch in progress on"
              + " SIGTERM or SIGINT; exit code as for one ingest over all batches.")
  boolean watch;

  @Option(
      names = "--poll-seconds",
      description = "With --watch: seconds between listings (default 5).")
  Double pollSeconds;

  @Option(
      names = "--settle-seconds",
      description =
          "With --watch: a file is read once its size and modification time stayed the same for"
              + " this long (default 10; 0 when writers only rename finished files into place).")
  Double settleSeconds;

  @Option(
      names = "--max-batches",
      description = "With --watch: stop after this many batches (default 0: until stopped).")
  Integer maxBatches;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(IngestJob.OPTION_SOURCE, String.join(",", sources));
    explicit.put(IngestJob.OPTION_BATCH_SIZE, batchSize == null ? null : batchSize.toString());
    explicit.put(IngestJob.OPTION_CHECKSUM, checksum);
    explicit.put(
        IngestJob.OPTION_FILES_PER_TASK, filesPerTask == null ? null : filesPerTask.toString());
    explicit.put(IngestJob.OPTION_OPTIMIZE, optimize);
    explicit.put(IngestJob.OPTION_ON_MISSING, onMissing);
    if (watch) {
      // Recorded with each batch's options in job_runs: which runs a watcher made, and how.
      explicit.putAll(watchOptions());
    }
    JobOptions options = JobOptions.of(context().config(), IngestJob.NAME, explicit);
    if (watch) {
      return watch(options);
    }
    if (pollSeconds != null || settleSeconds != null || maxBatches != null) {
      throw new LakehouseException(
          "--poll-seconds, --settle-seconds and --max-batches need --watch");
    }
    IngestJob job = new IngestJob(context().spark(), context().config(), options);
    IngestResult result = job.execute();
    context().refreshTables();
    return report(result);
  }

  private int watch(JobOptions options) {
    // Settings are checked before the Spark session starts.
    if (options.get(IngestJob.OPTION_ON_MISSING, "keep").equalsIgnoreCase("remove")) {
      throw new LakehouseException(
          "--on-missing remove cannot be used with --watch: a landing area is emptied as feeds are"
              + " moved on, which would delete their rows; run a one-off ingest with it instead");
    }
    Duration poll =
        seconds(options, IngestWatcher.OPTION_POLL_SECONDS, IngestWatcher.DEFAULT_POLL_SECONDS);
    Duration settle =
        seconds(options, IngestWatcher.OPTION_SETTLE_SECONDS, IngestWatcher.DEFAULT_SETTLE_SECONDS);
    int batches =
        options.getInt(IngestWatcher.OPTION_MAX_BATCHES, IngestWatcher.DEFAULT_MAX_BATCHES);
    if (poll.isZero() || batches < 0) {
      throw new LakehouseException(
          "--poll-seconds must be positive and --max-batches 0 (no limit) or more");
    }
    IngestJob job = new IngestJob(context().spark(), context().config(), options);
    Discovery discovery =
        new Discovery(
            context().spark().sparkContext().hadoopConfiguration(),
            options.getInt(IngestJob.OPTION_LIST_THREADS, IngestJob.DEFAULT_LIST_THREADS));
    IngestWatcher watcher =
        new IngestWatcher(
            () -> discovery.discover(sources),
            job::execute,
            poll,
            settle,
            batches,
            context().out());
    WatchSignals.stopOn(watcher, context().out());
    IngestWatcher.Summary summary = watcher.run();
    context().refreshTables();
    return summary.exitCode();
  }

  private Map<String, String> watchOptions() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(IngestWatcher.OPTION_WATCH, "true");
    explicit.put(
        IngestWatcher.OPTION_POLL_SECONDS, pollSeconds == null ? null : pollSeconds.toString());
    explicit.put(
        IngestWatcher.OPTION_SETTLE_SECONDS,
        settleSeconds == null ? null : settleSeconds.toString());
    explicit.put(
        IngestWatcher.OPTION_MAX_BATCHES, maxBatches == null ? null : maxBatches.toString());
    return explicit;
  }

  private static Duration seconds(JobOptions options, String key, double defaultValue) {
    double value = options.getDouble(key, defaultValue);
    if (!(value >= 0) || value > 86_400) {
      throw new LakehouseException(
          "Invalid option " + key + "=" + value + ": expected seconds between 0 and 86400");
    }
    return Duration.ofNanos(Math.round(value * 1e9));
  }
}
