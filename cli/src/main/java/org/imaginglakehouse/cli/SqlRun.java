package org.imaginglakehouse.cli;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Sha256;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.zone.Zone;

/**
 * One {@code lakehouse sql} statement: checked by {@link SqlAccess} against the opened zones, run,
 * and its rows rendered as strings. {@link #execute()} records the run in {@code
 * identifiable.job_runs} (zones opened and where from, the statement's SHA-256, the row count; the
 * statement itself is not stored, as it may carry identifying literals); {@link #query()} runs it
 * unrecorded, for the de-identified zone, whose readers may not write at all.
 */
final class SqlRun extends AbstractJob<JobResult> {
  public static final String NAME = "sql";

  /** Zones the statement may read, comma-separated: deidentified, projects, identifiable. */
  public static final String OPTION_ZONES = "zones";

  public static final String DEFAULT_ZONES = "deidentified";

  /** Print at most this many rows; 0 = all. */
  public static final String OPTION_MAX_ROWS = "max-rows";

  public static final int DEFAULT_MAX_ROWS = 10_000;

  /** Recorded only: SHA-256 of the statement, to match a run with a statement kept elsewhere. */
  static final String OPTION_STATEMENT_SHA256 = "statement_sha256";

  /** Recorded only: where the zones came from (the flag or the config key). */
  static final String OPTION_ZONES_FROM = "zones_from";

  /** What the statement returned: column names in order (duplicates kept), rendered rows. */
  record Rows(List<String> header, List<List<String>> rows, boolean cut) {}

  private final String sql;
  private final Set<Zone> zones;
  private final int maxRows;
  private Rows rows;
  private RuntimeException failure;

  SqlRun(SparkSession spark, LakehouseConfig config, JobOptions options, String sql) {
    super(spark, config, options);
    this.sql = sql;
    this.zones = zones(options);
    this.maxRows = options.getInt(OPTION_MAX_ROWS, DEFAULT_MAX_ROWS);
    if (maxRows < 0) {
      throw new LakehouseException("--max-rows must be 0 (all rows) or more, not " + maxRows);
    }
  }

  /** The zones {@code options} open; an empty list is an error, not "everything". */
  static Set<Zone> zones(JobOptions options) {
    Set<Zone> zones = new java.util.TreeSet<>();
    for (String id : options.get(OPTION_ZONES, DEFAULT_ZONES).split(",")) {
      if (!id.isBlank()) {
        zones.add(Zone.fromId(id));
      }
    }
    if (zones.isEmpty()) {
      throw new LakehouseException("No zone to open: pass --zone deidentified (or projects, ...)");
    }
    return zones;
  }

  static String sha256(String sql) {
    return Sha256.hex(sql);
  }

  Set<Zone> zones() {
    return zones;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Zone runLogZone() {
    return Zone.IDENTIFIABLE;
  }

  @Override
  protected JobStatus run(RunContext run) {
    try {
      rows = run.time("query", this::query);
    } catch (RuntimeException e) {
      // job_runs gets the error condition only: Spark's messages can quote the statement's
      // literals or the data; the caller rethrows the original for the console.
      failure = e;
      String reason =
          e instanceof LakehouseException && e.getCause() == null ? e.getMessage() : condition(e);
      throw new LakehouseException("The statement failed: " + reason, e);
    }
    run.count("rows", rows.rows().size());
    return JobStatus.SUCCEEDED;
  }

  /** The original exception of a failed {@link #execute()}, else null. */
  RuntimeException failure() {
    return failure;
  }

  Rows rows() {
    return rows;
  }

  /** Checks and runs the statement, collecting at most {@code maxRows} rows. */
  Rows query() {
    new SqlAccess(spark, layout, zones).check(sql);
    Dataset<Row> result = spark.sql(sql);
    List<String> header = Arrays.asList(result.columns());
    Dataset<Row> rendered = render(result);
    List<Row> collected =
        maxRows > 0 ? rendered.limit(maxRows + 1).collectAsList() : rendered.collectAsList();
    boolean cut = maxRows > 0 && collected.size() > maxRows;
    if (cut) {
      collected = collected.subList(0, maxRows);
    }
    List<List<String>> values = new ArrayList<>(collected.size());
    for (Row row : collected) {
      List<String> line = new ArrayList<>(row.size());
      for (int i = 0; i < row.size(); i++) {
        line.add(row.isNullAt(i) ? null : row.getString(i));
      }
      values.add(line);
    }
    return new Rows(header, values, cut);
  }

  /**
   * Every column as a string (complex types as JSON, binary as base64), renamed by position first:
   * a result may repeat a column name ({@code SELECT 1 AS x, 2 AS x}, {@code SELECT *} over a
   * join), which a by-name reference could not tell apart.
   */
  static Dataset<Row> render(Dataset<Row> result) {
    StructType schema = result.schema();
    String[] positional = new String[schema.fields().length];
    for (int i = 0; i < positional.length; i++) {
      positional[i] = "c" + i;
    }
    Dataset<Row> unique = result.toDF(positional);
    Column[] columns = new Column[positional.length];
    for (int i = 0; i < columns.length; i++) {
      StructField field = schema.fields()[i];
      Column c = col(positional[i]);
      if (field.dataType() instanceof StructType
          || field.dataType() instanceof ArrayType
          || field.dataType() instanceof MapType) {
        c = to_json(c);
      } else if (field.dataType() instanceof BinaryType) {
        c = base64(c);
      } else {
        c = c.cast("string");
      }
      columns[i] = c.as(positional[i]);
    }
    return unique.select(columns);
  }

  private static String condition(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkThrowable spark && spark.getCondition() != null) {
        return spark.getCondition();
      }
    }
    return e.getClass().getSimpleName();
  }

  @Override
  protected JobResult result(JobResult generic) {
    return generic;
  }
}
