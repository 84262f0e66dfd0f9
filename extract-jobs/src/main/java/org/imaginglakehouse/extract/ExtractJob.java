package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Sha256;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.SessionSettings;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.deid.HmacProjectPseudonyms;
import org.imaginglakehouse.extract.deid.ProjectKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lakehouse extract}: a cohort (or a list of UIDs) becomes a project's anonymised DICOM
 * extraction. Rejectors run first (reasons in {@code project_<P>.rejections}); executors then
 * rewrite each accepted file's header through the project's de-identification profile and copy its
 * pixel bytes verbatim to {@code <project>/extractions/<id>/<patient>/<study>/<series>/<SOP>.dcm};
 * the driver records the files, their metadata and a manifest. Idempotent and incremental: an
 * instance already in {@code project_<P>.files} for the extraction is not written again.
 */
public final class ExtractJob extends AbstractJob<ExtractResult> {
  private static final Logger LOG = LoggerFactory.getLogger(ExtractJob.class);

  public static final String NAME = "extract";
  public static final String OPTION_PROJECT = "project";

  /** A cohort made by {@code lakehouse cohort create}; or {@link #OPTION_UIDS}. */
  public static final String OPTION_COHORT = "cohort";

  /** CSV with a header naming StudyInstanceUID, SeriesInstanceUID and/or SOPInstanceUID. */
  public static final String OPTION_UIDS = "uids";

  /** The project's YAML; stored with the project, so later runs may omit it. */
  public static final String OPTION_PROJECT_CONFIG = "project-config";

  /** Extraction id; default: the cohort's name, or {@code uids_<file name>}. */
  public static final String OPTION_EXTRACTION = "extraction";

  /**
   * Run {@code lakehouse verify} on the extraction when the extract ends (see {@link VerifyJob}),
   * so an extraction is never left unchecked; {@code false} for schedulers that run verify as a
   * task of its own (the project_extract DAG).
   */
  public static final String OPTION_VERIFY = "verify";

  public static final boolean DEFAULT_VERIFY = true;

  /**
   * Output formats: {@code dicom} (the files alone) or {@code both} (also the ML-ready volumes of
   * {@link TensorsJob}, built from the DICOM files just written, before verify runs).
   */
  public static final String OPTION_FORMAT = "format";

  public static final String FORMAT_DICOM = "dicom";
  public static final String FORMAT_BOTH = "both";
  public static final String DEFAULT_FORMAT = FORMAT_DICOM;

  public static final String PROJECT_FILE = "project.yaml";
  public static final String EXTRACTIONS_DIR = "extractions";

  /** Where extraction {@code extractionId} of {@code project} lies (its files and reports). */
  static String extractionRoot(ZoneLayout layout, String project, String extractionId) {
    return layout.projectRoot(project) + "/" + EXTRACTIONS_DIR + "/" + extractionId;
  }

  private final Map<String, String> env;
  private ProjectConfig project;
  private HmacProjectPseudonyms pseudonyms;
  private String extractionId;
  private String extractionRoot;

  public ExtractJob(
      SparkSession spark, LakehouseConfig config, JobOptions options, Map<String, String> env) {
    super(spark, config, options);
    this.env = env;
  }

  public static ExtractJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return new ExtractJob(spark, config, JobOptions.of(config, NAME, options), System.getenv());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Zone runLogZone() {
    return Zone.PROJECTS;
  }

  @Override
  protected String runLogLocation() {
    return layout.projectTable(projectName(), JobRunLog.TABLE);
  }

  private String projectName() {
    return ZoneLayout.checkName("project", options.require(OPTION_PROJECT));
  }

  /**
   * Every query of an extract is over the cohort's rows and small tables; the bytes are written by
   * plain Java in the write stage, which generated code does not speed up.
   */
  @Override
  protected Map<String, String> runSettings() {
    return SessionSettings.INTERPRETED;
  }

  /** Reading the inputs and planning the candidates overlap the job_runs start commit. */
  @Override
  protected boolean recordsStartAlongside() {
    return true;
  }

  /** Resolves the project, its key and profile before anything is read: clear errors first. */
  @Override
  protected Map<String, String> runLogDetails() {
    String name = projectName();
    project = ProjectFiles.load(layout, name, options.get(OPTION_PROJECT_CONFIG, ""));
    Secret key = ProjectKeys.resolve(config, name, env);
    pseudonyms = HmacProjectPseudonyms.of(key, name);
    String cohort = options.get(OPTION_COHORT, "");
    String uids = options.get(OPTION_UIDS, "");
    if (cohort.isBlank() == uids.isBlank()) {
      throw new LakehouseException(
          "Give exactly one of --cohort NAME (a cohort made by `lakehouse cohort create`) or"
              + " --uids FILE (a CSV of StudyInstanceUID / SeriesInstanceUID / SOPInstanceUID)");
    }
    if (!cohort.isBlank() && !project.mayRead(cohort)) {
      throw new LakehouseException(
          "Project '"
              + name
              + "' may not extract cohort '"
              + cohort
              + "': add it to `cohorts:` in the project file (or \"*\" for any cohort)");
    }
    extractionId =
        ZoneLayout.checkName(
            "extraction",
            options.get(
                OPTION_EXTRACTION, !cohort.isBlank() ? cohort : "uids_" + ProjectFiles.stem(uids)));
    extractionRoot = extractionRoot(layout, name, extractionId);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("extraction_id", extractionId);
    details.put("format", format());
    details.put("key_id", pseudonyms.keyId());
    details.put("profile", Profiles.of(project).summary());
    details.put("project_file_sha256", project.sha256());
    return details;
  }

