package org.imaginglakehouse.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
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
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.VersionChecksum;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Preconditions;
import org.imaginglakehouse.core.Sha256;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.ConcurrentCommits;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.Rejections;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.DeltaSnapshots;
import org.imaginglakehouse.core.spark.KeyedCommits;
import org.imaginglakehouse.core.spark.SessionSettings;
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
 * batch commits, in this order, deletions of rows of changed files, new instances (an append, then
 * the duplicate rule settled in one transaction on the latest version, {@link InstanceSettle}),
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

  /**
   * Inputs per Spark task at most. Each task writes one data file: more tasks balance better, fewer
   * write fewer files (more than {@link #DEFAULT_OPTIMIZE_MIN_FILES} start a compaction).
   */
  public static final String OPTION_FILES_PER_TASK = "files-per-task";

  public static final int DEFAULT_FILES_PER_TASK = 100_000;

  /** A task of fewer inputs is not worth its own data file (see {@link #tasks}). */
  static final int MIN_FILES_PER_TASK = 1_000;

  /** Frames of up to this many rows built on the driver stay local relations. */
  private static final int LOCAL_ROWS_MAX = 20_000;

  /** {@code auto} (compact when the table has many small files), {@code always}, {@code never}. */
  public static final String OPTION_OPTIMIZE = "optimize";

  public static final String DEFAULT_OPTIMIZE = "auto";

  /** In {@code auto} mode, OPTIMIZE instances once it has more data files than this. */
  public static final String OPTION_OPTIMIZE_MIN_FILES = "optimize-min-files";

  public static final int DEFAULT_OPTIMIZE_MIN_FILES = 32;

  /**
   * {@code keep} (default) or {@code remove}: what to do with indexed files that a listed directory
   * no longer holds (withdrawn or corrected studies). Counted as {@code missing} either way.
   */
  public static final String OPTION_ON_MISSING = "on-missing";

  public static final String DEFAULT_ON_MISSING = "keep";

  /** Clustering keys of instances (Delta liquid clustering, applied by OPTIMIZE). */
  public static final List<String> CLUSTER_BY = List.of("Modality", "StudyDate");

  /**
   * Columns of instances with Delta min/max statistics: the clustering keys and the identifiers
   * queries and the MERGEs select by. Delta's default (the first 32 columns: mostly descriptive
   * strings nobody filters on) was ~9% of the executors' time in the append.
   */
  public static final List<String> STATS_COLUMNS =
      List.of(
          "SOPInstanceUID",
          "StudyInstanceUID",
          "SeriesInstanceUID",
          "PatientID",
          "AccessionNumber",
          "Modality",
          "StudyDate");

  static final String STATS_COLUMNS_PROPERTY = "delta.dataSkippingStatsColumns";

  /**
   * Properties of instances. Besides the statistics columns, Parquet writer settings for the leaves
   * of the nested {@code header}, which Delta hands to the Parquet writer of every write to the
   * table (appends, DELETE rewrites, OPTIMIZE):
   *
   * <ul>
   *   <li>no Parquet min/max statistics on any header leaf: Spark pushes no filter into array
   *       elements, so nothing reads them, and computing them was ~6% of the Parquet write;
   *   <li>no dictionary for {@code header.values}: UIDs, dates and free text fill the dictionary
   *       and fall back to plain encoding anyway; the file size stays the same (measured).
   * </ul>
   *
   * <p>Dictionaries stay on for the repetitive leaves (path, tag, keyword, VR, private creator),
   * where they are what keeps the header small.
   *
   * <p>Deletion vectors on: settling duplicates marks the losing rows deleted instead of rewriting
   * every data file that holds one, headers and all ({@link DeletionVectorMarks}). The rows of
   * changed or withdrawn inputs are still rewritten away ({@link #REWRITE_DELETES}).
   */
  public static final Map<String, String> INSTANCES_PROPERTIES = instancesProperties();

  private static Map<String, String> instancesProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(STATS_COLUMNS_PROPERTY, String.join(",", STATS_COLUMNS));
    for (String leaf : IngestSchemas.headerLeafPaths()) {
      p.put("parquet.column.statistics.enabled#" + leaf, "false");
    }
    p.put("parquet.enable.dictionary#" + IngestSchemas.headerLeafPath("values"), "false");
    p.put(DeletionVectorMarks.ENABLE_PROPERTY, "true");
    return java.util.Collections.unmodifiableMap(p);
  }

  private final String instancesPath;
  private final String errorsPath;
  private final String indexPath;

  /** Retries of commits that conflict with another run's (this job's name in the messages). */
  private final ConcurrentCommits commits = ConcurrentCommits.of(NAME);

  /** The run's duplicate settling in instances and its writes to file_index. */
  private InstanceSettle instanceSettle;

  private KeyedCommits indexCommits;
  private KeyedCommits errorCommits;

  /** The file paths {@code ingest_errors} may hold; read when a batch first has errors. */
  private KeyFingerprints errorPaths;

  /** Version of {@code ingest_errors} whose paths {@link #errorPaths} is yet to read, or -1. */
  private long errorPathsUnread;

  /**
   * The inputs of the run in progress when given by the caller ({@link #execute(List)}, the watch
   * mode's settled files) instead of listed from the sources; null: list the sources.
   */
  private List<SourceFile> given;

  public IngestJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
    this.instancesPath = layout.table(Zone.IDENTIFIABLE, IngestSchemas.INSTANCES);
    this.errorsPath = layout.table(Zone.IDENTIFIABLE, IngestSchemas.INGEST_ERRORS);
    this.indexPath = layout.table(Zone.IDENTIFIABLE, IngestSchemas.FILE_INDEX);
  }

  /**
   * One run over {@code inputs} (already listed, e.g. the settled files of a watched landing area)
   * instead of a listing of the sources: everything else is the same run as {@link #execute()}
   * (change test against {@code file_index}, batches, quarantine, a {@code job_runs} row). The
   * inputs define no scope, so nothing is ever missing from them ({@code on-missing} does nothing).
   */
  public IngestResult execute(List<SourceFile> inputs) {
    given = List.copyOf(inputs);
    try {
      return execute();
    } finally {
      given = null;
    }
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
    // Every commit of this run carries its marker, so that the settle step can tell another run's
    // commits from its own (InstanceSettle).
    String before =
        spark.conf().contains(InstanceSettle.USER_METADATA_CONF)
            ? spark.conf().get(InstanceSettle.USER_METADATA_CONF)
            : null;
    spark.conf().set(InstanceSettle.USER_METADATA_CONF, InstanceSettle.marker(run.runId()));
    try {
      return ingest(run);
    } finally {
      if (before == null) {
        spark.conf().unset(InstanceSettle.USER_METADATA_CONF);
      } else {
        spark.conf().set(InstanceSettle.USER_METADATA_CONF, before);
      }
    }
  }

  private JobStatus ingest(RunContext run) {
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

    String onMissing = options.get(OPTION_ON_MISSING, DEFAULT_ON_MISSING).toLowerCase(Locale.ROOT);
    Preconditions.checkArgument(
        List.of("keep", "remove").contains(onMissing),
        "on-missing must be keep or remove, got %s",
        onMissing);

    // Idempotent: two runs creating the tables of a fresh home at once retry and find them.
    run.time(
        "create_tables",
        () -> commits.creating("the identifiable tables of ingest", this::createTables));
    Discovery discovery =
        new Discovery(
            spark.sparkContext().hadoopConfiguration(),
            options.getInt(OPTION_LIST_THREADS, DEFAULT_LIST_THREADS));
    List<SourceFile> found =
        given != null ? given : run.time("discover", () -> discovery.discover(sources));
    List<String> scopes = given != null ? List.of() : discovery.scopes();
    run.count(IngestResult.LISTED, found.size());

    // Change test: (path, size, mtime) against file_index.
    List<SourceFile> todo = new ArrayList<>();
    java.util.Set<String> known = new java.util.HashSet<>();
    List<String> missing = new ArrayList<>();
    // Read before the change test: a commit of another run in between makes index writes MERGE.
    long indexVersion = currentVersion(indexPath);
    long errorsVersion = currentVersion(errorsPath);
    long unchanged = run.time("change_test", () -> changeTest(found, scopes, todo, known, missing));
    run.count(IngestResult.MISSING, missing.size());
    if (!missing.isEmpty()) {
      if (onMissing.equals("remove")) {
        run.time("remove_missing", () -> deleteRowsOf(missing, true));
        run.count(IngestResult.REMOVED, missing.size());
      } else {
        LOG.warn(
            "ingest {}: {} indexed input(s) are no longer in the source (first: {}); their rows"
                + " are kept (--on-missing remove deletes them)",
            run.runId(),
            missing.size(),
            missing.get(0));
      }
    }
    long startVersion = run.time("snapshot", () -> currentVersion(instancesPath));
    instanceSettle =
        new InstanceSettle(
            spark, instancesPath, run.runId(), startVersion, hasFiles(instancesPath), commits);
    indexCommits =
        new KeyedCommits(
            spark,
            indexPath,
            "identifiable." + IngestSchemas.FILE_INDEX,
            List.of("file_path"),
            true,
            indexVersion,
            commits);
    errorCommits =
        new KeyedCommits(
            spark,
            errorsPath,
            "identifiable." + IngestSchemas.INGEST_ERRORS,
            List.of("file_path"),
            true,
            errorsVersion,
            commits);
    errorPaths = new KeyFingerprints("file_path");
    errorPathsUnread = hasFiles(errorsPath) ? errorsVersion : -1;
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
    run.time("register_tables", this::registerTables);
    List<String> examples =
        counts.firstRejected.stream()
            .map(r -> r.errorClass() + ": " + consoleName(r.path()))
            .toList();
    // Without a data file (the usual case) there is nothing to count.
    long onRecord =
        run.time(
            "count_errors",
            () ->
                hasFiles(errorsPath)
                    ? ErrorRows.count(spark.sparkContext().hadoopConfiguration(), errorsPath)
                    : 0L);
    return run.rejections(
        new Rejections(
            counts.rejected + counts.duplicates,
            onRecord,
            examples,
            Zone.IDENTIFIABLE.id(),
            Zone.IDENTIFIABLE.id() + "." + IngestSchemas.INGEST_ERRORS,
            Rejections.runIdIs(run.runId()),
            null));
  }

  /**
   * How the console names a quarantined file: by the start of the SHA-256 of its path, never the
   * path. Real PACS copies name folders and files after accession numbers, patient IDs, UIDs or
   * names, and the console ends up in scheduler logs; the path itself is in {@code ingest_errors},
   * where {@code sha2(file_path, 256) LIKE '<prefix>%'} finds it.
   */
  static String consoleName(String path) {
    return "file_path SHA-256 " + Sha256.hex(path).substring(0, 12) + "…";
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

    /** The first rejections of the run (in path order), for the summary. */
    final List<Rejected> firstRejected = new ArrayList<>();

    void noteRejected(String path, String errorClass) {
      if (firstRejected.size() < Rejections.SHOWN) {
        firstRejected.add(new Rejected(path, errorClass));
      }
    }
  }

  private record Rejected(String path, String errorClass) {}

  private void createTables() {
    DeltaTableBuilder instances =
        DeltaTable.createIfNotExists(spark)
            .location(instancesPath)
            .addColumns(IngestSchemas.INSTANCES_SCHEMA)
            .clusterBy(CLUSTER_BY.toArray(new String[0]))
            .comment("One row per DICOM SOP instance with its complete header (ingest job)");
    INSTANCES_PROPERTIES.forEach(instances::property);
    instances.execute();
    // A table created before a property existed gets it once (files already written keep their
    // layout); a value set by hand is left alone.
    var present = snapshot(instancesPath).metadata().configuration();
    List<String> missing = new ArrayList<>();
    INSTANCES_PROPERTIES.forEach(
        (key, value) -> {
          if (!present.contains(key)) {
            missing.add("'" + key + "' = '" + value + "'");
          }
        });
    if (!missing.isEmpty()) {
      spark.sql(
          "ALTER TABLE delta.`"
              + instancesPath.replace("`", "``")
              + "` SET TBLPROPERTIES ("
              + String.join(", ", missing)
              + ")");
    }
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
   * Fills {@code todo} with new or changed inputs (sorted by path), {@code known} with those of
   * them that were indexed before (changed) and {@code missing} with indexed inputs under one of
   * the listed directories ({@code scopes}) that the listing no longer holds; returns the number of
   * unchanged inputs. One read of the index on the driver does all three.
   */
  private long changeTest(
      List<SourceFile> found,
      List<String> scopes,
      List<SourceFile> todo,
      java.util.Set<String> known,
      List<String> missing) {
    if (!hasFiles(indexPath)) {
      todo.addAll(found);
      return 0;
    }
    ChangeTest test =
        ChangeTest.run(spark.sparkContext().hadoopConfiguration(), indexPath, found, scopes);
    todo.addAll(test.todo());
    known.addAll(test.known());
    missing.addAll(test.missing());
    return test.unchanged();
  }

  private static scala.collection.immutable.Seq<String> seq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(names)).toList();
  }

  /**
   * One batch. Each input is read once: the executors parse it, the valid instances go straight
   * into one append to {@code instances}, and a small {@link FileRecord} per input comes back to
   * the driver through an accumulator. The driver then settles duplicates (first ingested wins)
   * with one MERGE that deletes the losing rows, and writes {@code ingest_errors} and, last, {@code
   * file_index}. A kill anywhere before the {@code file_index} commit leaves the batch un-indexed;
   * the next run reads it again and the duplicate rule removes the rows it appended twice.
   */
  private void processBatch(
      RunContext run,
      FileParser parser,
      List<SourceFile> batch,
      int filesPerTask,
      java.util.Set<String> known,
      Counts counts) {
    List<String> changed = new ArrayList<>();
    for (SourceFile f : batch) {
      if (known.contains(f.path())) {
        changed.add(f.path());
      }
    }
    if (!changed.isEmpty()) {
      // Rows from earlier versions of changed files (or archives) go first.
      run.time("delete_changed", () -> deleteRowsOf(changed, false));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = tasks(batch.size(), filesPerTask, spark.sparkContext().defaultParallelism());
    CollectionAccumulator<FileRecord> collected =
        spark.sparkContext().collectionAccumulator("ingest files of " + run.runId());
    JavaRDD<InternalRow> rows =
        jsc.parallelize(new ArrayList<>(batch), slices)
            .mapPartitions(files -> parser.parse(files, collected::add));
    // A blind append: it conflicts only with a change of the table's metadata or protocol (another
    // run creating the table); parsing again then gives the same records, keyed by path below.
    run.time(
        "parse_write",
        () ->
            commits.run(
                "identifiable." + IngestSchemas.INSTANCES,
                () ->
                    // Internal API, on purpose: the executors build InternalRows (see FileParser).
                    ((org.apache.spark.sql.classic.SparkSession) spark)
                        .internalCreateDataFrame(rows.rdd(), IngestSchemas.INSTANCES_SCHEMA, false)
                        .write()
                        .format("delta")
                        .mode("append")
                        // Each task writes its own data file. An optimized write (the session
                        // default) would shuffle every row, header array included, to a single
                        // writing task: the Parquet encoding then ran on one core while the
                        // other idled.
                        .option("optimizeWrite", "false")
                        .save(instancesPath)));
    run.time(
        "settle",
        () -> {
          // Keyed by path: a re-executed task must not count a file twice.
          Map<String, FileRecord> records = new java.util.TreeMap<>();
          for (FileRecord r : collected.value()) {
            records.put(r.filePath, r);
          }
          settle(run, records, changed, counts);
        });
  }

  /**
   * Spark tasks for a batch of {@code inputs}; each task parses its inputs and writes one data file
   * of {@code instances}. At most {@code filesPerTask} inputs per task, a multiple of {@code
   * parallelism} tasks (so that the last wave keeps every core busy), but no task for fewer than
   * {@link #MIN_FILES_PER_TASK} inputs: a small run writes one small file, not one per core.
   */
  static int tasks(int inputs, int filesPerTask, int parallelism) {
    int cores = Math.max(1, parallelism);
    int tasks = (inputs + filesPerTask - 1) / filesPerTask;
    tasks = (tasks + cores - 1) / cores * cores;
    return Math.max(1, Math.min(tasks, (inputs + MIN_FILES_PER_TASK - 1) / MIN_FILES_PER_TASK));
  }

  /** Duplicates, then ingest_errors, then file_index, for one batch's records. */
  private void settle(
      RunContext run, Map<String, FileRecord> records, List<String> changed, Counts counts) {
    Timestamp now = new Timestamp(System.currentTimeMillis());
    java.util.TreeMap<String, List<String>> pathsBySop = new java.util.TreeMap<>();
    for (FileRecord r : records.values()) {
      if (r.isInstance()) {
        pathsBySop.computeIfAbsent(r.sopInstanceUid, x -> new ArrayList<>()).add(r.filePath);
      } else if (r.isError()) {
        counts.rejected++;
        counts.byClass.merge(r.errorClass, 1L, Long::sum);
      } else {
        counts.skipped++;
      }
      counts.inputs++;
    }
    Map<String, String> checksums = new java.util.HashMap<>();
    for (FileRecord r : records.values()) {
      checksums.put(r.filePath, r.checksum);
    }
    // Per SOP: which row stays (SopSettlement), decided and committed in one transaction.
    SopSettlement.Decision decision = instanceSettle.settle(run, pathsBySop, checksums);
    Map<String, String> duplicateOf = decision.duplicateOf();
    counts.instances += decision.appended() + decision.again();
    counts.duplicates += duplicateOf.size();
    run.add("instances_appended", decision.appended());
    // ingest_errors: rejections and duplicates, one row per file.
    List<Row> errors = new ArrayList<>();
    // Index rows are built here as Spark's binary rows: a million generic rows cost seconds of
    // serialization and conversion to ship to the writing tasks.
    List<InternalRow> index = new ArrayList<>(records.size());
    UnsafeProjection toBinary = UnsafeProjection.create(IngestSchemas.FILE_INDEX_SCHEMA);
    long nowMicros = now.getTime() * 1_000L;
    for (FileRecord r : records.values()) {
      String dup = duplicateOf.get(r.filePath);
      String errorClass = dup != null ? ErrorClass.DUPLICATE_SOP.id() : r.errorClass;
      if (dup != null || r.isError()) {
        counts.noteRejected(r.filePath, errorClass);
        String message =
            dup == null
                ? r.message
                : "SOPInstanceUID "
                    + r.sopInstanceUid
                    + " is already ingested from "
                    + dup
                    + " (first ingested wins; this file is kept out of instances)";
        errors.add(
            RowFactory.create(
                r.filePath,
                r.archivePath,
                r.archiveEntry,
                r.fileSize,
                new Timestamp(r.fileModifiedMillis),
                errorClass,
                message,
                r.sopInstanceUid,
                dup,
                run.runId(),
                now));
      }
      String status = dup != null ? "duplicate" : r.isInstance() ? "ingested" : r.outcome;
      index.add(
          toBinary
              .apply(
                  new GenericInternalRow(
                      new Object[] {
                        InstanceRows.utf8(r.filePath),
                        InstanceRows.utf8(r.archivePath),
                        r.fileSize,
                        r.fileModifiedMillis * 1_000L,
                        r.containerSize,
                        r.containerModifiedMillis == null
                            ? null
                            : r.containerModifiedMillis * 1_000L,
                        InstanceRows.utf8(r.checksum),
                        InstanceRows.utf8(status),
                        InstanceRows.utf8(errorClass),
                        InstanceRows.utf8(r.sopInstanceUid),
                        InstanceRows.utf8(run.runId()),
                        nowMicros
                      }))
              .copy());
    }
    if (!errors.isEmpty()) {
      // A file's error row can be there without its index row (a run killed between the two
      // commits), so new files alone do not rule it out: the table's paths do.
      List<String> paths = errors.stream().map(e -> e.getString(0)).toList();
      if (errorPathsUnread >= 0) {
        long version = errorPathsUnread;
        run.time(
            "error_paths",
            () ->
                errorPaths.addTable(
                    spark.sparkContext().hadoopConfiguration(), errorsPath, version));
        errorPathsUnread = -1;
      }
      boolean mayExist = !changed.isEmpty() || !errorPaths.candidates(paths).isEmpty();
      errorCommits.write(dataFrame(errors, IngestSchemas.ERRORS_SCHEMA), errors.size(), mayExist);
      errorPaths.add(paths);
    }
    // file_index last: once a file is here, it is done. A batch without changed files holds only
    // files never indexed before, which cannot have a row yet unless another run read them too.
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> indexRows =
        ((org.apache.spark.sql.classic.SparkSession) spark)
            .internalCreateDataFrame(
                jsc.parallelize(index, slices(index.size())).rdd(),
                IngestSchemas.FILE_INDEX_SCHEMA,
                false);
    indexCommits.write(indexRows, index.size(), !changed.isEmpty());
  }

  /** A frame of rows built on the driver. */
  private Dataset<Row> dataFrame(List<Row> rows, StructType schema) {
    if (rows.size() <= LOCAL_ROWS_MAX) {
      // A local relation: no job to distribute it, and a join broadcasts it from the driver.
      return spark.createDataFrame(rows, schema);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(rows, slices(rows.size())), schema);
  }

  /**
   * Partitions for {@code rows} rows built on the driver: one per core, 5,000 rows or more each.
   */
  private int slices(int rows) {
    return Math.max(1, Math.min(spark.sparkContext().defaultParallelism(), rows / 5000));
  }

  /** Whether a Delta table has any data file. */
  private boolean hasFiles(String table) {
    return dataFiles(table) > 0;
  }

  /**
   * Data files in the latest version of a Delta table, from the checksum file Delta writes with
   * every commit (one small read, no Spark job). Only without a checksum is the table state
   * reconstructed from the log; counting through a DataFrame's {@code inputFiles()} always did that
   * (a Spark job over the log, ~1-3 s per call on a small machine).
   */
  private long dataFiles(String table) {
    Snapshot snapshot = snapshot(table);
    scala.Option<VersionChecksum> checksum = snapshot.checksumOpt();
    return checksum.isDefined() ? checksum.get().numFiles() : snapshot.numOfFiles();
  }

  private long currentVersion(String table) {
    return snapshot(table).version();
  }

  /** The latest snapshot of a Delta table: lists and reads its log, runs no Spark job. */
  private Snapshot snapshot(String table) {
    return DeltaSnapshots.latest(spark, table);
  }

  private static Column[] columns(StructType schema) {
    return Arrays.stream(schema.fieldNames())
        .map(org.apache.spark.sql.functions::col)
        .toArray(Column[]::new);
  }

  /**
   * Removes the instance and error rows of the given inputs (files, or every entry of archives),
   * and with {@code alsoIndex} their {@code file_index} rows last (so a kill in between leaves them
   * to be removed again by the next run).
   */
  private void deleteRowsOf(List<String> inputs, boolean alsoIndex) {
    List<Row> rows = new ArrayList<>(inputs.size());
    for (String p : inputs) {
      rows.add(RowFactory.create(p));
    }
    Dataset<Row> paths =
        dataFrame(rows, new StructType().add("b_path", DataTypes.StringType, false));
    Dataset<Row> affected =
        spark
            .read()
            .format("delta")
            .load(indexPath)
            .join(
                broadcast(paths),
                col("file_path")
                    .equalTo(col("b_path"))
                    .or(col("archive_path").equalTo(col("b_path"))),
                "inner")
            .select(col("file_path").as("c_path"))
            .distinct();
    List<String> tables = new ArrayList<>(List.of(instancesPath, errorsPath));
    if (alsoIndex) {
      tables.add(indexPath);
    }
    for (String table : tables) {
      // Rewritten, never marked in deletion vectors: the rows of a withdrawn or changed input must
      // leave the data files (and, with VACUUM, the disk), not stay there hidden.
      SessionSettings.with(
          spark,
          REWRITE_DELETES,
          () ->
              commits.run(
                  table,
                  () ->
                      DeltaTable.forPath(spark, table)
                          .as("t")
                          .merge(affected.as("s"), "t.file_path = s.c_path")
                          .whenMatched()
                          .delete()
                          .execute()));
    }
  }

  /** Delta's MERGE deletes by rewriting files even where the table takes deletion vectors. */
  static final Map<String, String> REWRITE_DELETES =
      Map.of("spark.databricks.delta.merge.deletionVectors.persistent", "false");

  private void maybeOptimize(RunContext run, boolean always) {
    DeltaTable instances = DeltaTable.forPath(spark, instancesPath);
    long files = dataFiles(instancesPath);
    run.count("instances_files_before_optimize", files);
    int minFiles = options.getInt(OPTION_OPTIMIZE_MIN_FILES, DEFAULT_OPTIMIZE_MIN_FILES);
    if (always || files > minFiles) {
      commits.run(
          "identifiable." + IngestSchemas.INSTANCES,
          () -> instances.optimize().executeCompaction());
      run.count("instances_files_after_optimize", dataFiles(instancesPath));
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
      try {
        catalog.register(Zone.IDENTIFIABLE, t);
      } catch (Exception stale) { // Spark/Hadoop may throw checked IOExceptions here
        // A session reused across lakehouse homes can hold an entry whose location is gone;
        // drop it and register again. The tables are written either way: registration only
        // makes them visible to SQL in this session.
        try {
          spark.sql("DROP TABLE IF EXISTS " + Zone.IDENTIFIABLE.id() + ".`" + t + "`");
          catalog.register(Zone.IDENTIFIABLE, t);
        } catch (Exception e) {
          LOG.warn(
              "Ingest tables written, but identifiable.{} could not be registered in this session"
                  + " ({}); `lakehouse tables` registers it",
              t,
              e.getMessage());
        }
      }
    }
  }
}
