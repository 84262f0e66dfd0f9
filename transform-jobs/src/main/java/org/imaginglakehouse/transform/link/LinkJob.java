package org.imaginglakehouse.transform.link;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.imaginglakehouse.core.config.Secrets;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.Checkpoints;
import org.imaginglakehouse.core.spark.DeltaWrites;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.pseudonym.Pseudonymiser;

/**
 * {@code lakehouse link}: loads an external patient-level dataset (CSV, Parquet, Delta or a JDBC
 * table) into {@code deidentified.<dataset>}, replacing the patient identifier column with the EUPI
 * from the same {@link Pseudonymiser} (config {@code pseudonym.*}) the promote job uses, so linked
 * rows join the imaging inventory on {@code eupi}. Rows whose patient cannot be pseudonymised are
 * not written to the de-identified zone; they are counted and listed, with the identifier, in
 * {@code identifiable.link_unmapped}.
 *
 * <p>Idempotence. Default: full snapshot replace. Each run reads the whole source and replaces the
 * table in one Delta commit, so corrections and deletions at the source arrive too, and a re-run
 * over an unchanged source is detected (same schema, same order-independent content hash) and
 * writes nothing, so Delta versions (which cohorts pin) change only when data does. With {@code
 * --key col,...} the run is a MERGE on those source columns instead (upsert; for incremental feeds
 * whose rows have a stable id; rows deleted at the source stay).
 */
public final class LinkJob extends AbstractJob<LinkJob.Result> {
  public static final String NAME = "link";

  public static final String OPTION_DATASET = "dataset";

  /** A file/directory path (any Hadoop URI) or a {@code jdbc:} URL. */
  public static final String OPTION_SOURCE = "source";

  /** csv, parquet, delta or jdbc; default: jdbc for jdbc: URLs, else from the file extension. */
  public static final String OPTION_FORMAT = "format";

  public static final String DEFAULT_FORMAT = "auto";

  /** JDBC table name, or a parenthesised query with an alias. */
  public static final String OPTION_TABLE = "table";

  /** Column holding the patient identifier (CHI); matched case-insensitively. */
  public static final String OPTION_ID_COLUMN = "id-column";

  public static final String DEFAULT_ID_COLUMN = "chi";

  /** Further identifying columns never to copy (comma-separated). */
  public static final String OPTION_DROP_COLUMNS = "drop-columns";

  /** MERGE key columns (comma-separated); empty = full snapshot replace. */
  public static final String OPTION_KEY = "key";

  public static final String OPTION_CSV_DELIMITER = "csv-delimiter";
  public static final String DEFAULT_CSV_DELIMITER = ",";
  public static final String OPTION_JDBC_USER = "jdbc-user";

  /** Config key of a file holding the JDBC password (or env LAKEHOUSE_LINK_JDBC_PASSWORD). */
  public static final String JDBC_PASSWORD_FILE_KEY = "jobs.link.jdbc-password-file";

  public static final List<String> JDBC_PASSWORD_ENV = List.of("LAKEHOUSE_LINK_JDBC_PASSWORD");

  /** identifiable.link_unmapped: rows not linked, with the identifier and the reason. */
  public static final String UNMAPPED = "link_unmapped";

  public static final StructType UNMAPPED_SCHEMA =
      new StructType()
          .add("dataset", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("recorded_at", DataTypes.TimestampType, false)
          .add("reason", DataTypes.StringType, false)
          .add("patient_id", DataTypes.StringType, true)
          .add("source_row", DataTypes.StringType, true);

  private final Map<String, String> env;

  public LinkJob(
      SparkSession spark, LakehouseConfig config, JobOptions options, Map<String, String> env) {
    super(spark, config, options);
    this.env = env;
  }

  public static LinkJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return of(spark, config, options, System.getenv());
  }

