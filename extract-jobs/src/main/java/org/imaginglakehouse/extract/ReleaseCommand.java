package org.imaginglakehouse.extract;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse release}: a verified extraction → the project's release area, audited. */
@Command(
    name = "release",
    description = {
      "Move a verified extraction to <home>/projects/<P>/releases/<id>/ (object stores: copy and"
          + " mark). Refused while verification has errors, unless --approve-failures with"
          + " --reason and --approver; every file is hashed again against VERIFIED.sha256 on the"
          + " way. Every decision (released or refused: who, when, why, the failure ids approved)"
          + " is appended to project_<P>.audit.",
      "Exit codes: 0 released, 1 refused or failed (the reason is printed and audited)."
    },
    footer = {
      "",
      "Examples:",
      "  lakehouse release --project gbm --extraction gbm_brain_mr",
      "  lakehouse release --project gbm --extraction gbm_brain_mr --approve-failures \\",
      "      --reason 'postcode hits are scanner model names, checked by hand' --approver 'J Smith'"
    })
public final class ReleaseCommand extends LakehouseCommand {
  @Option(names = "--project", required = true, description = "Project name.")
  String project;

  @Option(
      names = "--extraction",
      required = true,
      paramLabel = "ID",
      description = "Extraction id.")
  String extraction;

  @Option(
      names = "--approve-failures",
      description = "Release although verification found errors (needs --reason and --approver).")
  boolean approveFailures;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why the failures are acceptable.")
  String reason;

  @Option(
      names = "--approver",
      paramLabel = "NAME",
      description = "Who decides (default: OS user).")
  String approver;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(ReleaseJob.OPTION_PROJECT, project);
    explicit.put(ReleaseJob.OPTION_EXTRACTION, extraction);
    explicit.put(ReleaseJob.OPTION_APPROVE_FAILURES, Boolean.toString(approveFailures));
    explicit.put(ReleaseJob.OPTION_REASON, reason);
    explicit.put(ReleaseJob.OPTION_APPROVER, approver);
    ReleaseJob job =
        new ReleaseJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), ReleaseJob.NAME, explicit));
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }
}
