package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.extract.tensor.SeriesVolumes;
import org.imaginglakehouse.extract.verify.Failure;
import org.imaginglakehouse.extract.verify.FileVerifier;
import org.imaginglakehouse.extract.verify.IdentifyingValues;
import org.imaginglakehouse.extract.verify.PixelOcr;

/**
 * {@code lakehouse verify}: proves an extraction clean before release. Every file under the
 * extraction (images, metadata, manifest, reports) is read by an executor and checked by {@link
 * FileVerifier}: residual scan for every identifying value of the extraction's source instances
 * (from {@code identifiable.instances.header}), text detectors, structural checks. The driver adds
 * the extraction-wide checks (files listed in {@code project_<P>.files} and nothing else, one birth
 * date per patient), replaces the extraction's {@code verification_failures}, writes the reports
 * and {@code VERIFIED.sha256} (the SHA-256 of every byte scanned: release moves only those bytes)
 * and sets the extraction's status in {@code project_<P>.extraction_status} to {@code verified} or
 * {@code failed}. Re-runnable: a killed run leaves the status {@code pending}; a re-run gives the
 * same rows and files.
 */
public final class VerifyJob extends ProjectJob<VerifyResult> {
  public static final String NAME = "verify";
  public static final String OPTION_PROJECT = "project";
  public static final String OPTION_EXTRACTION = "extraction";

  /** Fraction of the DICOM files also read by dcmtk's dcmdump (PixelMed reads every one). */
  public static final String OPTION_DCMDUMP_SAMPLE = "dcmdump-sample";

  public static final double DEFAULT_DCMDUMP_SAMPLE = 0.1;

  /** Fraction of the DICOM files whose dciodvfy errors are compared with their source's. */
  public static final String OPTION_IOD_SAMPLE = "iod-sample";

  public static final double DEFAULT_IOD_SAMPLE = 0.02;

  /**
   * Fraction of the images that were not redacted to OCR (a stable sample by path); every redacted
   * image is OCRed. Same engine and passes as {@code lakehouse ocr} ({@link PixelOcr}).
   */
  public static final String OPTION_OCR_SAMPLE = "ocr-sample";

  public static final double DEFAULT_OCR_SAMPLE = 0;

  public static final String OPTION_DCMDUMP = "dcmdump";
  public static final String DEFAULT_DCMDUMP = "dcmdump";
  public static final String OPTION_DCIODVFY = "dciodvfy";
  public static final String DEFAULT_DCIODVFY = "dciodvfy";

  /** The SHA-256 of every file verify scanned, in sha256sum format (release checks against it). */
  public static final String VERIFIED_LIST = "VERIFIED.sha256";

  /** Largest file read (a Java array); a bigger one is reported as {@code unreadable_file}. */
  static final long MAX_FILE = Integer.MAX_VALUE - 64;

  static final StructType REPORT_SCHEMA =
      new StructType()
          .add("path", DataTypes.StringType, false)
          .add("sha256", DataTypes.StringType, true)
          .add("size", DataTypes.LongType, false)
          .add("birth_date", DataTypes.StringType, true)
          .add(
              "failures",
              DataTypes.createArrayType(
                  new StructType()
                      .add("check", DataTypes.StringType, false)
                      .add("found_sha256", DataTypes.StringType, true)
                      .add("offset", DataTypes.LongType, false)
                      .add("severity", DataTypes.StringType, false)
                      .add("detail", DataTypes.StringType, true)),
              false);

  /** What an executor needs (broadcast once). */
  record Settings(
      String root,
      List<IdentifyingValues.Value> values,
      Set<String> sops,
      double dcmdumpSample,
      double iodSample,
      String dcmdump,
      String dciodvfy,
      Map<String, String> redacted,
      double ocrSample)
      implements Serializable {}

