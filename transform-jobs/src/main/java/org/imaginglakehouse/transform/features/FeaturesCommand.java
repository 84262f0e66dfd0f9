package org.imaginglakehouse.transform.features;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse features}: per-instance and per-series pixel features. */
@Command(
    name = "features",
    footerHeading = "%nExamples:%n",
    footer = {"  lakehouse features", "  lakehouse features --extractors texture --limit 1000"},
    description =
        "Decode pixel data of new instances into identifiable.pixel_features and recompute"
            + " identifiable.series_pixel_features for their series.")
public final class FeaturesCommand extends LakehouseCommand {
  @Option(
      names = "--max-frames",
      description = "Frames sampled per instance for statistics (default 32; 0 = all).")
  Integer maxFrames;

  @Option(
      names = "--extractors",
      description = "Comma-separated feature extractors to run (default all registered).")
  String extractors;

  @Option(names = "--batch-size", description = "Instances per committed batch (default 5000).")
  Integer batchSize;

  @Option(names = "--limit", description = "Process at most this many new instances.")
  Long limit;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(FeaturesJob.OPTION_MAX_FRAMES, str(maxFrames));
    explicit.put(FeaturesJob.OPTION_EXTRACTORS, extractors);
    explicit.put(FeaturesJob.OPTION_BATCH_SIZE, str(batchSize));
    explicit.put(FeaturesJob.OPTION_LIMIT, str(limit));
    FeaturesJob job =
        new FeaturesJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), FeaturesJob.NAME, explicit));
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
