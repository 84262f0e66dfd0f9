package org.imaginglakehouse.ingest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      "  lakehouse ingest --source @new-files.txt --on-missing remove"
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
    IngestJob job =
        new IngestJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), IngestJob.NAME, explicit));
    IngestResult result = job.execute();
    context().refreshTables();
    return report(result);
  }
}
