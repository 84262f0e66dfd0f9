package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.extract.verify.Failure;

/**
 * The reports written beside an extraction for the person who releases it (SMI's CohortPackager):
 * {@code README.md} (what was asked, what was extracted, the profile, the counts), {@code
 * rejections.csv} (instances the rejectors refused, with reasons), {@code processing_errors.csv}
 * (instances the writer could not produce), {@code report.html} (the same counts with charts and
 * thumbnails of released images, {@link ExtractionHtml}) and {@code verification_failures.csv}.
 * They hold project UIDs, reasons, counts and hashes only, and are written before verify scans the
 * extraction (the failures CSV after; it holds only hashes and is scanned on the driver), so they
 * pass the same residual scan as the images. Deterministic: no time or run id, so a re-run that
 * changes nothing rewrites nothing.
 */
final class ExtractionReports {
  static final String README = "README.md";
  static final String REJECTIONS_CSV = "rejections.csv";
  static final String ERRORS_CSV = "processing_errors.csv";
  static final String FAILURES_CSV = "verification_failures.csv";
  static final String REPORT_HTML = "report.html";

  /** Released images shown in report.html (a stable sample by path hash). */
  static final int THUMBNAILS = 12;

  /** Rejections the writer produced (the file could not be made), as opposed to a rejector's. */
  static final Set<String> PROCESSING_ERRORS =
      Set.of(
          Rejection.SOURCE_MISSING.id(),
          Rejection.CHANGED_SINCE_INGEST.id(),
          Rejection.WRITE_FAILED.id(),
          "corrupt",
          "truncated",
          "no_meta_header",
          "rewrite_failed");

  private final SparkSession spark;
  private final ZoneLayout layout;
  private final String project;
  private final String extractionId;
  private final String root;

  ExtractionReports(
      SparkSession spark, ZoneLayout layout, String project, String extractionId, String root) {
    this.spark = spark;
    this.layout = layout;
    this.project = project;
    this.extractionId = extractionId;
    this.root = root;
  }

