package org.imaginglakehouse.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Preconditions;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.zone.Zone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lakehouse sql "<statement>"}: Spark SQL against the tables of the opened zones, the
 * de-identified zone unless {@code --zone} (or {@code jobs.sql.zones}) says otherwise.
 */
@Command(
    name = "sql",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse sql \"SELECT Modality, count(*) FROM deidentified.series GROUP BY 1\"",
      "  lakehouse sql --format csv --max-rows 0 \"SELECT * FROM deidentified.study\" > study.csv",
      "  lakehouse sql --zone identifiable \"SELECT count(*) FROM identifiable.ingest_errors\"",
      "  lakehouse sql \"SHOW TABLES IN deidentified\"",
      "",
      "Only the opened zones' tables can be read, by name or by path (delta.`...`); SET, SHOW and",
      "DESCRIBE work, other commands are refused. Opening the identifiable zone is recorded in",
      "identifiable.job_runs (zones, statement SHA-256, rows; not the statement)."
    },
    description =
        "Run a Spark SQL query against the lakehouse tables of the opened zones and print the"
            + " result.")
final class SqlCommand extends LakehouseCommand {
  @Parameters(index = "0", paramLabel = "STATEMENT", description = "One SQL statement.")
  String statement;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      description =
          "Print at most N rows (default 10000); 0 = all. A cut result says so in its last line.")
  Integer maxRows;

  @Option(
      names = "--zone",
      split = ",",
      paramLabel = "ZONE",
      description =
          "Zones to open: deidentified (default, or config jobs.sql.zones), projects,"
              + " identifiable. Repeat or comma-separate; replaces the default.")
  List<String> zones;

  @Override
  protected int run() {
    String sql = statement.strip();
    while (sql.endsWith(";")) {
      sql = sql.substring(0, sql.length() - 1).strip();
    }
    Preconditions.checkArgument(!sql.isEmpty(), "Nothing to run: the SQL statement is empty");
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(SqlRun.OPTION_ZONES, zones == null ? null : String.join(",", zones));
    explicit.put(SqlRun.OPTION_MAX_ROWS, maxRows == null ? null : maxRows.toString());
    boolean configured = context().config().get("jobs.sql." + SqlRun.OPTION_ZONES).isPresent();
    explicit.put(
        SqlRun.OPTION_ZONES_FROM,
        zones != null ? "--zone" : configured ? "config jobs.sql.zones" : "default");
    explicit.put(SqlRun.OPTION_STATEMENT_SHA256, SqlRun.sha256(sql));
    JobOptions options = JobOptions.of(context().config(), SqlRun.NAME, explicit);
    SqlRun.Rows rows = run(options, sql);
    format.print(context().out(), rows.header(), rows.rows(), rows.cut() ? cutNote(rows) : null);
    if (rows.cut()) {
      context().err().println("(" + cutNote(rows) + ")");
    }
    return 0;
  }

  /** Runs the statement; recorded in identifiable.job_runs when that zone is open. */
  private SqlRun.Rows run(JobOptions options, String sql) {
    Set<Zone> opened = SqlRun.zones(options);
    SqlRun run = new SqlRun(context().spark(opened), context().config(), options, sql);
    if (context().tables().isEmpty()) {
      context()
          .err()
          .println(
              EmptyHome.note(
                  context().config(), opened, "sql \"SHOW TABLES IN deidentified\"", Path.of("")));
    }
    if (!run.zones().contains(Zone.IDENTIFIABLE)) {
      return run.query();
    }
    try {
      run.execute();
    } catch (LakehouseException e) {
      throw run.failure() != null ? run.failure() : e;
    }
    return run.rows();
  }

  private static String cutNote(SqlRun.Rows rows) {
    return "output cut at " + rows.rows().size() + " rows: --max-rows 0 prints all";
  }
}
