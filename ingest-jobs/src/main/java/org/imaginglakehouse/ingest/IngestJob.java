package org.imaginglakehouse.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
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
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
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
    long unchanged = run.time("change_test", () -> changeTest(found, todo));
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
      processBatch(run, parser, batch, filesPerTask, counts);
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

  /** Fills {@code todo} with new or changed inputs (sorted by path); returns unchanged inputs. */
  private long changeTest(List<SourceFile> found, List<SourceFile> todo) {
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
    // Unreadable files are retried every run: the cause (I/O, permissions) is usually transient.
    Dataset<Row> fileSignatures =
        index
            .where("archive_path IS NULL AND NOT (status = 'error' AND error_class = 'unreadable')")
            .select(
                col("file_path").as("path"),
                col("file_size").as("size"),
                col("file_modified").as("modified"));
    Dataset<Row> archiveSignatures =
        index
            .where("archive_path IS NOT NULL")
            .groupBy(
                col("archive_path").as("path"),
                col("container_size").as("size"),
                col("container_modified").as("modified"))
            .agg(org.apache.spark.sql.functions.count(lit(1)).as("entries"));
    Dataset<Row> unchangedFiles =
        candidates
            .where("NOT archive")
            .join(fileSignatures, seq("path", "size", "modified"), "left_semi");
    Dataset<Row> unchangedArchives =
        candidates
            .where("archive")
            .join(archiveSignatures, seq("path", "size", "modified"), "inner");
    List<Row> unchangedArchiveRows = unchangedArchives.select("path", "entries").collectAsList();
    java.util.Set<String> skip =
        new java.util.HashSet<>(
            unchangedFiles
                .select("path")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList());
    long unchanged = skip.size();
    for (Row r : unchangedArchiveRows) {
      skip.add(r.getString(0));
      unchanged += r.getLong(1);
    }
    for (SourceFile f : found) {
      if (!skip.contains(f.path())) {
        todo.add(f);
      }
    }
    return unchanged;
  }

  private static scala.collection.immutable.Seq<String> seq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(names)).toList();
  }

  private void processBatch(
      RunContext run, FileParser parser, List<SourceFile> batch, int filesPerTask, Counts counts) {
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
      Map<String, Long> outcomes = new LinkedHashMap<>();
      run.time(
          "parse",
          () ->
              staged
                  .groupBy("outcome", "error_class")
                  .count()
                  .collectAsList()
                  .forEach(
                      r -> {
                        String key = r.getString(0) + (r.isNullAt(1) ? "" : ":" + r.getString(1));
                        outcomes.put(key, r.getLong(2));
                      }));
      run.time("write", () -> writeBatch(run, staged, batch, outcomes, counts));
    } finally {
      staged.unpersist(false);
    }
  }

  private void writeBatch(
      RunContext run,
      Dataset<Row> staged,
      List<SourceFile> batch,
      Map<String, Long> outcomes,
      Counts counts) {
    Timestamp now = new Timestamp(System.currentTimeMillis());
    // 1. Rows from earlier versions of changed files (or archives) go first.
    deleteChanged(batch);

    // 2. Instances: duplicate check against a pinned version of the table.
    long version =
        DeltaTable.forPath(spark, instancesPath).history(1).select("version").first().getLong(0);
    Dataset<Row> existing =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", version)
            .load(instancesPath)
            .select(col("SOPInstanceUID").as("e_sop"), col("file_path").as("e_path"));
    Dataset<Row> instances = staged.where(col("outcome").equalTo(FileParser.OUTCOME_INSTANCE));
    WindowSpec bySop = Window.partitionBy("SOPInstanceUID").orderBy("file_path");
    Column otherFile = col("e_path").isNotNull().and(col("e_path").notEqual(col("file_path")));
    Dataset<Row> classified =
        instances
            .join(existing, instances.col("SOPInstanceUID").equalTo(existing.col("e_sop")), "left")
            .withColumn("rn", row_number().over(bySop))
            .withColumn("first_path", first("file_path").over(bySop))
            .withColumn("is_dup", otherFile.or(col("rn").gt(1)))
            .withColumn(
                "duplicate_of",
                when(otherFile, col("e_path")).when(col("rn").gt(1), col("first_path")))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column[] instanceColumns = columns(IngestSchemas.INSTANCES_SCHEMA);
      Dataset<Row> winners = classified.where(col("is_dup").equalTo(false));
      Dataset<Row> fresh = winners.where(col("e_path").isNull()).select(instanceColumns);
      Dataset<Row> again = winners.where(col("e_path").isNotNull()).select(instanceColumns);
      long freshCount = fresh.count();
      if (freshCount > 0) {
        fresh.write().format("delta").mode("append").save(instancesPath);
      }
      if (!again.isEmpty()) {
        DeltaTable.forPath(spark, instancesPath)
            .as("t")
            .merge(again.as("s"), "t.SOPInstanceUID = s.SOPInstanceUID")
            .whenMatched("t.file_checksum <> s.file_checksum OR t.file_path <> s.file_path")
            .updateAll()
            .whenNotMatched()
            .insertAll()
            .execute();
      }
      Dataset<Row> duplicates = classified.where(col("is_dup"));
      long dupCount = duplicates.count();

      // 3. ingest_errors: rejections and duplicates, one row per file.
      Column[] errorColumns = errorColumns(now);
      Dataset<Row> rejected =
          staged
              .where(col("outcome").equalTo(FileParser.OUTCOME_ERROR))
              .withColumn("duplicate_of", lit(null).cast(DataTypes.StringType))
              .select(errorColumns);
      Dataset<Row> dupErrors =
          duplicates
              .withColumn("error_class", lit(ErrorClass.DUPLICATE_SOP.id()))
              .withColumn(
                  "message",
                  concat(
                      lit("SOPInstanceUID "),
                      col("SOPInstanceUID"),
                      lit(" is already ingested from "),
                      col("duplicate_of"),
                      lit(" (first ingested wins; this file is kept out of instances)")))
              .select(errorColumns);
      Dataset<Row> errors = rejected.unionByName(dupErrors);
      if (!errors.isEmpty()) {
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
      Dataset<Row> dupPaths = duplicates.select(col("file_path").as("d_path"), lit(true).as("d"));
      Dataset<Row> index =
          staged
              .join(dupPaths, staged.col("file_path").equalTo(dupPaths.col("d_path")), "left")
              .select(
                  col("file_path"),
                  col("archive_path"),
                  col("file_size"),
                  col("file_modified"),
                  col("container_size"),
                  col("container_modified"),
                  col("file_checksum"),
                  when(col("d").isNotNull(), lit("duplicate"))
                      .when(col("outcome").equalTo(FileParser.OUTCOME_INSTANCE), lit("ingested"))
                      .otherwise(col("outcome"))
                      .as("status"),
                  when(col("d").isNotNull(), lit(ErrorClass.DUPLICATE_SOP.id()))
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

      long instanceOutcomes = outcomes.getOrDefault(FileParser.OUTCOME_INSTANCE, 0L);
      long batchInputs = 0;
      for (Map.Entry<String, Long> e : outcomes.entrySet()) {
        batchInputs += e.getValue();
        if (e.getKey().startsWith(FileParser.OUTCOME_ERROR + ":")) {
          String cls = e.getKey().substring(FileParser.OUTCOME_ERROR.length() + 1);
          counts.rejected += e.getValue();
          counts.byClass.merge(cls, e.getValue(), Long::sum);
        } else if (e.getKey().startsWith(FileParser.OUTCOME_SKIPPED)) {
          counts.skipped += e.getValue();
        }
      }
      counts.inputs += batchInputs;
      counts.instances += instanceOutcomes - dupCount;
      counts.duplicates += dupCount;
      run.add("instances_appended", freshCount);
    } finally {
      classified.unpersist(false);
    }
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

  /** Removes instance and error rows of files in {@code batch} that were indexed before. */
  private void deleteChanged(List<SourceFile> batch) {
    List<Row> rows = new ArrayList<>(batch.size());
    for (SourceFile f : batch) {
      rows.add(RowFactory.create(f.path(), f.archive()));
    }
    StructType schema =
        new StructType()
            .add("b_path", DataTypes.StringType, false)
            .add("b_archive", DataTypes.BooleanType, false);
    Dataset<Row> paths = spark.createDataFrame(rows, schema);
    Dataset<Row> index = spark.read().format("delta").load(indexPath);
    Column match =
        when(col("b_archive"), col("archive_path").equalTo(col("b_path")))
            .otherwise(col("file_path").equalTo(col("b_path")));
    Dataset<Row> changed =
        index
            .join(paths, match, "inner")
            .select(col("file_path").as("c_path"))
            .distinct()
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (changed.isEmpty()) {
        return;
      }
      for (String table : List.of(instancesPath, errorsPath)) {
        DeltaTable.forPath(spark, table)
            .as("t")
            .merge(changed.as("s"), "t.file_path = s.c_path")
            .whenMatched()
            .delete()
            .execute();
      }
    } finally {
      changed.unpersist(false);
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