  Dataset<Row> table(String name) {
    String location = layout.projectTable(project, name);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return null;
    }
    return spark
        .read()
        .format("delta")
        .load(location)
        .where(col("extraction_id").equalTo(extractionId));
  }

  /**
   * What the reports need that verify reads anyway, read once: the extraction's rows of {@code
   * files} (SOPInstanceUID, path, sha256, source_uid_sha256, size), the source studies of those
   * files (for the ages at study) and the redacted images with their regions.
   */
  record Inputs(List<Row> files, Set<String> sourceStudies, Map<String, List<Region>> redacted) {}

  /**
   * The extraction's rows of {@code files}, in the columns {@link Inputs#files} documents; none
   * when the project has no such table yet (any file on disk is then an {@code unlisted_file}).
   */
  static List<Row> files(SparkSession spark, ZoneLayout layout, String project, String id) {
    String location = layout.projectTable(project, ProjectTables.FILES);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return List.of(); // every accepted instance was refused by the write stage: no file
    }
    return spark
        .read()
        .format("delta")
        .load(location)
        .where(col("extraction_id").equalTo(id))
        .select("SOPInstanceUID", "path", "sha256", "source_uid_sha256", "size")
        .collectAsList();
  }

  /** Reads the {@link Inputs} itself (when the reports are written without a verify run). */
  Inputs inputs() {
    List<Row> files = files(spark, layout, project, extractionId);
    List<String> hashes = new ArrayList<>();
    files.forEach(r -> hashes.add(r.getString(3)));
    ExtractionSources sources =
        ExtractionSources.read(spark, new ExtractInputs(spark, layout).instances(), hashes);
    return new Inputs(
        files, sources.studies(), Redactions.read(spark, layout, project, extractionId));
  }

  /** README.md, rejections.csv, processing_errors.csv and report.html; returns their names. */
  List<String> writeBeforeVerify(ProjectConfig config, Inputs inputs) {
    Dataset<Row> rejections = table(ProjectTables.REJECTIONS);
    List<Row> rejected =
        rejections == null
            ? List.of()
            : rejections
                .select("level", "uid", "reason", "Modality", "message")
                .orderBy("reason", "level", "uid")
                .collectAsList();
    // The message says why the write stage refused an image (redaction_failed, ...): structure
    // only, never a value (docs/extract.md).
    StringBuilder rej = new StringBuilder("level,uid,reason,Modality,message\n");
    StringBuilder err = new StringBuilder("level,uid,reason,message\n");
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> errorsByReason = new TreeMap<>();
    for (Row r : rejected) {
      String reason = r.getString(2);
      if (PROCESSING_ERRORS.contains(reason)) {
        err.append(csv(r.getString(0), r.getString(1), reason, r.getString(4)));
        errorsByReason.merge(reason, 1L, Long::sum);
      } else {
        rej.append(csv(r.getString(0), r.getString(1), reason, r.getString(3), r.getString(4)));
        byReason.merge(reason, 1L, Long::sum);
      }
    }
    write(REJECTIONS_CSV, rej.toString());
    write(ERRORS_CSV, err.toString());
    Extracted extracted = extracted(inputs);
    write(README, readme(config, extracted, byReason, errorsByReason));
    write(
        REPORT_HTML,
        ExtractionHtml.render(this, config, inputs, extracted, byReason, errorsByReason));
    return List.of(README, REJECTIONS_CSV, ERRORS_CSV, REPORT_HTML);
  }

  SparkSession spark() {
    return spark;
  }

  ZoneLayout layout() {
    return layout;
  }

  String root() {
    return root;
  }

  String project() {
    return project;
  }

  String extractionId() {
    return extractionId;
  }

  /**
   * What the extraction holds, for both reports: files, bytes, modality by path, modality counts,
   * and studies by year of their (shifted) StudyDate, from one read of its {@code metadata}.
   */
  record Extracted(
      long files,
      long bytes,
      Map<String, String> modalityOf,
      Map<String, Long> modalities,
      Map<String, Long> studyYears) {}

  private Extracted extracted(Inputs inputs) {
    long bytes = 0;
    for (Row r : inputs.files()) {
      bytes += r.isNullAt(4) ? 0 : r.getLong(4);
    }
    Map<String, String> modalityOf = new TreeMap<>();
    Map<String, Long> modalities = new TreeMap<>();
    Map<String, Set<String>> studiesByYear = new TreeMap<>();
    Dataset<Row> metadata = table(ProjectTables.METADATA);
    List<String> columns = metadata == null ? List.of() : Arrays.asList(metadata.columns());
    boolean modality = columns.contains("Modality");
    boolean studyDate = columns.contains("StudyDate");
    if (modality || studyDate) {
      Column none = functions.lit(null).cast("string");
      for (Row r :
          metadata
              .select(
                  col("path"),
                  modality ? col("Modality") : none,
                  studyDate ? col("StudyDate").isNotNull() : functions.lit(false),
                  studyDate ? functions.year(col("StudyDate")).cast("string") : none,
                  studyDate ? col("StudyInstanceUID") : none)
              .collectAsList()) {
        if (modality) {
          String m = r.isNullAt(1) ? "(none)" : r.getString(1);
          modalityOf.put(r.getString(0), m);
          modalities.merge(m, 1L, Long::sum);
        }
        if (r.getBoolean(2) && !r.isNullAt(3)) {
          studiesByYear.computeIfAbsent(r.getString(3), y -> new HashSet<>()).add(r.getString(4));
        }
      }
    }
    Map<String, Long> years = new TreeMap<>();
    studiesByYear.forEach((y, studies) -> years.put(y, (long) studies.size()));
    return new Extracted(inputs.files().size(), bytes, modalityOf, modalities, years);
  }

  private String readme(
      ProjectConfig config,
      Extracted extracted,
      Map<String, Long> byReason,
      Map<String, Long> errorsByReason) {
    Map<String, String> asked = lastExtractOptions();
    StringBuilder md = new StringBuilder();
    // No extraction id or time here: the same extraction under another id gives the same bytes.
    md.append("# Extraction for project `").append(project).append("`\n\n");
    md.append("## What was asked\n\n");
    if (asked.containsKey(ExtractJob.OPTION_COHORT)) {
      md.append("- cohort: `").append(asked.get(ExtractJob.OPTION_COHORT)).append("`\n");
    }
    if (asked.containsKey(ExtractJob.OPTION_UIDS)) {
      md.append("- UID list: `")
          .append(new Path(asked.get(ExtractJob.OPTION_UIDS)).getName())
          .append("`\n");
    }
    md.append("- project file SHA-256: `").append(config.sha256()).append("`\n");
    if (asked.containsKey("key_id")) {
      md.append("- project key id: `").append(asked.get("key_id")).append("`\n");
    }
    md.append("\n## De-identification profile\n\n`")
        .append(Profiles.of(config).summary())
        .append("`\n\n");
    md.append("Pixel policy: `")
        .append(config.pixelPolicy())
        .append(
            config.redacts()
                ? "` (burned-in text is blacked out and the image read again by OCR; an image"
                    + " that cannot be redacted or still shows text is rejected)."
                : "` (images with burned-in text are not extracted).")
        .append(" Overlays: ")
        .append(
            config.keepOverlays()
                ? "kept where OCR reads no text on them, removed otherwise."
                : "removed.")
        .append(" Unused high bits of the pixel values (embedded overlays) are cleared.\n\n");
    md.append("## What was extracted\n\n");
    md.append("| | count |\n|---|---|\n");
    md.append("| files | ").append(extracted.files()).append(" |\n");
    md.append("| bytes | ").append(extracted.bytes()).append(" |\n");
    extracted
        .modalities()
        .forEach(
            (m, n) -> md.append("| modality ").append(m).append(" | ").append(n).append(" |\n"));
    md.append("\n## Rejected instances (`").append(REJECTIONS_CSV).append("`)\n\n");
    table(md, byReason);
    md.append("\n## Processing errors (`").append(ERRORS_CSV).append("`)\n\n");
    table(md, errorsByReason);
    md.append("\n## Verification\n\n")
        .append(
            "Every file here was scanned by `lakehouse verify` (docs/extract.md, \"Verification\"):")
        .append(" its findings are in `")
        .append(FAILURES_CSV)
        .append("` (hashes and byte offsets,")
        .append(" never values), the SHA-256 of every file scanned in `VERIFIED.sha256`, and the")
        .append(" outcome in `project_")
        .append(project)
        .append(".extraction_status`.\n");
    return md.toString();
  }

  private static void table(StringBuilder md, Map<String, Long> counts) {
    if (counts.isEmpty()) {
      md.append("None.\n");
      return;
    }
    md.append("| reason | instances |\n|---|---|\n");
    counts.forEach((r, n) -> md.append("| ").append(r).append(" | ").append(n).append(" |\n"));
  }

  /** Options of the extraction's latest extract run (as job_runs recorded them). */
  private Map<String, String> lastExtractOptions() {
    String location = layout.projectTable(project, JobRunLog.TABLE);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return Map.of();
    }
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(location)
            .where(
                col("job")
                    .equalTo(ExtractJob.NAME)
                    .and(col("options").getItem("extraction_id").equalTo(extractionId)))
            .orderBy(col("started_at").desc())
            .select("options")
            .limit(1)
            .collectAsList();
    return rows.isEmpty() ? Map.of() : new TreeMap<>(rows.get(0).<String, String>getJavaMap(0));
  }

  /** verification_failures.csv: one line per failure, with its id (what an approver names). */
  String failuresCsv(List<Failure> failures) {
    StringBuilder out =
        new StringBuilder("failure_id,path,check,severity,found_sha256,offset,detail\n");
    failures.stream()
        .sorted(java.util.Comparator.comparing((Failure f) -> f.path()).thenComparing(f -> f.id()))
        .forEach(
            f ->
                out.append(
                    csv(
                        f.id(),
                        f.path(),
                        f.check(),
                        f.severity(),
                        f.foundSha256(),
                        Long.toString(f.offset()),
                        f.detail())));
    return out.toString();
  }

  /** Writes {@code name} beside the extraction unless it already holds exactly {@code text}. */
  byte[] write(String name, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Path path = new Path(root, name);
    if (!(ProjectFiles.exists(path) && Arrays.equals(ProjectFiles.read(path), bytes))) {
      ProjectFiles.write(path, bytes);
    }
    return bytes;
  }

  private static String csv(String... fields) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      String f = fields[i] == null ? "" : fields[i];
      if (i > 0) {
        line.append(',');
      }
      line.append(
          f.contains(",") || f.contains("\"") || f.contains("\n")
              ? "\"" + f.replace("\"", "\"\"") + "\""
              : f);
    }
    return line.append('\n').toString();
  }
}