  @Override
  protected JobStatus run(RunContext run) {
    String name = projectName();
    String cohort = options.get(OPTION_COHORT, "");
    ExtractInputs inputs = new ExtractInputs(spark, layout);
    ExtractInputs.Request request =
        run.time(
            "read_inputs",
            () ->
                cohort.isBlank()
                    ? inputs.fromUidFile(options.get(OPTION_UIDS, ""), project.level())
                    : inputs.fromCohort(cohort));
    List<String> optOut = ProjectFiles.optOut(project);
    run.count("opt_out_entries", optOut.size());
    Dataset<Row> judged =
        run.time(
            "plan",
            () ->
                ExtractCandidates.judge(
                        ExtractCandidates.expand(
                            request.asked(), request.level(), request.image(), inputs.instances()),
                        project,
                        optOut)
                    .cache());
    ProjectTables tables = new ProjectTables(spark, layout, name, extractionId, pseudonyms);
    // Fail before any file is written if the project's linked datasets are not as promised.
    ExtractionMetadata metadata = new ExtractionMetadata(tables);
    project.linkedColumns().forEach(metadata::linkedSource);
    try {
      run.count("asked", run.time("count_asked", () -> request.asked().count()));
      // One pass over the candidates (it also fills the cache every later step reads): how many
      // are accepted and how many each rule rejects.
      Map<String, Long> judgement = run.time("judge", () -> countByReason(judged));
      long acceptedCount = judgement.getOrDefault(ACCEPTED, 0L);
      run.count("accepted", acceptedCount);
      // Everything above only read; from here on the run writes, so its start must be on record.
      run.awaitStartRecorded();
      run.count(
          "leftovers_removed",
          run.time("remove_leftovers", () -> ProjectFiles.removeLeftovers(extractionRoot)));
      Dataset<Row> rejected = judged.where(col(ExtractCandidates.REASON).isNotNull());
      Dataset<Row> accepted = judged.where(col(ExtractCandidates.REASON).isNull());
      long rejectedBefore =
          run.time("record_rejections", () -> tables.recordRejections(rejected, run, judgement));
      Dataset<Row> outcomes =
          run.time(
              "plan_writes",
              () -> writeFiles(tables.notYetWritten(accepted), writeTasks(acceptedCount)).cache());
      try {
        // The files are written here: the executors run when the outcomes are first counted.
        long attempted = run.time("write_files", () -> outcomes.count());
        run.count("skipped_already_written", acceptedCount - attempted);
        // Redactions first: `files` is what marks an instance done, so a run killed between the
        // two commits re-writes the instance (same bytes) and records its redaction again, rather
        // than skipping it with its redaction never recorded.
        run.time(
            "record_redactions",
            () -> Redactions.record(spark, layout, name, extractionId, outcomes, run));
        long failed = run.time("record", () -> tables.recordOutcomes(outcomes, run));
        run.count("rejected", rejectedBefore + failed);
        if (attempted > 0 || !ExtractionMetadata.releaseFilesExist(extractionRoot)) {
          run.time(
              "metadata_and_manifest",
              () ->
                  metadata.writeMetadataAndManifest(
                      accepted, request.image(), project, extractionRoot));
        }
        tensors(run);
        long verifyErrors = verifyAtEnd(run);
        JobStatus status =
            run.rejections(run.time("summary", () -> tables.rejections(run.runId())));
        // A scheduler running extract alone must see a blocked release: exit 3, as verify's own.
        return verifyErrors > 0 ? JobStatus.COMPLETED_WITH_REJECTIONS : status;
      } finally {
        outcomes.unpersist();
      }
    } finally {
      judged.unpersist();
    }
  }

  /** Key of {@link #countByReason} for the accepted candidates (reason NULL). */
  static final String ACCEPTED = "";

