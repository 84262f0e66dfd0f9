package org.imaginglakehouse.transform.promote;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.DeltaWrites;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.schemas.inventory.Level;
import org.imaginglakehouse.schemas.inventory.OutputColumn;
import org.imaginglakehouse.schemas.inventory.PixelColumn;
import org.imaginglakehouse.schemas.inventory.PromotionRules;
import org.imaginglakehouse.schemas.inventory.PromotionSpec;
import org.imaginglakehouse.transform.features.FeaturesTables;
import org.imaginglakehouse.transform.ocr.OcrTables;
import org.imaginglakehouse.transform.pixel.KeyColumns;
import org.imaginglakehouse.transform.pseudonym.PatientIds;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.imaginglakehouse.transform.pseudonym.Pseudonymiser;

/**
 * {@code lakehouse promote}: builds the de-identified inventory ({@code deidentified.study}, {@code
 * series}, {@code image}) from {@code identifiable.instances} through the templates and promotion
 * rules, with CHI → EUPI pseudonyms; rejected instances go to {@code
 * identifiable.promotion_rejections} (counts per reason to {@code
 * deidentified.promotion_rejection_counts}); malformed values are counted per column in {@code
 * deidentified.promotion_quality}.
 *
 * <p>Incremental by key: a run compares each instance's source fingerprint with {@code
 * identifiable.promotion_state} and re-promotes only the studies touched by new, changed or removed
 * instances, or by patients whose pseudonym changed; every write is a Delta MERGE on the natural
 * key (or an atomic overwrite on a full rebuild), and the state and watermark are written last, so
 * a killed run is simply redone. A changed template or rule set rebuilds everything from the
 * identifiable zone (no file is re-read). See docs/promote.md.
 */
public final class PromoteJob extends AbstractJob<PromoteJob.Result> {
  public static final String NAME = "promote";

  /** Directory with promotion-rules.yaml and templates/ (default: the built-in ones). */
  public static final String OPTION_TEMPLATES = "templates";

  public static final String DEFAULT_TEMPLATES = "";

  /** Rebuild everything even when nothing changed. */
  public static final String OPTION_FULL = "full";

  public static final boolean DEFAULT_FULL = false;

  /** Source table location (default: identifiable.instances of the lakehouse). */
  public static final String OPTION_SOURCE = "source";

  public static final String DEFAULT_SOURCE = "";

  public static final String INSTANCES = "instances";
  public static final String STUDY = "study";
  public static final String SERIES = "series";
  public static final String IMAGE = "image";
  public static final String QUALITY = "promotion_quality";
  public static final String REJECTION_COUNTS = "promotion_rejection_counts";
  public static final String REJECTIONS = "promotion_rejections";
  public static final String STATE = "promotion_state";
  public static final String WATERMARK = "promotion_watermark";

  static final String REASON = "rejection_reason";
  static final String SOURCE_HASH = "source_hash";

  /**
   * Version of the row rules built into this code (not in the YAML): bump it when they change what
   * a promoted row holds, so the first run after an upgrade rebuilds every table. 2: identity words
   * scrubbed from text columns.
   */
  static final int ROW_RULES_VERSION = 2;

  /** Hash of an instance's promoted pixel values (state column; detects features/OCR changes). */
  static final String PIXEL_HASH = "pixel_hash";

  /** The pixel tables promote may join, in watermark order. */
  static final List<String> PIXEL_TABLES = List.of(PixelColumn.FEATURES, PixelColumn.OCR_FLAGS);

  static final String DELETE = "_delete";

  private final Map<String, String> env;

