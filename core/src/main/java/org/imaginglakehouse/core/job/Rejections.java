package org.imaginglakehouse.core.job;

import java.util.List;
import java.util.Locale;

/**
 * The rejections of one run as the console shows them, and the exit-code rule of every job: a run
 * is {@link JobStatus#COMPLETED_WITH_REJECTIONS} (exit code 3) if and only if it recorded at least
 * one <em>new</em> rejection, an input it was given and rejected that no earlier finished run had
 * recorded (and so reported; see {@code core.spark.EarlierRecords#reported}). Inputs skipped as
 * already processed, and rejections an earlier run recorded (and reported), do not make a re-run
 * exit 3; the summary still says how many are on record.
 *
 * <p>{@code examples} are at most {@link #SHOWN} of this run's new rejections, each one line of
 * non-identifying text (a reason with a path relative to the source, a source row number, a project
 * pseudonym): never a header value, name, CHI, birth date or source UID. The full rows are listed
 * by the printed queries, in the table the job wrote them to.
 *
 * @param newThisRun rejections first recorded by this run
 * @param onRecord rejections of this table (and scope) on record after the run, this run's
 *     included; -1 when not counted
 * @param examples up to {@link #SHOWN} lines describing new rejections
 * @param zone zone to open for the queries ({@code identifiable}, {@code projects})
 * @param table the table as {@code lakehouse sql} names it, e.g. {@code identifiable.ingest_errors}
 * @param thisRun SQL condition selecting this run's new rejections
 * @param all SQL condition selecting every rejection on record in scope, or null for all rows
 */
public record Rejections(
    long newThisRun,
    long onRecord,
    List<String> examples,
    String zone,
    String table,
    String thisRun,
    String all) {
  /** New rejections shown in the summary at most. */
  public static final int SHOWN = 5;

  public Rejections {
    examples = List.copyOf(examples.subList(0, Math.min(SHOWN, examples.size())));
  }

  /** The condition selecting the rows a run recorded, for a table with a {@code run_id} column. */
  public static String runIdIs(String runId) {
    return "run_id = " + literal(runId);
  }

  /** A SQL string literal. */
  public static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The exit-code rule: 3 iff this run recorded a new rejection. */
  public JobStatus status() {
    return newThisRun > 0 ? JobStatus.COMPLETED_WITH_REJECTIONS : JobStatus.SUCCEEDED;
  }

  /** The command listing this run's new rejections. */
  public String thisRunQuery() {
    return query(thisRun);
  }

  /** The command listing every rejection on record (in this job's scope). */
  public String allQuery() {
    return query(all);
  }

  private String query(String where) {
    String sql = "SELECT * FROM " + table + (where == null ? "" : " WHERE " + where);
    return "bin/lakehouse sql --zone "
        + zone
        + " \""
        + sql.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"";
  }

  /** The summary lines (indented two spaces), or none when nothing was ever rejected. */
  public String describe() {
    if (newThisRun == 0 && onRecord == 0) {
      return "";
    }
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder();
    String record = onRecord < 0 ? "" : String.format(Locale.ROOT, ", %,d on record", onRecord);
    if (newThisRun == 0) {
      out.append("  rejections: none new this run (exit code 0)")
          .append(record)
          .append(", recorded and reported by earlier runs")
          .append(nl)
          .append("  list them: ")
          .append(allQuery())
          .append(nl);
      return out.toString();
    }
    out.append(
            String.format(Locale.ROOT, "  rejections: %,d new this run (exit code 3)", newThisRun))
        .append(record)
        .append(nl);
    for (String example : examples) {
      out.append("    ").append(example).append(nl);
    }
    if (newThisRun > examples.size() && !examples.isEmpty()) {
      out.append(String.format(Locale.ROOT, "    ... and %,d more", newThisRun - examples.size()))
          .append(nl);
    }
    out.append("  list this run's: ").append(thisRunQuery()).append(nl);
    if (onRecord < 0 || onRecord > newThisRun) {
      out.append("  list all on record: ").append(allQuery()).append(nl);
    }
    return out.toString();
  }
}
