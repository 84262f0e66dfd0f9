package org.imaginglakehouse.cli;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse tables}: every registered table with zone, path, Delta version, rows. */
@Command(
    name = "tables",
    footerHeading = "%nExamples:%n",
    footer = {"  lakehouse tables", "  lakehouse tables --format csv"},
    description = "List registered tables: zone, name, path, version, rows.")
final class TablesCommand extends LakehouseCommand {
  @Option(
      names = "--format",
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Override
  protected int run() {
    SparkSession spark = context().spark();
    List<String> header = List.of("zone", "table", "version", "rows", "location");
    List<List<String>> rows = new ArrayList<>();
    for (ZoneCatalog.TableRef table : context().tables()) {
      Row last = DeltaTable.forPath(spark, table.location()).history(1).select("version").first();
      long rowCount = spark.table(table.qualifiedName()).count();
      rows.add(
          List.of(
              table.zone().id(),
              table.qualifiedName(),
              Long.toString(last.getLong(0)),
              Long.toString(rowCount),
              table.location()));
    }
    format.print(context().out(), header, rows, null);
    if (rows.isEmpty()) {
      context()
          .err()
          .println(
              EmptyHome.note(
                  context().config(),
                  ZoneCatalog.zonesOf(context().config()),
                  "tables",
                  Path.of("")));
    }
    return 0;
  }
}