  public static LinkJob of(
      SparkSession spark,
      LakehouseConfig config,
      Map<String, String> options,
      Map<String, String> env) {
    return new LinkJob(spark, config, JobOptions.of(config, NAME, options), env);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Zone runLogZone() {
    return Zone.IDENTIFIABLE;
  }

  /** Result with typed accessors for the counts. */
  public static final class Result extends JobResult {
    Result(JobResult generic) {
      super(generic);
    }

    public long sourceRows() {
      return count("source_rows");
    }

    public long linkedRows() {
      return count("linked_rows");
    }

    public long unmappedRows() {
      return count("unmapped_rows");
    }

    /** 1 when the snapshot was identical to the table and nothing was written. */
    public boolean unchanged() {
      return count("unchanged") == 1;
    }
  }

  @Override
  protected Result result(JobResult generic) {
    return new Result(generic);
  }

  @Override
  protected JobStatus run(RunContext run) {
    String dataset = ZoneLayout.checkName("dataset", options.require(OPTION_DATASET));
    String source = options.require(OPTION_SOURCE);
    Dataset<Row> raw = run.time("read", () -> read(source));
    String idColumn = column(raw, options.get(OPTION_ID_COLUMN, DEFAULT_ID_COLUMN), "--id-column");
    Set<String> dropped = new LinkedHashSet<>();
    dropped.add(idColumn);
    for (String c : list(options.get(OPTION_DROP_COLUMNS, ""))) {
      dropped.add(column(raw, c, "--drop-columns"));
    }
    for (String c : raw.columns()) {
      if (c.equalsIgnoreCase(Pseudonymiser.EUPI)
          || c.equalsIgnoreCase(Pseudonymiser.EUPI_SOURCE)
          || c.equalsIgnoreCase(Pseudonymiser.REJECTION)) {
        throw new LakehouseException(
            "Source column '"
                + c
                + "' clashes with the columns link adds: rename it at the source");
      }
    }
    Pseudonymiser pseudonymiser = Pseudonymiser.create(spark, config);
    Dataset<Row> mapped =
        pseudonymiser
            .apply(
                raw.withColumn(LinkRejections.ROW_ID, functions.monotonically_increasing_id()),
                idColumn)
            .cache();
    try {
      long total = mapped.count();
      run.count("source_rows", total);
      List<Column> kept = new ArrayList<>();
      kept.add(col(Pseudonymiser.EUPI));
      for (String c : raw.columns()) {
        if (!dropped.contains(c)) {
          kept.add(col(quote(c)));
        }
      }
      Dataset<Row> linked =
          mapped.where(col(Pseudonymiser.REJECTION).isNull()).select(kept.toArray(Column[]::new));
      Dataset<Row> unmapped =
          mapped
              .where(col(Pseudonymiser.REJECTION).isNotNull())
              .select(
                  lit(dataset).as("dataset"),
                  lit(run.runId()).as("run_id"),
                  lit(Timestamp.from(Instant.now())).as("recorded_at"),
                  col(Pseudonymiser.REJECTION).as("reason"),
                  col(quote(idColumn)).cast("string").as("patient_id"),
                  functions
                      .to_json(
                          functions.struct(
                              Arrays.stream(raw.columns())
                                  .map(c -> col(quote(c)))
                                  .toArray(Column[]::new)))
                      .as("source_row"),
                  col(LinkRejections.ROW_ID));
      // A row unmapped for the same reason by an earlier run keeps that run's id: run_id = this
      // run then selects the rows that are new, which alone make the exit code 3.
      Dataset<Row> recorded =
          run.time(
              "compare_unmapped",
              () ->
                  Checkpoints.local(LinkRejections.keepEarlier(spark, layout, dataset, unmapped)));
      long unmappedRows = recorded.count();
      run.count("linked_rows", total - unmappedRows);
      run.count("unmapped_rows", unmappedRows);
      for (Row r :
          mapped
              .where(col(Pseudonymiser.REJECTION).isNotNull())
              .groupBy(Pseudonymiser.REJECTION)
              .count()
              .collectAsList()) {
        run.count("unmapped_" + r.getString(0), r.getLong(1));
      }
      String target = layout.table(Zone.DEIDENTIFIED, dataset);
      List<String> key = list(options.get(OPTION_KEY, ""));
      run.time(
          "write",
          () -> {
            if (key.isEmpty()) {
              boolean unchanged = replaceSnapshot(linked, target, total - unmappedRows);
              run.count("unchanged", unchanged ? 1 : 0);
            } else {
              merge(
                  linked,
                  target,
                  key.stream().map(k -> column(raw, k, "--key")).toList(),
                  total - unmappedRows);
            }
          });
      run.time(
          "write_unmapped", () -> writeUnmapped(dataset, recorded.drop(LinkRejections.ROW_ID)));
      ZoneCatalog catalog = new ZoneCatalog(spark, layout, ZoneCatalog.zonesOf(config));
      Set<Zone> zones = ZoneCatalog.zonesOf(config);
      if (zones.contains(Zone.DEIDENTIFIED)) {
        catalog.register(Zone.DEIDENTIFIED, dataset);
      }
      if (zones.contains(Zone.IDENTIFIABLE)) {
        catalog.register(Zone.IDENTIFIABLE, UNMAPPED);
      }
      return run.rejections(
          LinkRejections.summary(dataset, run.runId(), mapped, recorded, unmappedRows));
    } finally {
      mapped.unpersist();
    }
  }

  /** Replaces the table unless it already holds exactly these rows; returns true if unchanged. */
  private boolean replaceSnapshot(Dataset<Row> linked, String target, long rows) {
    if (DeltaTable.isDeltaTable(spark, target)) {
      Dataset<Row> current = spark.read().format("delta").load(target);
      if (sameColumns(current.schema(), linked.schema())
          && contentHash(current).equals(contentHash(linked))) {
        return true;
      }
    }
    DeltaWrites.writer(linked, rows)
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(target);
    return false;
  }

  private static boolean sameColumns(StructType a, StructType b) {
    if (a.fields().length != b.fields().length) {
      return false;
    }
    for (int i = 0; i < a.fields().length; i++) {
      StructField x = a.fields()[i];
      StructField y = b.fields()[i];
      if (!x.name().equals(y.name()) || !x.dataType().equals(y.dataType())) {
        return false;
      }
    }
    return true;
  }

  /** Row count and the sum of a 64-bit hash of every row: equal for equal multisets of rows. */
  static String contentHash(Dataset<Row> rows) {
    Column[] all = Arrays.stream(rows.columns()).map(c -> col(quote(c))).toArray(Column[]::new);
    Row r =
        rows.agg(
                functions.count(lit(1)),
                functions.coalesce(
                    functions.sum(functions.xxhash64(all).cast("decimal(38,0)")),
                    lit(0).cast("decimal(38,0)")))
            .first();
    return r.getLong(0) + ":" + r.getDecimal(1).toPlainString();
  }

  private void merge(Dataset<Row> linked, String target, List<String> key, long rows) {
    long duplicates =
        linked
            .groupBy(key.stream().map(k -> col(quote(k))).toArray(Column[]::new))
            .count()
            .where(col("count").gt(1))
            .count();
    if (duplicates > 0) {
      throw new LakehouseException(
          "--key "
              + String.join(",", key)
              + " is not unique in the source ("
              + duplicates
              + " duplicated keys): choose a unique key or use the default snapshot replace");
    }
    if (!DeltaTable.isDeltaTable(spark, target)) {
      DeltaWrites.writer(linked, rows).mode("append").save(target);
      return;
    }
    String condition =
        String.join(
            " AND ", key.stream().map(k -> "t." + quote(k) + " <=> s." + quote(k)).toList());
    DeltaWrites.withPolicy(
        spark,
        rows,
        () ->
            DeltaTable.forPath(spark, target)
                .as("t")
                .merge(linked.as("s"), condition)
                .whenMatched()
                .updateAll()
                .whenNotMatched()
                .insertAll()
                .execute());
  }

  /**
   * The unmapped rows of this dataset, replaced on every run (they are those of the last run; each
   * with the id and time of the run that first recorded it).
   */
  private void writeUnmapped(String dataset, Dataset<Row> unmapped) {
    String location = layout.table(Zone.IDENTIFIABLE, UNMAPPED);
    Dataset<Row> typed = spark.createDataFrame(unmapped.javaRDD(), UNMAPPED_SCHEMA);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      typed.write().format("delta").partitionBy("dataset").mode("append").save(location);
      return;
    }
    typed
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "dataset = '" + dataset + "'")
        .save(location);
  }

  private Dataset<Row> read(String source) {
    String format = format(source);
    try {
      return switch (format) {
        case "csv" -> readCsv(source);
        case "parquet" -> spark.read().parquet(source);
        case "delta" -> spark.read().format("delta").load(source);
        case "jdbc" -> readJdbc(source);
        default ->
            throw new LakehouseException(
                "Unknown --format '" + format + "': expected csv, parquet, delta or jdbc");
      };
    } catch (LakehouseException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new LakehouseException(
          "Cannot read link source "
              + Secrets.redact(source)
              + " as "
              + format
              + ": "
              + Secrets.redact(String.valueOf(e.getMessage()).lines().findFirst().orElse("")),
          e);
    }
  }

  private String format(String source) {
    String format = options.get(OPTION_FORMAT, DEFAULT_FORMAT).trim().toLowerCase(Locale.ROOT);
    if (!format.equals("auto")) {
      return format;
    }
    String lower = source.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:")) {
      return "jdbc";
    }
    if (lower.endsWith(".csv") || lower.endsWith(".csv.gz") || lower.endsWith(".tsv")) {
      return "csv";
    }
    if (lower.endsWith(".parquet")) {
      return "parquet";
    }
    throw new LakehouseException(
        "Cannot tell the format of " + source + ": pass --format csv, parquet, delta or jdbc");
  }

  /**
   * CSV with a header; column types inferred, except the identifier, which is always read as text
   * (a CHI starts with the day of birth: read as a number it would lose its leading zero).
   */
  private Dataset<Row> readCsv(String source) {
    String delimiter = options.get(OPTION_CSV_DELIMITER, DEFAULT_CSV_DELIMITER);
    StructType inferred =
        spark
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .option("delimiter", delimiter)
            .csv(source)
            .schema();
    String wanted = options.get(OPTION_ID_COLUMN, DEFAULT_ID_COLUMN);
    StructType schema = new StructType();
    for (StructField f : inferred.fields()) {
      schema =
          schema.add(
              f.name(),
              f.name().equalsIgnoreCase(wanted) ? DataTypes.StringType : f.dataType(),
              true);
    }
    return spark
        .read()
        .option("header", "true")
        .option("delimiter", delimiter)
        .option("mode", "FAILFAST")
        .schema(schema)
        .csv(source);
  }

  private Dataset<Row> readJdbc(String url) {
    String table = options.get(OPTION_TABLE, "");
    if (table.isBlank()) {
      throw new LakehouseException(
          "A JDBC source needs --table (a table name, or \"(SELECT ...) AS q\")");
    }
    Properties properties = new Properties();
    String user = options.get(OPTION_JDBC_USER, "");
    if (!user.isBlank()) {
      properties.setProperty("user", user);
    }
    Optional<Secret> password =
        Secrets.resolve(config, env, JDBC_PASSWORD_FILE_KEY, JDBC_PASSWORD_ENV);
    password.ifPresent(p -> properties.setProperty("password", p.reveal()));
    properties.setProperty("fetchsize", "10000");
    return spark.read().jdbc(url, table, properties);
  }

  private static String column(Dataset<Row> df, String wanted, String flag) {
    List<String> matches =
        Arrays.stream(df.columns()).filter(c -> c.equalsIgnoreCase(wanted.trim())).toList();
    if (matches.size() != 1) {
      throw new LakehouseException(
          "The source has "
              + (matches.isEmpty() ? "no" : "more than one")
              + " column '"
              + wanted
              + "' ("
              + flag
              + "); its columns are "
              + String.join(", ", df.columns()));
    }
    return matches.get(0);
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
