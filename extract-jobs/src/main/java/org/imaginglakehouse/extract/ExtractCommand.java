package org.imaginglakehouse.extract;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse extract}: a cohort or UID list → a project's anonymised DICOM extraction. */
@Command(
    name = "extract",
    description = {
      "Write a project's anonymised DICOM extraction of a cohort (or a CSV of UIDs): rejectors"
          + " first (project_<P>.rejections), then every accepted file with its header"
          + " de-identified by the project's profile and its pixel bytes copied unchanged, under"
          + " <home>/projects/<P>/extractions/<id>/, with metadata.csv/.parquet and"
          + " MANIFEST.sha256. Idempotent and incremental. The project key comes from"
          + " LAKEHOUSE_PROJECT_<P>_KEY or a key file (docs/extract.md), never a flag.",
      "Exit codes: 0 all extracted, 3 some instances rejected (reasons in the table), 1 failure."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse extract --project gbm --project-config gbm.yaml --cohort gbm_brain_mr",
      "  lakehouse extract --project gbm --uids request.csv --extraction request_2026_12",
      "  lakehouse extract --project gbm --cohort gbm_brain_mr --format both"
    })
public final class ExtractCommand extends LakehouseCommand {
  @Option(names = "--project", required = true, description = "Project name (lower-case).")
  String project;

  @Option(names = "--cohort", paramLabel = "NAME", description = "A cohort to extract.")
  String cohort;

  @Option(
      names = "--uids",
      paramLabel = "FILE",
      description = "CSV with a header: StudyInstanceUID, SeriesInstanceUID or SOPInstanceUID.")
  String uids;

  @Option(
      names = "--project-config",
      paramLabel = "FILE",
      description = "The project's YAML; stored with the project for later runs.")
  String projectConfig;

  @Option(
      names = "--extraction",
      paramLabel = "ID",
      description = "Extraction id (default: the cohort name, or uids_<file name>).")
  String extraction;

  @Option(
      names = "--format",
      paramLabel = "dicom|both",
      description =
          "dicom (default): the DICOM files; both: also one ML-ready Arrow volume per series"
              + " (`lakehouse tensors`, docs/ml-ready.md), verified with the files.")
  String format;

  @Option(
      names = "--verify",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run `lakehouse verify` on the extraction when the extract ends (default); --no-verify"
              + " when verify runs as a step of its own.")
  boolean verify;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(ExtractJob.OPTION_PROJECT, project);
    explicit.put(ExtractJob.OPTION_COHORT, cohort);
    explicit.put(ExtractJob.OPTION_UIDS, uids);
    explicit.put(ExtractJob.OPTION_PROJECT_CONFIG, projectConfig);
    explicit.put(ExtractJob.OPTION_EXTRACTION, extraction);
    explicit.put(ExtractJob.OPTION_VERIFY, Boolean.toString(verify));
    explicit.put(ExtractJob.OPTION_FORMAT, format);
    ExtractJob job =
        new ExtractJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), ExtractJob.NAME, explicit),
            System.getenv());
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }
}
