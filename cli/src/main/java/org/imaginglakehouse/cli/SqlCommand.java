package org.imaginglakehouse.cli;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.Preconditions;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lakehouse sql "<statement>"}: Spark SQL against the registered zone tables. */
@Command(
    name = "sql",
    description = "Run a Spark SQL statement against the lakehouse tables and print the result.")
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
      defaultValue = "10000",
      description = "Print at most this many rows (default ${DEFAULT-VALUE}); 0 = no limit.")
  int maxRows;

  @Override
  protected int run() {
    String sql = statement.strip();
    while (sql.endsWith(";")) {
      sql = sql.substring(0, sql.length() - 1).strip();
    }
    Preconditions.checkArgument(!sql.isEmpty(), "Nothing to run: the SQL statement is empty");
    SparkSession spark = context().spark();
    Dataset<Row> result = spark.sql(sql);
    Dataset<Row> rendered = render(result);
    List<Row> rows =
        maxRows > 0 ? rendered.limit(maxRows + 1).collectAsList() : rendered.collectAsList();
    boolean truncated = maxRows > 0 && rows.size() > maxRows;
    if (truncated) {
      rows = rows.subList(0, maxRows);
    }
    List<String> header = Arrays.asList(result.columns());
    List<List<String>> values = new ArrayList<>(rows.size());
    for (Row row : rows) {
      List<String> line = new ArrayList<>(row.size());
      for (int i = 0; i < row.size(); i++) {
        line.add(row.isNullAt(i) ? null : row.getString(i));
      }
      values.add(line);
    }
    format.print(context().out(), header, values);
    if (truncated) {
      context().err().println("(output cut at " + maxRows + " rows: use --max-rows)");
    }
    return 0;
  }

  /** Every column as a string: complex types as JSON, binary as base64. */
  private static Dataset<Row> render(Dataset<Row> result) {
    StructType schema = result.schema();
    Column[] columns = new Column[schema.fields().length];
    for (int i = 0; i < columns.length; i++) {
      StructField field = schema.fields()[i];
      Column c = col("`" + field.name().replace("`", "``") + "`");
      if (field.dataType() instanceof StructType
          || field.dataType() instanceof ArrayType
          || field.dataType() instanceof MapType) {
        c = to_json(c);
      } else if (field.dataType() instanceof BinaryType) {
        c = base64(c);
      } else {
        c = c.cast("string");
      }
      columns[i] = c.as("c" + i);
    }
    return result.select(columns);
  }
}