  public VerifyJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
  }

  public static VerifyJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return new VerifyJob(spark, config, JobOptions.of(config, NAME, options));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Map<String, String> runLogDetails() {
    resolveExtraction();
    for (String o : List.of(OPTION_DCMDUMP_SAMPLE, OPTION_IOD_SAMPLE, OPTION_OCR_SAMPLE)) {
      double f = options.getDouble(o, 0);
      if (f < 0 || f > 1) {
        throw new LakehouseException("--" + o + " must be a fraction between 0 and 1");
      }
    }
    return Map.of("extraction_id", extractionId);
  }

  /** Runs verify on an extraction (at the end of extract and tensors): its own job_runs entry. */
  static VerifyResult verify(
      SparkSession spark, LakehouseConfig config, String project, String extractionId) {
    return new VerifyJob(
            spark,
            config,
            JobOptions.of(
                config, NAME, Map.of(OPTION_PROJECT, project, OPTION_EXTRACTION, extractionId)))
        .execute();
  }

  @Override
  protected JobStatus run(RunContext run) {
    String project = projectName();
    ExtractionState state = new ExtractionState(spark, layout, project);
    ExtractionState.Extraction before =
        run.time("status_read", () -> openExtraction(state, extractionId, root, "verify"));
    // Pending while this run works: no row (never verified) already means pending to release,
    // and a pending row stays one, so only an earlier outcome needs a commit (a Delta MERGE).
    if (before != null && !ExtractionState.PENDING.equals(before.status())) {
      run.time(
          "status_pending",
          () ->
              state.put(
                  new ExtractionState.Extraction(
                      extractionId, ExtractionState.PENDING, 0, 0, 0, 0, null, null, null),
                  null,
                  null));
    }
    ProjectConfig config = ProjectFiles.load(layout, project, "");
    run.count("leftovers_removed", ProjectFiles.removeLeftovers(root));
    // The extraction's files, read once for the scan, the extraction-wide checks and the reports.
    List<Row> fileRows =
        run.time("files", () -> ExtractionReports.files(spark, layout, project, extractionId));
    List<String> hashes = new ArrayList<>();
    fileRows.forEach(r -> hashes.add(r.getString(3)));
    ExtractionSources sources =
        run.time(
            "identifying_values",
            () ->
                ExtractionSources.read(
                    spark, new ExtractInputs(spark, layout).instances(), hashes));
    List<IdentifyingValues.Value> values = sources.values();
    run.count("identifying_values", values.size());
    Map<String, List<Region>> redactions = Redactions.read(spark, layout, project, extractionId);
    ExtractionReports reports = new ExtractionReports(spark, layout, project, extractionId, root);
    ExtractionReports.Inputs inputs =
        new ExtractionReports.Inputs(fileRows, sources.studies(), redactions);
    List<String> extras =
        new ArrayList<>(run.time("reports", () -> reports.writeBeforeVerify(config, inputs)));
    for (String name :
        List.of(
            ProjectTables.METADATA_CSV, ProjectTables.METADATA_PARQUET, ProjectTables.MANIFEST)) {
      if (ProjectFiles.exists(new Path(root, name))) {
        extras.add(name);
      }
    }
    // Linked-dataset files of any project file version, `lakehouse tensors`' index and its volume
    // files: whatever is there is scanned. The linked files and the index lie beside the patient
    // directories (the root's own listing, not the whole tree's); volumes under tensors/.
    try {
      Path rootPath = new Path(root);
      FileSystem fs = ProjectFiles.fs(rootPath);
      Set<String> found = new java.util.TreeSet<>();
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(rootPath)) {
        String name = f.getPath().getName();
        if (f.isFile()
            && (name.startsWith(ProjectTables.LINKED_PREFIX)
                || name.equals(TensorsJob.VOLUMES_PARQUET))) {
          found.add(name);
        }
      }
      Path tensors = new Path(rootPath, SeriesVolumes.TENSORS_DIR);
      if (fs.exists(tensors)) {
        for (String name : ProjectFiles.relativeFiles(fs, tensors)) {
          if (name.endsWith(".arrow")) {
            found.add(SeriesVolumes.TENSORS_DIR + "/" + name);
          }
        }
      }
      extras.addAll(found);
    } catch (IOException e) {
      throw new LakehouseException("Cannot list extraction " + root + ": " + e.getMessage(), e);
    }

    Set<String> sops = new HashSet<>();
    List<Row> tasks = new ArrayList<>();
    for (Row r : fileRows) {
      sops.add(r.getString(0));
      ExtractionSources.Source src = sources.source(r.getString(3));
      tasks.add(
          src == null
              ? RowFactory.create(r.get(1), r.get(2), null, null, null, null, null)
              : RowFactory.create(
                  r.get(1),
                  r.get(2),
                  src.filePath(),
                  src.birthDate(),
                  src.patientName(),
                  src.patientId(),
                  src.accession()));
    }
    Map<String, String> redacted = new TreeMap<>();
    redactions.forEach((path, regions) -> redacted.put(path, Region.format(regions)));
    Settings settings =
        new Settings(
            root,
            values,
            sops,
            options.getDouble(OPTION_DCMDUMP_SAMPLE, DEFAULT_DCMDUMP_SAMPLE),
            options.getDouble(OPTION_IOD_SAMPLE, DEFAULT_IOD_SAMPLE),
            options.get(OPTION_DCMDUMP, DEFAULT_DCMDUMP),
            options.get(OPTION_DCIODVFY, DEFAULT_DCIODVFY),
            redacted,
            options.getDouble(OPTION_OCR_SAMPLE, DEFAULT_OCR_SAMPLE));
    run.count("redacted_images", settings.redacted().size());
    run.count(
        "ocr_files",
        tasks.stream().filter(t -> VerifyExecutor.ocred(t.getString(0), settings)).count());
    for (String name : extras) {
      tasks.add(RowFactory.create(name, null, null, null, null, null, null));
    }
    List<Row> results = run.time("scan", () -> VerifyExecutor.scan(spark, tasks, settings));
    return finish(run, state, reports, results, tasks, settings);
  }

  /** A stable sample: the same files in every run (by the SHA-256 of the relative path). */
  static boolean sampled(String path, double fraction) {
    if (fraction >= 1) {
      return true;
    }
    if (fraction <= 0) {
      return false;
    }
    byte[] h =
        Failure.sha256(path).substring(0, 8).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    long v = Long.parseLong(new String(h, java.nio.charset.StandardCharsets.US_ASCII), 16);
    return v < fraction * 0x1_0000_0000L;
  }

  private JobStatus finish(
      RunContext run,
      ExtractionState state,
      ExtractionReports reports,
      List<Row> results,
      List<Row> tasks,
      Settings settings) {
    List<Failure> failures = new ArrayList<>();
    Map<String, String> verified = new TreeMap<>();
    Map<String, Set<String>> birthDates = new TreeMap<>();
    long bytes = 0;
    long dicom = 0;
    for (Row r : results) {
      String path = r.getString(0);
      for (Row f : r.<Row>getList(4)) {
        failures.add(
            new Failure(
                path,
                f.getString(0),
                f.getString(1),
                f.getLong(2),
                f.getString(3),
                f.getString(4)));
      }
      if (!r.isNullAt(1)) {
        verified.put(path, r.getString(1));
        bytes += r.getLong(2);
      }
      if (path.endsWith(".dcm")) {
        dicom++;
        if (!r.isNullAt(3) && path.contains("/")) {
          birthDates
              .computeIfAbsent(path.substring(0, path.indexOf('/')), k -> new java.util.TreeSet<>())
              .add(r.getString(3));
        }
      }
    }
    birthDates.forEach(
        (patient, dates) -> {
          if (dates.size() > 1) {
            failures.add(
                new Failure(
                    patient,
                    Failure.Check.BIRTH_DATE,
                    null,
                    -1,
                    Failure.WARNING,
                    dates.size() + " different PatientBirthDate values for one patient"));
          }
        });
    Set<String> listed = new HashSet<>();
    tasks.forEach(t -> listed.add(t.getString(0)));
    for (String found : listAll()) {
      if (!listed.contains(found)
          && !found.equals(VERIFIED_LIST)
          && !found.equals(ExtractionReports.FAILURES_CSV)) {
        failures.add(
            new Failure(
                found,
                Failure.Check.UNLISTED,
                null,
                -1,
                Failure.ERROR,
                "a file that is not part of the extraction"));
      }
    }
    FileVerifier driverSide = new FileVerifier(settings.values(), settings.sops(), null);
    byte[] csv = reports.failuresCsv(failures).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Failure> csvFindings =
        driverSide.verifyOther(ExtractionReports.FAILURES_CSV, csv).failures();
    failures.addAll(csvFindings);
    csv = reports.write(ExtractionReports.FAILURES_CSV, reports.failuresCsv(failures));
    verified.put(ExtractionReports.FAILURES_CSV, Failure.sha256(csv));
    StringBuilder list = new StringBuilder();
    verified.forEach((p, sha) -> list.append(sha).append("  ").append(p).append('\n'));
    byte[] listBytes = reports.write(VERIFIED_LIST, list.toString());

    long errors = failures.stream().filter(f -> f.severity().equals(Failure.ERROR)).count();
    long warnings = failures.size() - errors;
    Map<String, Long> byCheck = new TreeMap<>();
    failures.forEach(f -> byCheck.merge(f.check(), 1L, Long::sum));
    byCheck.forEach((c, n) -> run.count("failures_" + c, n));
    run.count("files_verified", dicom);
    run.count("bytes_verified", bytes);
    run.count("errors", errors);
    run.count("warnings", warnings);
    run.time("record", () -> state.replaceFailures(extractionId, failures, run.runId()));
    String status = errors == 0 ? ExtractionState.VERIFIED : ExtractionState.FAILED;
    ExtractionState.Extraction outcome =
        new ExtractionState.Extraction(
            extractionId,
            status,
            dicom,
            bytes,
            errors,
            warnings,
            Failure.sha256(listBytes),
            run.runId(),
            null);
    run.time("status", () -> state.put(outcome, Instant.now(), null));
    return errors == 0 ? JobStatus.SUCCEEDED : JobStatus.COMPLETED_WITH_REJECTIONS;
  }

  /** Every file under the extraction, relative to it. */
  private List<String> listAll() {
    try {
      Path rootPath = new Path(root);
      return ProjectFiles.relativeFiles(ProjectFiles.fs(rootPath), rootPath);
    } catch (IOException e) {
      throw new LakehouseException("Cannot list extraction " + root + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected VerifyResult result(JobResult generic) {
    return new VerifyResult(generic, extractionId, root);
  }
}
