package org.imaginglakehouse.transform.link;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse link --dataset N --source PATH|JDBC-URL [--table T] [--id-column CHI]}. */
@Command(
    name = "link",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse link --dataset smr06 --source /data/linked/smr06.csv",
      "  lakehouse link --dataset prescribing --source /data/linked/prescribing.parquet --id-column chi",
      "  lakehouse link --dataset smr06 --source jdbc:postgresql://db:5432/registry --table public.smr06 --jdbc-user lakehouse"
    },
    description = {
      "Load an external patient-level dataset (CSV, Parquet, Delta or a JDBC table) into"
          + " deidentified.<dataset>, with the patient identifier replaced by the EUPI from the"
          + " pseudonym mapping (config pseudonym.*) that promote uses. Unmapped rows are listed"
          + " with the identifier in identifiable.link_unmapped only.",
      "JDBC password: environment LAKEHOUSE_LINK_JDBC_PASSWORD or config"
          + " jobs.link.jdbc-password-file (never a flag).",
      "Exit codes: 0 all rows linked, 3 some rows unmapped, 1 failure."
    })
public final class LinkCommand extends LakehouseCommand {
  @Option(names = "--dataset", required = true, description = "Table name: deidentified.<dataset>.")
  String dataset;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "PATH|JDBC-URL",
      description = "File or directory (any Hadoop URI), or a jdbc: URL.")
  String source;

  @Option(names = "--format", description = "csv, parquet, delta or jdbc (default: from --source).")
  String format;

  @Option(names = "--table", description = "JDBC table, or \"(SELECT ...) AS q\".")
  String table;

  @Option(
      names = "--id-column",
      paramLabel = "COLUMN",
      description = "Column with the patient identifier (default chi).")
  String idColumn;

  @Option(
      names = "--drop-columns",
      paramLabel = "C1,C2",
      description = "Other identifying columns never to copy.")
  String dropColumns;

  @Option(
      names = "--key",
      paramLabel = "C1,C2",
      description = "MERGE (upsert) on these source columns instead of replacing the snapshot.")
  String key;

  @Option(names = "--jdbc-user", description = "JDBC user (the password comes from env/file).")
  String jdbcUser;

  @Override
  protected int run() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(LinkJob.OPTION_DATASET, dataset);
    options.put(LinkJob.OPTION_SOURCE, source);
    options.put(LinkJob.OPTION_FORMAT, format);
    options.put(LinkJob.OPTION_TABLE, table);
    options.put(LinkJob.OPTION_ID_COLUMN, idColumn);
    options.put(LinkJob.OPTION_DROP_COLUMNS, dropColumns);
    options.put(LinkJob.OPTION_KEY, key);
    options.put(LinkJob.OPTION_JDBC_USER, jdbcUser);
    int code = report(LinkJob.of(context().spark(), context().config(), options).execute());
    context().refreshTables();
    return code;
  }
}