  /** Candidates per rejection reason; the accepted ones under {@link #ACCEPTED}. */
  private static Map<String, Long> countByReason(Dataset<Row> judged) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r : judged.groupBy(ExtractCandidates.REASON).count().collectAsList()) {
      out.put(r.isNullAt(0) ? ACCEPTED : r.getString(0), r.getLong(1));
    }
    return out;
  }

  /**
   * Tasks of the write stage: a few per core, so every core writes and a slow task does not leave
   * the others idle. Without it the stage inherits the partitions of the joins before it, which
   * adaptive execution coalesces to one for rows this small: one core wrote every file.
   */
  private int writeTasks(long instances) {
    long perCore = 4L * spark.sparkContext().defaultParallelism();
    return (int) Math.max(1, Math.min(instances, perCore));
  }

  private static final String MODALITY = "_modality";

  private Dataset<Row> writeFiles(Dataset<Row> todo, int tasks) {
    InstanceExtractor.Settings settings =
        new InstanceExtractor.Settings(project, pseudonyms, extractionRoot);
    MapPartitionsFunction<Row, Row> write =
        rows -> {
          InstanceExtractor extractor = InstanceExtractor.open(settings);
          TaskContext task = TaskContext.get();
          String attempt =
              task == null
                  ? "local"
                  : task.stageId() + "-" + task.partitionId() + "-" + task.attemptNumber();
          List<Row> out = new ArrayList<>();
          while (rows.hasNext()) {
            Row r = rows.next();
            InstanceExtractor.Outcome o =
                extractor.extract(
                    r.getAs("file_path"),
                    r.getAs("file_checksum"),
                    r.getAs(ExtractCandidates.EUPI),
                    r.getAs(ExtractCandidates.STUDY),
                    r.getAs(ExtractCandidates.SERIES),
                    r.getAs(ExtractCandidates.SOP),
                    Boolean.TRUE.equals(r.getAs(ExtractCandidates.REDACT)),
                    r.getAs(Redactions.BOXES),
                    attempt);
            out.add(
                RowFactory.create(
                    o.sopInstanceUid(),
                    sha256Hex(r.getAs(ExtractCandidates.SOP)),
                    o.relativePath(),
                    o.sha256(),
                    o.size(),
                    o.pixelBytesCopied(),
                    o.reason(),
                    o.message(),
                    o.redactedRegions(),
                    o.redactionRules(),
                    r.getAs(MODALITY),
                    o.overlays().kept(),
                    o.overlays().removedText(),
                    o.overlays().removedEmbedded() + o.overlays().removedUnreadable()));
          }
          return out.iterator();
        };
    return Redactions.withOcrBoxes(spark, layout, todo)
        .select(
            col("file_path"),
            col("file_checksum"),
            col(ExtractCandidates.EUPI),
            col(ExtractCandidates.STUDY),
            col(ExtractCandidates.SERIES),
            col(ExtractCandidates.SOP),
            col(ExtractCandidates.REDACT),
            col(Redactions.BOXES),
            // For the rejections table, should the write stage reject the instance.
            functions.coalesce(col("i_modality"), col("Modality")).as(MODALITY))
        .repartition(tasks)
        .mapPartitions(write, Encoders.row(ProjectTables.OUTCOME_SCHEMA));
  }

  /** {@code --format both}: the volumes of {@link TensorsJob} (its own job_runs entry). */
  private void tensors(RunContext run) {
    if (!FORMAT_BOTH.equals(format())
        || !ProjectFiles.exists(new org.apache.hadoop.fs.Path(extractionRoot))) {
      return;
    }
    JobResult volumes =
        run.time(
            "tensors",
            () ->
                TensorsJob.of(
                        spark,
                        config,
                        Map.of(
                            TensorsJob.OPTION_PROJECT,
                            projectName(),
                            TensorsJob.OPTION_EXTRACTION,
                            extractionId,
                            TensorsJob.OPTION_VERIFY,
                            "false"))
                    .execute());
    run.count("volumes", volumes.count("volumes"));
    run.count("not_a_volume", volumes.count("not_a_volume"));
  }

  private String format() {
    String format = options.get(OPTION_FORMAT, DEFAULT_FORMAT);
    if (!format.equals(FORMAT_DICOM) && !format.equals(FORMAT_BOTH)) {
      throw new LakehouseException(
          "--format must be dicom or both (the ML-ready volumes are built from the released DICOM"
              + " files, so there is no volume-only extraction; see docs/ml-ready.md)");
    }
    return format;
  }

  // -- Verification at the end of every extract (issue 24): VerifyJob, its own job_runs entry. --

  /** Verifies the extraction unless told not to; the errors verify found (0: clean or skipped). */
  private long verifyAtEnd(RunContext run) {
    if (!options.getBoolean(OPTION_VERIFY, DEFAULT_VERIFY)
        || !ProjectFiles.exists(new org.apache.hadoop.fs.Path(extractionRoot))) {
      return 0;
    }
    VerifyResult verified =
        run.time("verify", () -> VerifyJob.verify(spark, config, projectName(), extractionId));
    long errors = verified.count("errors");
    run.count("verify_errors", errors);
    run.count("verify_warnings", verified.count("warnings"));
    if (errors > 0) {
      LOG.warn(
          "Verification found {} error(s) in extraction {}: release is blocked. See"
              + " verification_failures.csv beside it or `lakehouse verify --project {} --extraction"
              + " {}`.",
          errors,
          extractionId,
          projectName(),
          extractionId);
    }
    return errors;
  }

  static String sha256Hex(String value) {
    return Sha256.hex(value);
  }

  @Override
  protected ExtractResult result(JobResult generic) {
    return new ExtractResult(
        generic, extractionId, extractionRoot, pseudonyms == null ? null : pseudonyms.keyId());
  }
}
