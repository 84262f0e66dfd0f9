package org.imaginglakehouse.transform.promote;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse promote}: identifiable.instances → de-identified study/series/image. */
@Command(
    name = "promote",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse --conf pseudonym.source=csv --conf pseudonym.location=chi_eupi.csv promote",
      "  lakehouse promote --full",
      "  lakehouse promote --templates /etc/lakehouse/promote"
    },
    description = {
      "Promote identifiable.instances into the de-identified inventory (deidentified.study,"
          + " series, image) through the templates and promotion rules, with CHI→EUPI pseudonyms"
          + " (config pseudonym.*). Incremental; rejected instances are listed in"
          + " identifiable.promotion_rejections.",
      "Exit codes: 0 all promoted, 3 some instances rejected, 1 failure."
    })
public final class PromoteCommand extends LakehouseCommand {
  @Option(
      names = "--templates",
      paramLabel = "DIR",
      description = "Directory with promotion-rules.yaml and templates/*.yaml (default: built-in).")
  String templates;

  @Option(names = "--full", description = "Rebuild every table even if nothing changed.")
  Boolean full;

  @Option(
      names = "--source",
      paramLabel = "PATH",
      description = "Instances table location (default: identifiable.instances).")
  String source;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(PromoteJob.OPTION_TEMPLATES, templates);
    explicit.put(PromoteJob.OPTION_FULL, full == null ? null : full.toString());
    explicit.put(PromoteJob.OPTION_SOURCE, source);
    PromoteJob job =
        new PromoteJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), PromoteJob.NAME, explicit));
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }
}
