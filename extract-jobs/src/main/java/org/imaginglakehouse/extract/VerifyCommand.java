package org.imaginglakehouse.extract;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse verify}: the residual-PHI and structure scan that gates a release. */
@Command(
    name = "verify",
    description = {
      "Verify a project's extraction before release: every byte of every file is searched for"
          + " the identifying values of its source instances (names and their parts, IDs,"
          + " accession numbers, birth date spellings, addresses, institutions, physicians,"
          + " source UIDs), text attributes go through CHI/postcode/phone/e-mail detectors, and"
          + " every file must parse (PixelMed; dcmdump and dciodvfy on samples), reference only"
          + " mapped UIDs and carry its patient directory's PatientID. Findings go to"
          + " project_<P>.verification_failures (hashes and offsets, never values) and"
          + " verification_failures.csv; the outcome to project_<P>.extraction_status. Also run at the"
          + " end of every `lakehouse extract`.",
      "Exit codes: 0 verified (release allowed), 3 failures found (release blocked), 1 failure."
    },
    footer = {
      "",
      "Examples:",
      "  lakehouse verify --project gbm --extraction gbm_brain_mr",
      "  lakehouse verify --project gbm --extraction gbm_brain_mr --dcmdump-sample 1 --iod-sample 0.1"
    })
public final class VerifyCommand extends LakehouseCommand {
  @Option(names = "--project", required = true, description = "Project name.")
  String project;

  @Option(
      names = "--extraction",
      required = true,
      paramLabel = "ID",
      description = "Extraction id.")
  String extraction;

  @Option(
      names = "--dcmdump-sample",
      paramLabel = "FRACTION",
      description = "Fraction of images also read by dcmtk's dcmdump (default 0.1).")
  String dcmdumpSample;

  @Option(
      names = "--iod-sample",
      paramLabel = "FRACTION",
      description =
          "Fraction of images whose dciodvfy errors are compared with the source's"
              + " (default 0.02).")
  String iodSample;

  @Option(
      names = "--ocr-sample",
      paramLabel = "FRACTION",
      description =
          "Fraction of the images that were not redacted whose released pixels are OCRed (a"
              + " stable sample; every redacted image is OCRed). Default 0.")
  String ocrSample;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(VerifyJob.OPTION_PROJECT, project);
    explicit.put(VerifyJob.OPTION_EXTRACTION, extraction);
    explicit.put(VerifyJob.OPTION_DCMDUMP_SAMPLE, dcmdumpSample);
    explicit.put(VerifyJob.OPTION_IOD_SAMPLE, iodSample);
    explicit.put(VerifyJob.OPTION_OCR_SAMPLE, ocrSample);
    VerifyJob job =
        new VerifyJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), VerifyJob.NAME, explicit));
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }
}