  public PromoteJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    this(spark, config, options, System.getenv());
  }

  public PromoteJob(
      SparkSession spark, LakehouseConfig config, JobOptions options, Map<String, String> env) {
    super(spark, config, options);
    this.env = env;
  }

  /** What a promote run did. */
  public static final class Result extends JobResult {
    Result(JobResult generic) {
      super(generic);
    }

    public long promoted() {
      return count("instances_promoted");
    }

    public long rejected() {
      return count("instances_rejected");
    }

    public long processed() {
      return count("instances_processed");
    }

    public boolean fullRebuild() {
      return count("full_rebuild") == 1;
    }
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
  protected Result result(JobResult generic) {
    return new Result(generic);
  }

  @Override
  protected JobStatus run(RunContext run) {
    String templates = options.get(OPTION_TEMPLATES, DEFAULT_TEMPLATES);
    PromotionSpec spec =
        run.time(
            "load_rules",
            () ->
                PromotionSpec.load(templates.isEmpty() ? null : Path.of(templates))
                    .checkPromotable());
    List<PixelColumn> pixel = spec.pixelColumns();
    checkPixelSources(pixel);
    String source = options.get(OPTION_SOURCE, DEFAULT_SOURCE);
    String instancesPath = source.isEmpty() ? layout.table(Zone.IDENTIFIABLE, INSTANCES) : source;
    if (!DeltaTable.isDeltaTable(spark, instancesPath)) {
      throw new LakehouseException(
          "No instances table at "
              + instancesPath
              + ": run `lakehouse ingest` first (promote reads identifiable.instances)");
    }
    Pseudonymiser pseudonymiser = Pseudonymiser.create(spark, PseudonymConfig.from(config, env));
    String mappingFingerprint = run.time("read_mapping", pseudonymiser::fingerprint);
    long version =
        DeltaTable.forPath(spark, instancesPath).history(1).select("version").first().getLong(0);

    Map<String, Long> pixelVersions = pixelVersions(pixel);

    Row watermark = readWatermark();
    boolean tablesExist =
        DeltaTable.isDeltaTable(spark, deid(IMAGE))
            && DeltaTable.isDeltaTable(spark, deid(SERIES))
            && DeltaTable.isDeltaTable(spark, deid(STUDY))
            && DeltaTable.isDeltaTable(spark, ident(STATE))
            && List.of(spark.read().format("delta").load(ident(STATE)).columns())
                .contains(PIXEL_HASH);
    boolean full =
        options.getBoolean(OPTION_FULL, DEFAULT_FULL)
            || watermark == null
            || !tablesExist
            || !fingerprint(spec).equals(watermark.getAs("spec_fingerprint"));
    boolean mappingChanged =
        watermark == null || !mappingFingerprint.equals(watermark.getAs("mapping_fingerprint"));
    boolean pixelChanged =
        PIXEL_TABLES.stream()
            .anyMatch(
                t ->
                    !Objects.equals(
                        watermark == null ? null : watermarkVersion(watermark, t),
                        pixelVersions.get(t)));
    if (!full
        && !mappingChanged
        && !pixelChanged
        && version == watermark.<Long>getAs("instances_version")) {
      run.count("instances_processed", 0);
      run.count("full_rebuild", 0);
      registerTables();
      return JobStatus.SUCCEEDED;
    }

    Dataset<Row> instances =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", version)
            .load(instancesPath)
            .withColumn(
                SOURCE_HASH,
                functions.xxhash64(
                    functions.coalesce(col("file_checksum"), lit("")),
                    functions.coalesce(col("file_path"), lit("")),
                    functions.coalesce(col("ingest_time").cast("string"), lit(""))));
    Dataset<Row> input;
    Dataset<Row> affectedStudies = null;
    if (full) {
      input = instances;
    } else {
      affectedStudies =
          run.time(
              "find_changes",
              () ->
                  affectedStudies(
                          instances,
                          pseudonymiser,
                          mappingChanged,
                          pixelChanged ? pixel : null,
                          pixelVersions)
                      .persist());
      long studiesAffected = affectedStudies.count();
      run.count("studies_affected", studiesAffected);
      if (studiesAffected == 0) {
        // Nothing to re-promote (e.g. pixel tables rewritten with the same values): only the
        // watermark moves, no inventory table gets a commit.
        affectedStudies.unpersist();
        run.count("instances_processed", 0);
        run.count("full_rebuild", 0);
        writeWatermark(
            run.runId(), version, spec, mappingFingerprint, pseudonymiser, pixelVersions);
        registerTables();
        return JobStatus.SUCCEEDED;
      }
      input =
          instances.join(
              affectedStudies,
              instances.col("StudyInstanceUID").equalTo(affectedStudies.col("_affected_study")),
              "left_semi");
    }

    ColumnPlan plan = new ColumnPlan(spec, instances.schema());
    // Ingest keeps one row per SOPInstanceUID, but a query racing ingest's duplicate settling (or
    // another --source table) can see two. The key is checked on the promoted rows, once they are
    // cached (a narrow read, no second scan of the instances), and only when a duplicate is found
    // are the rows promoted again from de-duplicated input (a shuffle of every header).
    Dataset<Row> prepared =
        prepare(input, false, plan, spec, pseudonymiser, pixel, pixelVersions)
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> groups = null;
    try {
      long rowCount = run.time("prepare", prepared::count);
      Dataset<Row> promotedOnce = prepared;
      if (run.time("check_duplicates", () -> hasDuplicateSops(promotedOnce))) {
        prepared.unpersist();
        prepared =
            prepare(input, true, plan, spec, pseudonymiser, pixel, pixelVersions)
                .persist(StorageLevel.MEMORY_AND_DISK());
        rowCount = run.time("prepare_deduplicated", prepared::count);
      }
      Dataset<Row> promotedRows = prepared;
      long processed = rowCount;
      run.count("instances_processed", processed);
      run.count("full_rebuild", full ? 1 : 0);
      Dataset<Row> accepted = promotedRows.where(col(REASON).isNull());
      // One pass over the cached rows: instances per rejection reason, and (reason NULL) the
      // malformed values of the promoted ones.
      List<Row> outcomes =
          run.time(
              "count_outcomes",
              () ->
                  promotedRows
                      .groupBy(REASON)
                      .agg(
                          functions.count(lit(1)),
                          functions.coalesce(
                              functions.sum(functions.size(col(ColumnPlan.MALFORMED))), lit(0L)))
                      .collectAsList());
      Map<String, Long> reasons = new TreeMap<>();
      long malformedValues = 0;
      for (Row r : outcomes) {
        if (r.isNullAt(0)) {
          malformedValues = r.getLong(2);
        } else {
          reasons.put(r.getString(0), r.getLong(1));
        }
      }
      long rejected = reasons.values().stream().mapToLong(Long::longValue).sum();
      run.count("instances_promoted", processed - rejected);
      run.count("instances_rejected", rejected);
      reasons.forEach((reason, n) -> run.count("rejected_" + reason, n));
      run.count("malformed_values", malformedValues);
      Dataset<Row> image = imageRows(accepted, plan);
      groups = groups(accepted, plan).persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> series = seriesRows(groups, plan);
      Dataset<Row> study = studyRows(groups, plan);
      Dataset<Row> rejections =
          run.time(
              "compare_rejections",
              () ->
                  PromoteRejections.keepEarlier(
                      spark,
                      ident(REJECTIONS),
                      ident(JobRunLog.TABLE),
                      rejectionRows(promotedRows.where(col(REASON).isNotNull()), run.runId())));
      Dataset<Row> state = stateRows(promotedRows);
      final Dataset<Row> affected = affectedStudies;
      long promoted = processed - rejected;
      run.time(
          "write_image",
          () -> write(deid(IMAGE), image, "SOPInstanceUID", affected, full, promoted));
      run.time(
          "write_series",
          () -> write(deid(SERIES), series, "SeriesInstanceUID", affected, full, promoted));
      run.time(
          "write_study",
          () -> write(deid(STUDY), study, "StudyInstanceUID", affected, full, promoted));
      run.time(
          "write_rejections",
          () -> write(ident(REJECTIONS), rejections, "rejection_key", affected, full, rejected));
      run.time(
          "write_state",
          () -> write(ident(STATE), state, "SOPInstanceUID", affected, full, processed));
      run.time("write_summaries", this::writeSummaries);
      run.time(
          "write_watermark",
          () ->
              writeWatermark(
                  run.runId(), version, spec, mappingFingerprint, pseudonymiser, pixelVersions));
      run.time("register_tables", this::registerTables);
      return run.rejections(
          PromoteRejections.summary(spark, ident(REJECTIONS), rejections, run.runId()));
    } finally {
      prepared.unpersist();
      if (groups != null) {
        groups.unpersist();
      }
      if (affectedStudies != null) {
        affectedStudies.unpersist();
      }
    }
  }

  // ------------------------------------------------------------------ change detection

  /**
   * Studies to re-promote: those with new or changed instances (source fingerprint differs from the
   * state), the former studies of changed or removed instances, and — when the mapping changed —
   * the studies of every patient whose pseudonym (or its absence) changed.
   */
  private Dataset<Row> affectedStudies(
      Dataset<Row> instances,
      Pseudonymiser pseudonymiser,
      boolean mappingChanged,
      List<PixelColumn> pixelChanged,
      Map<String, Long> pixelVersions) {
    Dataset<Row> state = spark.read().format("delta").load(ident(STATE));
    Dataset<Row> current = instances.select("SOPInstanceUID", "StudyInstanceUID", SOURCE_HASH);
    Dataset<Row> stateKeys = state.select("SOPInstanceUID", SOURCE_HASH);
    Dataset<Row> changed =
        current.join(stateKeys, toSeq("SOPInstanceUID", SOURCE_HASH), "left_anti");
    Dataset<Row> studies = changed.select(col("StudyInstanceUID").as("_affected_study"));
    // Former study of changed instances, and studies of instances no longer in the source.
    Dataset<Row> gone =
        state
            .join(
                current.select("SOPInstanceUID", SOURCE_HASH),
                toSeq("SOPInstanceUID", SOURCE_HASH),
                "left_anti")
            .select(col("StudyInstanceUID").as("_affected_study"));
    studies = studies.union(gone);
    if (mappingChanged) {
      Dataset<Row> chis = state.select("chi", "pseudonym").distinct();
      Dataset<Row> remapped =
          pseudonymiser
              .apply(chis, "chi")
              .withColumn(
                  "_now",
                  functions.coalesce(
                      col(Pseudonymiser.EUPI),
                      functions.concat(lit("rejected:"), col(Pseudonymiser.REJECTION))))
              .where(functions.not(col("_now").eqNullSafe(col("pseudonym"))))
              .select("chi");
      Dataset<Row> patientStudies =
          state
              .join(remapped, state.col("chi").equalTo(remapped.col("chi")), "left_semi")
              .select(col("StudyInstanceUID").as("_affected_study"));
      studies = studies.union(patientStudies);
    }
    if (pixelChanged != null) {
      // Instances whose promoted pixel values (features / OCR flags, as joined now) differ from
      // what the last promotion joined: their studies are re-promoted.
      Dataset<Row> pixelNow =
          withPixel(
                  instances.select("SOPInstanceUID", "StudyInstanceUID", "file_checksum"),
                  pixelChanged,
                  pixelVersions)
              .select(
                  col("SOPInstanceUID").as("_px_sop"), col("StudyInstanceUID"), col(PIXEL_HASH));
      Dataset<Row> stateHash = state.select("SOPInstanceUID", PIXEL_HASH);
      Dataset<Row> pixelStudies =
          pixelNow
              .join(
                  stateHash,
                  pixelNow.col("_px_sop").equalTo(stateHash.col("SOPInstanceUID")),
                  "inner")
              .where(functions.not(pixelNow.col(PIXEL_HASH).eqNullSafe(stateHash.col(PIXEL_HASH))))
              .select(pixelNow.col("StudyInstanceUID").as("_affected_study"));
      studies = studies.union(pixelStudies);
    }
    return studies.where(col("_affected_study").isNotNull()).distinct();
  }

  // ------------------------------------------------------------------ pixel columns

  /**
   * Defence in depth behind the rules check: every source column of a requested pixel column must
   * be marked {@code promotable=true} in the pixel job's schema.
   */
  static void checkPixelSources(List<PixelColumn> pixel) {
    for (PixelColumn p : pixel) {
      StructType schema =
          p.table().equals(PixelColumn.FEATURES)
              ? FeaturesTables.INSTANCE_SCHEMA
              : p.table().equals(PixelColumn.OCR_FLAGS) ? OcrTables.FLAGS_SCHEMA : null;
      if (schema == null || !FeaturesTables.promotable(schema).containsAll(p.sources())) {
        throw new LakehouseException(
            "Promotion refused: pixel column "
                + p.name()
                + " reads columns of "
                + p.table()
                + " that are not marked promotable");
      }
    }
  }

  /** Current Delta version of each pixel table a requested column reads (null: no table yet). */
  private Map<String, Long> pixelVersions(List<PixelColumn> pixel) {
    Map<String, Long> versions = new TreeMap<>();
    for (PixelColumn p : pixel) {
      if (!versions.containsKey(p.table())) {
        String path = ident(p.table());
        versions.put(
            p.table(),
            DeltaTable.isDeltaTable(spark, path)
                ? DeltaTable.forPath(spark, path).history(1).select("version").first().getLong(0)
                : null);
      }
    }
    return versions;
  }

  /**
   * Adds one column per requested pixel column ({@link ColumnPlan#pixelValue}), left-joined from
   * its table at the recorded version on SOPInstanceUID and file checksum (a pixel row of an older
   * version of the file does not count: NULL = not processed), and {@link #PIXEL_HASH} over them.
   */
  private Dataset<Row> withPixel(
      Dataset<Row> df, List<PixelColumn> pixel, Map<String, Long> versions) {
    List<Column> hashed = new ArrayList<>();
    for (String table : PIXEL_TABLES) {
      List<PixelColumn> columns = pixel.stream().filter(p -> p.table().equals(table)).toList();
      if (columns.isEmpty()) {
        continue;
      }
      Long version = versions.get(table);
      if (version == null) {
        for (PixelColumn p : columns) {
          df = df.withColumn(ColumnPlan.pixelValue(p), lit(null).cast(p.output().sqlType()));
        }
      } else {
        String sop = "_px_sop_" + table;
        String checksum = "_px_checksum_" + table;
        Dataset<Row> source =
            spark.read().format("delta").option("versionAsOf", version).load(ident(table));
        // A table the pixel job has not migrated yet still has the legacy key name.
        String key =
            KeyColumns.resolve(
                List.of(source.columns()),
                KeyColumns.SOP,
                table,
                table.equals(PixelColumn.FEATURES) ? "lakehouse features" : "lakehouse ocr");
        List<Column> select = new ArrayList<>();
        select.add(col(key).as(sop));
        select.add(col("file_checksum").as(checksum));
        for (PixelColumn p : columns) {
          select.add(expr(p.expression()).cast(p.output().sqlType()).as(ColumnPlan.pixelValue(p)));
        }
        Dataset<Row> rows = source.select(select.toArray(new Column[0]));
        df =
            df.join(
                    rows,
                    df.col("SOPInstanceUID")
                        .equalTo(rows.col(sop))
                        .and(df.col("file_checksum").eqNullSafe(rows.col(checksum))),
                    "left")
                .drop(sop, checksum);
      }
      for (PixelColumn p : columns) {
        hashed.add(col(ColumnPlan.pixelValue(p)));
      }
    }
    return df.withColumn(
        PIXEL_HASH,
        hashed.isEmpty()
            ? lit(null).cast("bigint")
            : functions.xxhash64(hashed.toArray(new Column[0])));
  }

  private static scala.collection.immutable.Seq<String> toSeq(String... columns) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(columns)).toList();
  }

  /** The templates' and rules' fingerprint plus the code's own row rules version. */
  private static String fingerprint(PromotionSpec spec) {
    return spec.fingerprint() + "/rows-v" + ROW_RULES_VERSION;
  }

  // ------------------------------------------------------------------ the row pipeline

  /**
   * Per instance: pseudonym, rule checks (reason), template, every output column typed and
   * transformed, and the names of malformed columns. Identifiable inputs needed for the rejection
   * list and state are kept; the de-identified tables select only template outputs.
   */
  private Dataset<Row> prepare(
      Dataset<Row> input,
      boolean duplicates,
      ColumnPlan plan,
      PromotionSpec spec,
      Pseudonymiser pseudonymiser,
      List<PixelColumn> pixel,
      Map<String, Long> pixelVersions) {
    // One row per SOPInstanceUID when the caller found duplicates (see the caller's comment).
    Dataset<Row> df = duplicates ? input.dropDuplicates("SOPInstanceUID") : input;
    df = withPixel(df, pixel, pixelVersions);
    df = pseudonymiser.apply(df, "PatientID");
    df = df.withColumn(ColumnPlan.TEMPLATE, expr(plan.templateExpression()));
    df = df.withColumn(REASON, expr(reasonExpression(spec)));
    // The promoter's inputs (cheap compiled SQL: selects and casts), the header's paths and
    // values (as two arrays, so Parquet reads no other header field), then the columns it copies.
    List<Column> columns = new ArrayList<>();
    List<ColumnPlan.Input> inputs = plan.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      if (!inputs.get(i).fromHeader()) {
        columns.add(expr(inputs.get(i).sql()).as("_in_" + i));
      }
    }
    columns.add(col("header.path").as("_header_paths"));
    columns.add(col("header.values").as("_header_values"));
    int firstPassThrough = columns.size();
    for (String keep :
        List.of(
            "SOPInstanceUID",
            "StudyInstanceUID",
            "SeriesInstanceUID",
            "SOPClassUID",
            "Modality",
            "PatientID",
            "file_path",
            "file_size",
            SOURCE_HASH,
            PIXEL_HASH,
            Pseudonymiser.EUPI,
            Pseudonymiser.REJECTION,
            ColumnPlan.TEMPLATE,
            REASON)) {
      columns.add(col(keep));
    }
    columns.add(expr("array_join(ImageType, '\\\\')").as("_image_type"));
    Dataset<Row> rows = df.select(columns.toArray(new Column[0]));
    StructField[] fields = rows.schema().fields();
    StructType passThrough =
        new StructType(Arrays.copyOfRange(fields, firstPassThrough, fields.length));
    StructType outputSchema = plan.outputSchema(passThrough);
    CatalystPromotion promotion =
        new CatalystPromotion(
            plan.promoter(), inputs, plan.headerPaths(), rows.schema(), outputSchema);
    JavaRDD<InternalRow> promoted =
        rows.queryExecution().toRdd().toJavaRDD().mapPartitions(promotion::apply);
    // Internal API, on purpose (as ingest): the promoter reads and writes Spark's internal rows.
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(promoted.rdd(), outputSchema, false);
  }

  /** Whether two rows of {@code input} share a SOPInstanceUID (NULL counts as one value). */
  private static boolean hasDuplicateSops(Dataset<Row> input) {
    // Equal UIDs have equal hashes, so when no 64-bit hash repeats (the usual case) no UID does:
    // found by aggregating fixed-width keys, 1.3 s per million instances where grouping the UID
    // strings took 2.2 s. A repeated hash (a duplicate, two NULLs or a collision) gets the exact
    // check on the strings.
    Dataset<Row> hashes = input.select(functions.xxhash64(col("SOPInstanceUID")).as("_sop_hash"));
    if (hashes.groupBy("_sop_hash").count().where(col("count").gt(1)).isEmpty()) {
      return false;
    }
    return !input.groupBy("SOPInstanceUID").count().where(col("count").gt(1)).isEmpty();
  }

  private static String reasonExpression(PromotionSpec spec) {
    PromotionRules rules = spec.rules();
    StringBuilder sql = new StringBuilder("CASE");
    sql.append(
        " WHEN nullif(trim(SOPInstanceUID), '') IS NULL OR nullif(trim(SeriesInstanceUID), '') IS NULL"
            + " OR nullif(trim(StudyInstanceUID), '') IS NULL THEN '"
            + PromotionRules.REASON_MISSING_UID
            + "'");
    sql.append(" WHEN ")
        .append(Pseudonymiser.REJECTION)
        .append(" IS NOT NULL THEN ")
        .append(Pseudonymiser.REJECTION);
    sql.append(" WHEN Modality IS NULL OR upper(trim(Modality)) NOT IN (")
        .append(list(rules.allowedModalities()))
        .append(") THEN '")
        .append(PromotionRules.REASON_MODALITY)
        .append("'");
    if (!rules.allowedSopClasses().isEmpty()) {
      sql.append(" WHEN SOPClassUID IS NULL OR trim(SOPClassUID) NOT IN (")
          .append(list(rules.allowedSopClasses()))
          .append(") THEN '")
          .append(PromotionRules.REASON_SOP_CLASS)
          .append("'");
    }
    if (!rules.imageTypePrefix().isEmpty()) {
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < rules.imageTypePrefix().size(); i++) {
        prefix
            .append(prefix.length() == 0 ? "" : " AND ")
            .append("upper(trim(try_element_at(ImageType, ")
            .append(i + 1)
            .append("))) = '")
            .append(rules.imageTypePrefix().get(i).replace("'", "''"))
            .append("'");
      }
      String exempt =
          rules.imageTypeExemptTemplates().isEmpty()
              ? "FALSE"
              : ColumnPlan.TEMPLATE + " IN (" + list(rules.imageTypeExemptTemplates()) + ")";
      sql.append(" WHEN NOT (")
          .append(exempt)
          .append(") AND NOT coalesce(")
          .append(prefix)
          .append(", FALSE) THEN '")
          .append(PromotionRules.REASON_IMAGE_TYPE)
          .append("'");
    }
    sql.append(" END");
    return sql.toString();
  }

  private static String list(Iterable<String> values) {
    StringBuilder out = new StringBuilder();
    for (String v : values) {
      out.append(out.length() == 0 ? "" : ", ")
          .append('\'')
          .append(v.replace("'", "''"))
          .append('\'');
    }
    return out.toString();
  }

  private static Dataset<Row> imageRows(Dataset<Row> accepted, ColumnPlan plan) {
    List<Column> columns = new ArrayList<>();
    for (String c :
        List.of(
            Pseudonymiser.EUPI,
            "StudyInstanceUID",
            "SeriesInstanceUID",
            "SOPInstanceUID",
            "SOPClassUID",
            "Modality",
            ColumnPlan.TEMPLATE)) {
      columns.add(col(c));
    }
    for (OutputColumn o : plan.outputs(Level.IMAGE)) {
      columns.add(col(o.name()));
    }
    columns.add(col("file_size").as("DicomFileSize"));
    columns.add(col(ColumnPlan.MALFORMED));
    return accepted.select(columns.toArray(new Column[0]));
  }

  /**
   * The distinct combinations of the values the series and study rows are built from, with their
   * instance count: a hash aggregation over every promoted instance that leaves about one row per
   * series. The series and study rows then aggregate these few rows, so the instances are read once
   * for both, and the maximum of text (which Spark computes by sorting, here on long UIDs with a
   * shared root) is never taken over the instances themselves. Same result as aggregating the
   * instances directly.
   */
  private static Dataset<Row> groups(Dataset<Row> accepted, ColumnPlan plan) {
    Set<String> keys = new java.util.LinkedHashSet<>();
    keys.addAll(
        List.of(
            "StudyInstanceUID",
            "SeriesInstanceUID",
            Pseudonymiser.EUPI,
            "Modality",
            ColumnPlan.TEMPLATE));
    for (Level level : List.of(Level.SERIES, Level.STUDY)) {
      for (OutputColumn o : plan.outputs(level)) {
        keys.add(o.name());
      }
    }
    return accepted
        .groupBy(keys.stream().map(functions::col).toArray(Column[]::new))
        .agg(functions.count(lit(1)).as(INSTANCES_IN_GROUP));
  }

  private static final String INSTANCES_IN_GROUP = "_instances";

  /** Instances of some {@link #groups}: their sum (never NULL, as a count). */
  private static Column instances() {
    return functions.coalesce(functions.sum(INSTANCES_IN_GROUP), lit(0L));
  }

  /** One row per series: each value the maximum over the series' instances, and their count. */
  private static Dataset<Row> seriesRows(Dataset<Row> groups, ColumnPlan plan) {
    List<String> values = new ArrayList<>();
    values.add(Pseudonymiser.EUPI);
    values.add("StudyInstanceUID");
    values.add("Modality");
    values.add(ColumnPlan.TEMPLATE);
    for (OutputColumn o : plan.outputs(Level.SERIES)) {
      values.add(o.name());
    }
    List<Column> aggs = new ArrayList<>();
    for (String v : values) {
      aggs.add(functions.max(v).as(v));
    }
    aggs.add(instances().as("NumberOfSeriesRelatedInstances"));
    Dataset<Row> grouped =
        groups
            .groupBy("SeriesInstanceUID")
            .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    List<Column> order = new ArrayList<>();
    order.add(col(Pseudonymiser.EUPI));
    order.add(col("StudyInstanceUID"));
    order.add(col("SeriesInstanceUID"));
    order.add(col("Modality"));
    order.add(col(ColumnPlan.TEMPLATE));
    for (OutputColumn o : plan.outputs(Level.SERIES)) {
      order.add(col(o.name()));
    }
    order.add(col("NumberOfSeriesRelatedInstances"));
    return grouped.select(order.toArray(new Column[0]));
  }

  /**
   * One row per study: the maximum of each value over the study's instances, its modalities, and
   * its series and instance counts.
   */
  private static Dataset<Row> studyRows(Dataset<Row> groups, ColumnPlan plan) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(functions.max(Pseudonymiser.EUPI).as(Pseudonymiser.EUPI));
    aggs.add(functions.array_sort(functions.collect_set("Modality")).as("ModalitiesInStudy"));
    for (OutputColumn o : plan.outputs(Level.STUDY)) {
      aggs.add(functions.max(o.name()).as(o.name()));
    }
    aggs.add(functions.countDistinct(col("SeriesInstanceUID")).as("NumberOfStudyRelatedSeries"));
    aggs.add(instances().as("NumberOfStudyRelatedInstances"));
    Dataset<Row> grouped =
        groups
            .groupBy("StudyInstanceUID")
            .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    List<Column> order = new ArrayList<>();
    order.add(col(Pseudonymiser.EUPI));
    order.add(col("StudyInstanceUID"));
    order.add(col("ModalitiesInStudy"));
    for (OutputColumn o : plan.outputs(Level.STUDY)) {
      order.add(col(o.name()));
    }
    order.add(col("NumberOfStudyRelatedSeries"));
    order.add(col("NumberOfStudyRelatedInstances"));
    return grouped.select(order.toArray(new Column[0]));
  }

  private static Dataset<Row> rejectionRows(Dataset<Row> rejected, String runId) {
    return rejected.select(
        functions
            .coalesce(col("SOPInstanceUID"), functions.concat(lit("file:"), col("file_path")))
            .as("rejection_key"),
        col("SOPInstanceUID"),
        col("StudyInstanceUID"),
        col("SeriesInstanceUID"),
        col("PatientID"),
        PatientIds.normaliseColumn(col("PatientID")).as("chi"),
        col("Modality"),
        col("SOPClassUID"),
        col("_image_type").as("ImageType"),
        col(REASON).as("reason"),
        col("file_path"),
        lit(runId).as("run_id"));
  }

  private static Dataset<Row> stateRows(Dataset<Row> prepared) {
    return prepared
        .where("SOPInstanceUID IS NOT NULL AND StudyInstanceUID IS NOT NULL")
        .select(
            col("SOPInstanceUID"),
            col("StudyInstanceUID"),
            col("SeriesInstanceUID"),
            PatientIds.normaliseColumn(col("PatientID")).as("chi"),
            functions
                .coalesce(
                    col(Pseudonymiser.EUPI),
                    functions.concat(lit("rejected:"), col(Pseudonymiser.REJECTION)))
                .as("pseudonym"),
            functions
                .when(col(REASON).isNull(), lit("promoted"))
                .otherwise(lit("rejected"))
                .as("status"),
            col(REASON).as("reason"),
            col(SOURCE_HASH),
            col(PIXEL_HASH));
  }

  // ------------------------------------------------------------------ writes

  /**
   * Rows per data file a full rebuild aims for: about 6–60 MB of image rows, depending on how many
   * template columns are filled.
   */
  static final long ROWS_PER_FILE = 1_000_000L;

  /**
   * Full: atomic overwrite (schema replaced, so template changes apply). Incremental: one MERGE on
   * {@code key} whose source is the new rows plus tombstones for rows of the affected studies that
   * are no longer produced — inserts, updates and deletes in one Delta commit.
   *
   * <p>A full rebuild writes without Delta's optimized write (the session default): that shuffles
   * every row to one task per 512 MB of output, and a million image rows are a few MB, so the
   * Parquet encoding of the whole table ran on one core. Instead each task of the cached rows
   * writes its own file, coalesced (no shuffle) to {@link #filesFor} files so a large estate does
   * not get one small file per input split.
   */
  private void write(
      String path,
      Dataset<Row> rows,
      String key,
      Dataset<Row> affectedStudies,
      boolean full,
      long sourceRows) {
    if (full || !DeltaTable.isDeltaTable(spark, path)) {
      rows.coalesce(filesFor(sourceRows, spark.sparkContext().defaultParallelism()))
          .write()
          .format("delta")
          .mode("overwrite")
          .option("overwriteSchema", "true")
          .option("optimizeWrite", "false")
          .save(path);
      return;
    }
    Dataset<Row> target = spark.read().format("delta").load(path);
    Dataset<Row> stale =
        target
            .join(
                affectedStudies,
                target.col("StudyInstanceUID").equalTo(affectedStudies.col("_affected_study")),
                "left_semi")
            .select(key)
            .join(rows.select(key), toSeq(key), "left_anti");
    Dataset<Row> source =
        rows.withColumn(DELETE, lit(false)).unionByName(stale.withColumn(DELETE, lit(true)), true);
    Map<String, String> assignments = new LinkedHashMap<>();
    for (String c : rows.columns()) {
      assignments.put("`" + c + "`", "s.`" + c + "`");
    }
    // A large incremental batch (a new feed of a million instances) is written by every task.
    DeltaWrites.withPolicy(
        spark,
        sourceRows,
        () ->
            DeltaTable.forPath(spark, path)
                .as("t")
                .merge(source.as("s"), "t.`" + key + "` = s.`" + key + "`")
                .whenMatched("s." + DELETE)
                .delete()
                .whenMatched()
                .updateExpr(assignments)
                .whenNotMatched("NOT s." + DELETE)
                .insertExpr(assignments)
                .execute());
  }

  /**
   * Data files for a full rebuild of {@code rows} rows: one per {@link #ROWS_PER_FILE}, but at
   * least one per core so every core encodes Parquet. (Coalescing never adds partitions: fewer
   * input partitions than this write as many files.)
   */
  static int filesFor(long rows, int parallelism) {
    long byRows = (rows + ROWS_PER_FILE - 1) / ROWS_PER_FILE;
    return (int) Math.max(Math.max(1, parallelism), Math.min(byRows, Integer.MAX_VALUE));
  }

  /** Data quality and rejection counts: small tables recomputed from the full tables. */
  private void writeSummaries() {
    Dataset<Row> image = spark.read().format("delta").load(deid(IMAGE));
    long rows = image.count();
    Dataset<Row> quality =
        image
            .select(functions.explode(col(ColumnPlan.MALFORMED)).as("column_name"))
            .groupBy("column_name")
            .agg(functions.count(lit(1)).as("malformed_values"))
            .withColumn("image_rows", lit(rows))
            .orderBy("column_name");
    quality
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(deid(QUALITY));
    Dataset<Row> counts =
        spark
            .read()
            .format("delta")
            .load(ident(REJECTIONS))
            .groupBy(col("reason"))
            .agg(
                functions.count(lit(1)).as("instances"),
                functions.countDistinct(col("StudyInstanceUID")).as("studies"))
            .orderBy("reason");
    counts
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(deid(REJECTION_COUNTS));
  }

  private static final StructType WATERMARK_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType)
          .add("instances_version", DataTypes.LongType)
          .add("spec_fingerprint", DataTypes.StringType)
          .add("mapping_fingerprint", DataTypes.StringType)
          .add("mapping_source", DataTypes.StringType)
          .add("hmac_key_id", DataTypes.StringType)
          .add("updated_at", DataTypes.TimestampType)
          .add("pixel_features_version", DataTypes.LongType)
          .add("pixel_text_flags_version", DataTypes.LongType);

  /** Watermark of a pixel table's version (null: not joined, absent, or an older watermark). */
  private static Long watermarkVersion(Row watermark, String table) {
    String field = table + "_version";
    if (!List.of(watermark.schema().fieldNames()).contains(field)) {
      return null;
    }
    return watermark.isNullAt(watermark.fieldIndex(field)) ? null : watermark.getAs(field);
  }

  private Row readWatermark() {
    String path = ident(WATERMARK);
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return null;
    }
    List<Row> rows = spark.read().format("delta").load(path).collectAsList();
    return rows.isEmpty() ? null : rows.get(0);
  }

  private void writeWatermark(
      String runId,
      long version,
      PromotionSpec spec,
      String mapping,
      Pseudonymiser p,
      Map<String, Long> pixelVersions) {
    Row row =
        RowFactory.create(
            runId,
            version,
            fingerprint(spec),
            mapping,
            p.config().describe(),
            p.hmacKeyId().orElse(null),
            Timestamp.from(Instant.now()),
            pixelVersions.get(PixelColumn.FEATURES),
            pixelVersions.get(PixelColumn.OCR_FLAGS));
    spark
        .createDataFrame(List.of(row), WATERMARK_SCHEMA)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(ident(WATERMARK));
  }

  private void registerTables() {
    ZoneCatalog catalog =
        new ZoneCatalog(spark, layout, Set.of(Zone.IDENTIFIABLE, Zone.DEIDENTIFIED));
    for (String t : List.of(STUDY, SERIES, IMAGE, QUALITY, REJECTION_COUNTS)) {
      if (DeltaTable.isDeltaTable(spark, deid(t))) {
        catalog.register(Zone.DEIDENTIFIED, t);
      }
    }
    for (String t : List.of(REJECTIONS, STATE, WATERMARK)) {
      if (DeltaTable.isDeltaTable(spark, ident(t))) {
        catalog.register(Zone.IDENTIFIABLE, t);
      }
    }
  }

  private String deid(String table) {
    return layout.table(Zone.DEIDENTIFIED, table);
  }

  private String ident(String table) {
    return layout.table(Zone.IDENTIFIABLE, table);
  }
}
