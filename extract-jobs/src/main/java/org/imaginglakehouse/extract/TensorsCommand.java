package org.imaginglakehouse.extract;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse tensors}: ML-ready volumes (Arrow IPC) of an extraction's series. */
@Command(
    name = "tensors",
    description = {
      "Write every series of a project's extraction as one ML-ready volume: an Arrow IPC file"
          + " (fixed-shape tensor per slice, slices ordered along the slice normal, Rescale"
          + " Slope/Intercept applied, smallest dtype, geometry and de-identified metadata as"
          + " columns) under <extraction>/tensors/modality=<M>/<series>.arrow, built from the"
          + " extraction's released DICOM files. Series that are not one regular volume (mixed"
          + " orientation or size, repeated positions, gaps) are listed as not_a_volume with the"
          + " reason. Index: project_<P>.volumes and volumes.parquet. Verify runs at the end, so"
          + " the volume files are scanned before release (docs/ml-ready.md).",
      "Exit codes: 0 done, 1 failure."
    },
    footer = {
      "",
      "Examples:",
      "  lakehouse tensors --project gbm --extraction gbm_brain_mr",
      "  lakehouse tensors --project gbm --extraction gbm_brain_mr --no-verify"
    })
public final class TensorsCommand extends LakehouseCommand {
  @Option(names = "--project", required = true, description = "Project name.")
  String project;

  @Option(
      names = "--extraction",
      required = true,
      paramLabel = "ID",
      description = "Extraction id (made by `lakehouse extract`).")
  String extraction;

  @Option(
      names = "--verify",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run `lakehouse verify` on the extraction at the end (default); --no-verify when verify"
              + " runs as a step of its own.")
  boolean verify;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(TensorsJob.OPTION_PROJECT, project);
    explicit.put(TensorsJob.OPTION_EXTRACTION, extraction);
    explicit.put(TensorsJob.OPTION_VERIFY, Boolean.toString(verify));
    TensorsJob job =
        new TensorsJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), TensorsJob.NAME, explicit));
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }
}
