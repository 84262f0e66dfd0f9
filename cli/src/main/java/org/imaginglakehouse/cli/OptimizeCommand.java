package org.imaginglakehouse.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.maintenance.OptimizeJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse optimize}: compact (and optionally vacuum) every table of a zone. */
@Command(
    name = "optimize",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse optimize --zone identifiable",
      "  lakehouse optimize --zone deidentified --vacuum --retain-hours 336",
      "  lakehouse optimize --zone deidentified --vacuum --cohort-retention-days 730"
    },
    description = "Compact small files of every table in a zone.")
final class OptimizeCommand extends LakehouseCommand {
  @Option(names = "--zone", description = "identifiable, deidentified or projects.")
  String zone;

  @Option(names = "--vacuum", description = "Also VACUUM files older than --retain-hours.")
  Boolean vacuum;

  @Option(names = "--retain-hours", description = "VACUUM retention (default 168).")
  Long retainHours;

  @Option(
      names = "--cohort-retention-days",
      description =
          "Cohorts created within this many days stay reproducible: VACUUM keeps what their pinned"
              + " versions need (raising --retain-hours for those tables, said in the summary), and"
              + " the de-identified tables keep their log that long (default 365).")
  Long cohortRetentionDays;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(OptimizeJob.OPTION_ZONE, zone);
    explicit.put(OptimizeJob.OPTION_VACUUM, vacuum == null ? null : vacuum.toString());
    explicit.put(
        OptimizeJob.OPTION_RETAIN_HOURS, retainHours == null ? null : retainHours.toString());
    explicit.put(
        OptimizeJob.OPTION_COHORT_RETENTION_DAYS,
        cohortRetentionDays == null ? null : cohortRetentionDays.toString());
    OptimizeJob job =
        new OptimizeJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), OptimizeJob.NAME, explicit));
    return report(job.execute());
  }
}
