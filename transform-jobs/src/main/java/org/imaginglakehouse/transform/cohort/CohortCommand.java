package org.imaginglakehouse.transform.cohort;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lakehouse cohort create|show|list|rerun}. */
@Command(
    name = "cohort",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse cohort list",
      "  lakehouse cohort create --name gbm_brain_mr --level study --sql \"$(cat gbm.sql)\"",
      "  lakehouse cohort rerun gbm_brain_mr"
    },
    description = "Reproducible cohorts over the de-identified zone.",
    subcommands = {
      CohortCommand.Create.class,
      CohortCommand.Show.class,
      CohortCommand.ListCohorts.class,
      CohortCommand.Rerun.class
    })
public final class CohortCommand extends LakehouseCommand {
  @Override
  protected int run() {
    context().err().println("Missing subcommand: create, show, list or rerun (see --help)");
    return 2;
  }

  /** {@code cohort create --name N --sql "SELECT ..." [--level study|series|image]}. */
  @Command(
      name = "create",
      footerHeading = "%nExamples:%n",
      footer = {
        "  lakehouse cohort create --name ct_head --sql \"SELECT eupi, StudyInstanceUID FROM deidentified.study WHERE array_contains(ModalitiesInStudy, 'CT')\"",
        "  lakehouse cohort create --replace --name gbm_brain_mr --level study --sql \"$(cat gbm.sql)\""
      },
      description =
          "Run SQL over the de-identified zone and store the result as a cohort pinned to the"
              + " Delta version of every table it read.")
  public static final class Create extends LakehouseCommand {
    @Option(names = "--name", required = true, description = "Cohort name (lower-case identifier).")
    String name;

    @Option(
        names = "--sql",
        required = true,
        description =
            "A query over deidentified.* returning eupi, StudyInstanceUID and, for series/image"
                + " level, SeriesInstanceUID/SOPInstanceUID; other columns are kept as attributes.")
    String sql;

    @Option(
        names = "--level",
        description = "study, series or image (default: finest level the query returns).")
    String level;

    @Option(names = "--replace", description = "Redefine an existing cohort of this name.")
    boolean replace;

    @Override
    protected int run() {
      Map<String, String> options = new LinkedHashMap<>();
      options.put(CohortCreateJob.OPTION_NAME, name);
      options.put(CohortCreateJob.OPTION_SQL, sql);
      options.put(CohortCreateJob.OPTION_LEVEL, level);
      options.put(CohortCreateJob.OPTION_REPLACE, Boolean.toString(replace));
      CohortCreateJob job = CohortCreateJob.of(context().spark(), context().config(), options);
      int code = report(job.execute());
      context().refreshTables();
      return code;
    }
  }

  /** {@code cohort show N}. */
  @Command(
      name = "show",
      footerHeading = "%nExamples:%n",
      footer = {"  lakehouse cohort show gbm_brain_mr"},
      description = "Print a cohort's definition, pinned versions and counts.")
  public static final class Show extends LakehouseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    protected int run() {
      Cohorts.Definition d =
          new Cohorts(context().spark(), context().layout()).require(Cohorts.checkName(name));
      var out = context().out();
      out.println("cohort:      " + d.name());
      out.println("level:       " + d.level().id());
      out.println(
          "created:     "
              + d.createdAt()
              + " UTC by "
              + d.createdBy()
              + " (run "
              + d.runId()
              + ")");
      out.println("members:     " + d.memberCount() + " rows, " + d.patientCount() + " patients");
      out.println("hash:        " + d.resultHash());
      out.println(
          "attributes:  "
              + (d.attributeColumns().isEmpty() ? "-" : String.join(", ", d.attributeColumns())));
      out.println("tables read:");
      for (CohortSql.TableVersion t : d.tablesRead()) {
        out.println("  " + t.name() + " @ version " + t.version() + "  (" + t.location() + ")");
      }
      out.println(
          "last rerun:  "
              + (d.lastRerunAt() == null
                  ? "never"
                  : d.lastRerunAt()
                      + " UTC, "
                      + (Boolean.TRUE.equals(d.lastRerunIdentical()) ? "identical" : "DIFFERENT")));
      out.println("sql:");
      out.println("  " + d.sql().replace("\n", "\n  "));
      out.println("pinned sql:");
      out.println("  " + d.pinnedSql().replace("\n", "\n  "));
      return 0;
    }
  }

  /** {@code cohort list}. */
  @Command(
      name = "list",
      footerHeading = "%nExamples:%n",
      footer = {"  lakehouse cohort list"},
      description = "List the cohorts.")
  public static final class ListCohorts extends LakehouseCommand {
    @Override
    protected int run() {
      List<Cohorts.Definition> all = new Cohorts(context().spark(), context().layout()).list();
      var out = context().out();
      if (all.isEmpty()) {
        out.println("No cohorts yet: create one with `lakehouse cohort create --name N --sql ...`");
        return 0;
      }
      out.printf(
          "%-24s %-7s %10s %9s  %-20s %-12s %s%n",
          "NAME", "LEVEL", "MEMBERS", "PATIENTS", "CREATED (UTC)", "BY", "TABLES@VERSION");
      for (Cohorts.Definition d : all) {
        String tables =
            d.tablesRead().stream()
                .map(t -> t.name() + "@" + t.version())
                .collect(Collectors.joining(", "));
        out.printf(
            "%-24s %-7s %10d %9d  %-20s %-12s %s%n",
            d.name(),
            d.level().id(),
            d.memberCount(),
            d.patientCount(),
            d.createdAt().toString().replaceFirst("\\.\\d+$", ""),
            d.createdBy(),
            tables);
      }
      return 0;
    }
  }

  /** {@code cohort rerun N}. */
  @Command(
      name = "rerun",
      footerHeading = "%nExamples:%n",
      footer = {"  lakehouse cohort rerun gbm_brain_mr"},
      description =
          "Re-execute a cohort at its pinned table versions (Delta time travel) and prove the"
              + " result identical to the stored members (exit 1 if not).")
  public static final class Rerun extends LakehouseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    protected int run() {
      return report(
          CohortRerunJob.of(
                  context().spark(), context().config(), Map.of(CohortRerunJob.OPTION_NAME, name))
              .execute());
    }
  }
}
