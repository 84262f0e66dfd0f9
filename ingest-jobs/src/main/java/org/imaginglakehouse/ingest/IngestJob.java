package org.imaginglakehouse.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Preconditions;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser;
import org.imaginglakehouse.ingest.dicom.ErrorClass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lakehouse ingest}: a PACS copy (directory tree, file list, zip archives; local, HDFS or
 * S3) becomes {@code identifiable.instances}, {@code ingest_errors} and {@code file_index}.
 *
 * <p>Incremental: a file whose (path, size, modification time) is in {@code file_index} is not
 * opened again; a zip archive whose (path, size, modification time) matches its indexed entries is
 * not opened again. Idempotent and kill-safe: inputs are processed in batches in path order; each
 * batch commits, in this order, deletions of rows of changed files, new instances (append after a
 * duplicate check against a pinned table version; re-parsed rows of the same file are MERGEd),
 * {@code ingest_errors} (MERGE on file_path) and last {@code file_index} (MERGE on file_path). A
 * run killed anywhere leaves the batch's files un-indexed, so the next run redoes exactly them, and
 * every step is a no-op for rows already written. See docs/ingest.md.
 */
public final class IngestJob extends AbstractJob<IngestResult> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);
  public static final String NAME = "ingest";

  /** Comma-separated sources: directories, files, zip archives, file lists ({@code @list}). */
  public static final String OPTION_SOURCE = "source";

  /** Inputs (files or archives) per committed batch. */
  public static final String OPTION_BATCH_SIZE = "batch-size";

  public static final int DEFAULT_BATCH_SIZE = 250_000;

  /** {@code header} (default) or {@code full}: what {@code file_checksum} covers. */
  public static final String OPTION_CHECKSUM = "checksum";

  public static final String DEFAULT_CHECKSUM = "header";

  /** Threads listing directories and stat'ing file lists on the driver. */
  public static final String OPTION_LIST_THREADS = "list-threads";

  public static final int DEFAULT_LIST_THREADS = 16;

  /** Inputs per Spark task (more tasks balance better, fewer have less overhead). */
  public static final String OPTION_FILES_PER_TASK = "files-per-task";

  public static final int DEFAULT_FILES_PER_TASK = 1000;

  /** {@code auto} (compact when the table has many small files), {@code always}, {@code never}. */
  public static final String OPTION_OPTIMIZE = "optimize";

  public static final String DEFAULT_OPTIMIZE = "auto";

  /** In {@code auto} mode, OPTIMIZE instances once it has more data files than this. */
  public static final String OPTION_OPTIMIZE_MIN_FILES = "optimize-min-files";

  public static final int DEFAULT_OPTIMIZE_MIN_FILES = 32;

  /** Clustering keys of instances (Delta liquid clustering, applied by OPTIMIZE). */
  public static final List<String> CLUSTER_BY = List.of("Modality", "StudyDate");

  private static final StructType CANDIDATE_SCHEMA =
      new StructType()
          .add("path", DataTypes.StringType, false)
          .add("size", DataTypes.LongType, false)
          .add("modified", DataTypes.TimestampType, false)
          .add("archive", DataTypes.BooleanType, false);

  private final String instancesPath;
  private final String errorsPath;
  private final String indexPath;
  private boolean instancesHaveRows;

  public IngestJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
    this.instancesPath = layout.table(Zone.IDENTIFIABLE, IngestSchemas.INSTANCES);
    this.errorsPath = layout.table(Zone.IDENTIFIABLE, IngestSchemas.INGEST_ERRORS);
    this.indexPath = layout.table(Zone.IDENTIFIABLE, IngestSchemas.FILE_INDEX);
  }

  /** Options map for {@link JobOptions#of}: convenience for callers. */
  public static JobOptions options(
      LakehouseConfig config, String source, Map<String, String> more) {
    Map<String, String> explicit = new LinkedHashMap<>(more);
    explicit.put(OPTION_SOURCE, source);
    return JobOptions.of(config, NAME, explicit);
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
  protected IngestResult result(JobResult generic) {
    return new IngestResult(generic);
  }

  @Override
  protected JobStatus run(RunContext run) {
    List<String> sources = new ArrayList<>();
    for (String s : options.require(OPTION_SOURCE).split(",")) {
      if (!s.isBlank()) {
        sources.add(s.trim());
      }
    }
    int batchSize = options.getInt(OPTION_BATCH_SIZE, DEFAULT_BATCH_SIZE);
    int filesPerTask = options.getInt(OPTION_FILES_PER_TASK, DEFAULT_FILES_PER_TASK);
    Preconditions.checkArgument(batchSize > 0, "batch-size must be positive, got %s", batchSize);
    Preconditions.checkArgument(filesPerTask > 0, "files-per-task must be positive");
    DicomHeaderParser.ChecksumMode checksum =
        checksumMode(options.get(OPTION_CHECKSUM, DEFAULT_CHECKSUM));
    String optimize = options.get(OPTION_OPTIMIZE, DEFAULT_OPTIMIZE).toLowerCase(Locale.ROOT);
    Preconditions.checkArgument(
        List.of("auto", "always", "never").contains(optimize),
        "optimize must be auto, always or never, got %s",
        optimize);

    run.time("create_tables", this::createTables);
    Discovery discovery =
        new Discovery(
            spark.sparkContext().hadoopConfiguration(),
            options.getInt(OPTION_LIST_THREADS, DEFAULT_LIST_THREADS));
    List<SourceFile> found = run.time("discover", () -> discovery.discover(sources));
    run.count(IngestResult.LISTED, found.size());

    // Change test: (path, size, mtime) against file_index.
    List<SourceFile> todo = new ArrayList<>();
    java.util.Set<String> known = new java.util.HashSet<>();
    long unchanged = run.time("change_test", () -> changeTest(found, todo, known));
    instancesHaveRows = !spark.read().format("delta").load(instancesPath).isEmpty();
    run.count(IngestResult.UNCHANGED, unchanged);
    run.count("read", todo.size());
    LOG.info(
        "ingest {}: {} listed, {} to read, {} inputs unchanged",
        run.runId(),
        found.size(),
        todo.size(),
        unchanged);

    Counts counts = new Counts();
    long ingestMillis = System.currentTimeMillis();
    FileParser parser =
        new FileParser(
            run.runId(),
            ingestMillis,
            checksum,
            new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    for (int from = 0; from < todo.size(); from += batchSize) {
      List<SourceFile> batch = todo.subList(from, Math.min(todo.size(), from + batchSize));
      processBatch(run, parser, batch, filesPerTask, known, counts);
      instancesHaveRows = true;
    }
    run.count(IngestResult.INPUTS, unchanged + counts.inputs);
    run.count(IngestResult.INSTANCES, counts.instances);
    run.count(IngestResult.DUPLICATES, counts.duplicates);
    run.count(IngestResult.REJECTED, counts.rejected);
    run.count(IngestResult.SKIPPED, counts.skipped);
    counts.byClass.forEach((k, v) -> run.count(IngestResult.REJECTED_PREFIX + k, v));

    if (!optimize.equals("never") && (counts.inputs > 0 || optimize.equals("always"))) {
      run.time("optimize", () -> maybeOptimize(run, optimize.equals("always")));
    }
    registerTables();
    return counts.rejected + counts.duplicates > 0
        ? JobStatus.COMPLETED_WITH_REJECTIONS
        : JobStatus.SUCCEEDED;
  }

  static DicomHeaderParser.ChecksumMode checksumMode(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "header" -> DicomHeaderParser.ChecksumMode.HEADER;
      case "full" -> DicomHeaderParser.ChecksumMode.FULL;
      default ->
          throw new LakehouseException(
              "Invalid option checksum=" + value + " for job ingest: expected header or full");
    };
  }

  private static final class Counts {
    long inputs;
    long instances;
    long duplicates;
    long rejected;
    long skipped;
    final Map<String, Long> byClass = new LinkedHashMap<>();
  }

  private void createTables() {
    DeltaTable.createIfNotExists(spark)
        .location(instancesPath)
        .addColumns(IngestSchemas.INSTANCES_SCHEMA)
        .clusterBy(CLUSTER_BY.toArray(new String[0]))
        .comment("One row per DICOM SOP instance with its complete header (ingest job)")
        .execute();
    DeltaTable.createIfNotExists(spark)
        .location(errorsPath)
        .addColumns(IngestSchemas.ERRORS_SCHEMA)
        .comment("Input files that did not become instances, with the reason (ingest job)")
        .execute();
    DeltaTable.createIfNotExists(spark)
        .location(indexPath)
        .addColumns(IngestSchemas.FILE_INDEX_SCHEMA)
        .comment("Every input file seen by ingest with its change signature (ingest job)")
        .execute();
  }

  /**
   * Fills {@code todo} with new or changed inputs (sorted by path) and {@code known} with those of
   * them that were indexed before (changed); returns the number of unchanged inputs.
   */
  private long changeTest(
      List<SourceFile> found, List<SourceFile> todo, java.util.Set<String> known) {
    if (found.isEmpty()) {
      return 0;
    }
    Dataset<Row> index = spark.read().format("delta").load(indexPath);
    if (index.isEmpty()) {
      todo.addAll(found);
      return 0;
    }
    List<Row> rows = new ArrayList<>(found.size());
    for (SourceFile f : found) {
      rows.add(
          RowFactory.create(f.path(), f.size(), new Timestamp(f.modifiedMillis()), f.archive()));
    }
    Dataset<Row> candidates = spark.createDataFrame(rows, CANDIDATE_SCHEMA);
    // One row per indexed file or archive: its signature, and whether it may be skipped.
    // Unreadable files are retried every run: the cause (I/O, permissions) is usually transient.
    Dataset<Row> signatures =
        index
            .selectExpr(
                "coalesce(archive_path, file_path) AS s_path",
                "CASE WHEN archive_path IS NULL THEN file_size ELSE container_size END AS s_size",
                "CASE WHEN archive_path IS NULL THEN file_modified ELSE container_modified END AS s_modified",
                "CASE WHEN status = 'error' AND error_class = 'unreadable' THEN 1 ELSE 0 END AS retry")
            .groupBy("s_path", "s_size", "s_modified")
            .agg(
                org.apache.spark.sql.functions.count(lit(1)).as("entries"),
                org.apache.spark.sql.functions.max("retry").as("retry"));
    List<Row> matches =
        candidates
            .join(signatures, col("path").equalTo(col("s_path")), "inner")
            .select(
                col("path"),
                col("size")
                    .equalTo(col("s_size"))
                    .and(col("modified").equalTo(col("s_modified")))
                    .and(col("retry").equalTo(0))
                    .as("same"),
                col("entries"))
            .collectAsList();
    java.util.Map<String, Long> unchangedEntries = new java.util.HashMap<>();
    for (Row r : matches) {
      if (r.getBoolean(1)) {
        unchangedEntries.merge(r.getString(0), r.getLong(2), Long::sum);
      } else {
        known.add(r.getString(0));
      }
    }
    long unchanged = 0;
    for (SourceFile f : found) {
      Long entries = unchangedEntries.get(f.path());
      if (entries != null && !known.contains(f.path())) {
        unchanged += entries;
      } else {
        todo.add(f);
      }
    }
    return unchanged;
  }

  private static scala.collection.immutable.Seq<String> seq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(names)).toList();
  }

  private static final StructType DECISION_SCHEMA =
      new StructType()
          .add("d_path", DataTypes.StringType, false)
          .add("decision", DataTypes.StringType, false)
          .add("duplicate_of", DataTypes.StringType, true);

  private void processBatch(
      RunContext run,
      FileParser parser,
      List<SourceFile> batch,
      int filesPerTask,
      java.util.Set<String> known,
      Counts counts) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices =
        Math.max(
            spark.sparkContext().defaultParallelism(),
            (batch.size() + filesPerTask - 1) / filesPerTask);
    slices = Math.min(slices, batch.size());
    JavaRDD<Row> parsed =
        jsc.parallelize(new ArrayList<>(batch), slices).mapPartitions(parser::parse);
    Dataset<Row> staged =
        spark
            .createDataFrame(parsed, IngestSchemas.STAGING_SCHEMA)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // One pass parses everything; the driver gets the small keys to decide on duplicates.
      List<Row> keys =
          run.time(
              "parse",
              () ->
                  staged
                      .select("outcome", "error_class", "file_path", "SOPInstanceUID")
                      .collectAsList());
      run.time("write", () -> writeBatch(run, staged, batch, keys, known, counts));
    } finally {
      staged.unpersist(false);
    }
  }

  private void writeBatch(
      RunContext run,
      Dataset<Row> staged,
      List<SourceFile> batch,
      List<Row> keys,
      java.util.Set<String> known,
      Counts counts) {
    Timestamp now = new Timestamp(System.currentTimeMillis());
    // 1. Rows from earlier versions of changed files (or archives) go first.
    List<String> changed = new ArrayList<>();
    for (SourceFile f : batch) {
      if (known.contains(f.path())) {
        changed.add(f.path());
      }
    }
    if (!changed.isEmpty()) {
      deleteChanged(changed);
    }

    // 2. Duplicates are decided on the driver: the batch's SOP UIDs against the table.
    java.util.TreeMap<String, List<String>> pathsBySop = new java.util.TreeMap<>();
    for (Row k : keys) {
      String outcome = k.getString(0);
      if (outcome.equals(FileParser.OUTCOME_INSTANCE)) {
        pathsBySop.computeIfAbsent(k.getString(3), x -> new ArrayList<>()).add(k.getString(2));
      } else if (outcome.equals(FileParser.OUTCOME_ERROR)) {
        counts.rejected++;
        counts.byClass.merge(k.getString(1), 1L, Long::sum);
      } else {
        counts.skipped++;
      }
      counts.inputs++;
    }
    Map<String, String> existing = existingPaths(pathsBySop.keySet());
    List<Row> decisions = new ArrayList<>();
    long fresh = 0;
    long again = 0;
    long duplicates = 0;
    for (Map.Entry<String, List<String>> e : pathsBySop.entrySet()) {
      List<String> paths = e.getValue();
      java.util.Collections.sort(paths);
      String kept = existing.get(e.getKey());
      boolean inTable = kept != null;
      if (!inTable) {
        kept = paths.get(0);
      }
      for (String path : paths) {
        if (!path.equals(kept)) {
          decisions.add(RowFactory.create(path, "duplicate", kept));
          duplicates++;
        } else if (inTable) {
          decisions.add(RowFactory.create(path, "again", null));
          again++;
        } else {
          decisions.add(RowFactory.create(path, "fresh", null));
          fresh++;
        }
      }
    }
    counts.instances += fresh + again;
    counts.duplicates += duplicates;
    run.add("instances_appended", fresh);
    Dataset<Row> decided =
        staged.join(
            org.apache.spark.sql.functions.broadcast(
                spark.createDataFrame(decisions, DECISION_SCHEMA)),
            col("file_path").equalTo(col("d_path")),
            "left");
    Column[] instanceColumns = columns(IngestSchemas.INSTANCES_SCHEMA);
    if (fresh > 0) {
      // Append is safe: these SOP UIDs were not in the table version read above, and a re-run
      // after a kill finds them there with the same path ("again": a no-op MERGE).
      decided
          .where(col("decision").equalTo("fresh"))
          .select(instanceColumns)
          .write()
          .format("delta")
          .mode("append")
          .save(instancesPath);
    }
    if (again > 0) {
      DeltaTable.forPath(spark, instancesPath)
          .as("t")
          .merge(
              decided.where(col("decision").equalTo("again")).select(instanceColumns).as("s"),
              "t.SOPInstanceUID = s.SOPInstanceUID")
          .whenMatched("t.file_checksum <> s.file_checksum OR t.file_path <> s.file_path")
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    }

    // 3. ingest_errors: rejections and duplicates, one row per file.
    if (counts.rejected + duplicates > 0 || !changed.isEmpty()) {
      Column[] errorColumns = errorColumns(now);
      Dataset<Row> errors =
          decided
              .where(
                  col("outcome")
                      .equalTo(FileParser.OUTCOME_ERROR)
                      .or(col("decision").equalTo("duplicate")))
              .withColumn(
                  "message",
                  when(
                          col("decision").equalTo("duplicate"),
                          concat(
                              lit("SOPInstanceUID "),
                              col("SOPInstanceUID"),
                              lit(" is already ingested from "),
                              col("duplicate_of"),
                              lit(" (first ingested wins; this file is kept out of instances)")))
                      .otherwise(col("message")))
              .withColumn(
                  "error_class",
                  when(col("decision").equalTo("duplicate"), lit(ErrorClass.DUPLICATE_SOP.id()))
                      .otherwise(col("error_class")))
              .select(errorColumns);
      DeltaTable.forPath(spark, errorsPath)
          .as("t")
          .merge(errors.as("s"), "t.file_path = s.file_path")
          .whenMatched()
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    }

    // 4. file_index last: once a file is here, it is done.
    Dataset<Row> index =
        decided.select(
            col("file_path"),
            col("archive_path"),
            col("file_size"),
            col("file_modified"),
            col("container_size"),
            col("container_modified"),
            col("file_checksum"),
            when(col("decision").equalTo("duplicate"), lit("duplicate"))
                .when(col("outcome").equalTo(FileParser.OUTCOME_INSTANCE), lit("ingested"))
                .otherwise(col("outcome"))
                .as("status"),
            when(col("decision").equalTo("duplicate"), lit(ErrorClass.DUPLICATE_SOP.id()))
                .otherwise(col("error_class"))
                .as("error_class"),
            col("SOPInstanceUID"),
            col("ingest_run_id").as("run_id"),
            lit(now).as("indexed_at"));
    DeltaTable.forPath(spark, indexPath)
        .as("t")
        .merge(index.as("s"), "t.file_path = s.file_path")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  /** file_path of each given SOPInstanceUID already in instances. */
  private Map<String, String> existingPaths(java.util.Set<String> sops) {
    Map<String, String> out = new java.util.HashMap<>();
    if (sops.isEmpty() || !instancesHaveRows) {
      return out;
    }
    List<Row> rows = new ArrayList<>(sops.size());
    for (String sop : sops) {
      rows.add(RowFactory.create(sop));
    }
    Dataset<Row> wanted =
        spark.createDataFrame(rows, new StructType().add("w_sop", DataTypes.StringType, false));
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(instancesPath)
            .select("SOPInstanceUID", "file_path")
            .join(wanted, col("SOPInstanceUID").equalTo(col("w_sop")), "left_semi")
            .collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  private Column[] errorColumns(Timestamp now) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : IngestSchemas.ERRORS_SCHEMA.fields()) {
      switch (f.name()) {
        case "run_id" -> cols.add(col("ingest_run_id").as("run_id"));
        case "recorded_at" -> cols.add(lit(now).as("recorded_at"));
        default -> cols.add(col(f.name()));
      }
    }
    return cols.toArray(new Column[0]);
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames())
        .map(org.apache.spark.sql.functions::col)
        .toArray(Column[]::new);
  }

  /** Removes instance and error rows of changed files (or all entries of changed archives). */
  private void deleteChanged(List<String> changedPaths) {
    List<Row> rows = new ArrayList<>(changedPaths.size());
    for (String p : changedPaths) {
      rows.add(RowFactory.create(p));
    }
    Dataset<Row> paths =
        spark.createDataFrame(rows, new StructType().add("b_path", DataTypes.StringType, false));
    Dataset<Row> changed =
        spark
            .read()
            .format("delta")
            .load(indexPath)
            .join(
                paths,
                col("file_path")
                    .equalTo(col("b_path"))
                    .or(col("archive_path").equalTo(col("b_path"))),
                "inner")
            .select(col("file_path").as("c_path"))
            .distinct();
    for (String table : List.of(instancesPath, errorsPath)) {
      DeltaTable.forPath(spark, table)
          .as("t")
          .merge(changed.as("s"), "t.file_path = s.c_path")
          .whenMatched()
          .delete()
          .execute();
    }
  }

  private void maybeOptimize(RunContext run, boolean always) {
    DeltaTable instances = DeltaTable.forPath(spark, instancesPath);
    long files = instances.detail().select("numFiles").first().getLong(0);
    run.count("instances_files_before_optimize", files);
    int minFiles = options.getInt(OPTION_OPTIMIZE_MIN_FILES, DEFAULT_OPTIMIZE_MIN_FILES);
    if (always || files > minFiles) {
      instances.optimize().executeCompaction();
      run.count(
          "instances_files_after_optimize",
          DeltaTable.forPath(spark, instancesPath).detail().select("numFiles").first().getLong(0));
    }
  }

  private void registerTables() {
    java.util.Set<Zone> zones = ZoneCatalog.zonesOf(config);
    if (!zones.contains(Zone.IDENTIFIABLE)) {
      return;
    }
    ZoneCatalog catalog = new ZoneCatalog(spark, layout, zones);
    for (String t :
        List.of(IngestSchemas.INSTANCES, IngestSchemas.INGEST_ERRORS, IngestSchemas.FILE_INDEX)) {
      catalog.register(Zone.IDENTIFIABLE, t);
    }
  }
}
