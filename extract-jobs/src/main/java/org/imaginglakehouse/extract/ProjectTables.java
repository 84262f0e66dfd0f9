package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.job.Rejections;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.EarlierRecords;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.deid.HmacProjectPseudonyms;

/**
 * The tables of a project zone ({@code project_<P>.files}, {@code rejections}, {@code metadata})
 * and the files an extraction carries beside its images ({@code metadata.csv}, {@code
 * metadata.parquet}, {@code MANIFEST.sha256}). No original UID, EUPI or unshifted date is written:
 * UIDs are the project's, the source UID only as a SHA-256 (which only a holder of the UID can
 * match), dates shifted per patient.
 */
final class ProjectTables {
  static final String FILES = "files";
  static final String REJECTIONS = "rejections";
  static final String METADATA = "metadata";
  static final String EXTRACTION_ID = "extraction_id";
  static final String MANIFEST = "MANIFEST.sha256";
  static final String METADATA_CSV = "metadata.csv";
  static final String METADATA_PARQUET = "metadata.parquet";

  /** The de-identified study table the study-level metadata columns come from. */
  static final String STUDY = "study";

  private static final String STUDY_KEY = "_study_uid";
  private static final String STUDY_PREFIX = "_study_";

  /** Tables and files of linked datasets: {@code linked_<dataset>}. */
  static final String LINKED_PREFIX = "linked_";

  /** What the executors return per instance attempted (see {@link InstanceExtractor.Outcome}). */
  static final StructType OUTCOME_SCHEMA =
      new StructType()
          .add("SOPInstanceUID", DataTypes.StringType, false)
          .add("source_uid_sha256", DataTypes.StringType, false)
          .add("path", DataTypes.StringType, true)
          .add("sha256", DataTypes.StringType, true)
          .add("size", DataTypes.LongType, false)
          .add("pixel_bytes_copied", DataTypes.LongType, false)
          .add("reason", DataTypes.StringType, true)
          .add("message", DataTypes.StringType, true)
          .add(Redactions.REGIONS, DataTypes.StringType, true)
          .add(Redactions.RULES, DataTypes.StringType, true)
          .add("Modality", DataTypes.StringType, true)
          .add("overlays_kept", DataTypes.IntegerType, false)
          .add("overlays_removed_text", DataTypes.IntegerType, false)
          .add("overlays_removed_other", DataTypes.IntegerType, false);

  /** What identifies a rejection across runs, and what it keeps from the run that found it. */
  private static final List<String> REJECTION_KEY = List.of("level", "source_uid_sha256", "reason");

  private static final List<String> REJECTION_KEPT = List.of("run_id", "recorded_at");

  private final SparkSession spark;
  private final ZoneLayout layout;
  private final String project;
  private final String extractionId;
  private final UserDefinedFunction uid;
  private final UserDefinedFunction patient;
  private final UserDefinedFunction dayShift;

  /** This extraction's rejections before this run (set by {@link #recordRejections}), or null. */
  private Dataset<Row> earlier;

  ProjectTables(
      SparkSession spark,
      ZoneLayout layout,
      String project,
      String extractionId,
      HmacProjectPseudonyms pseudonyms) {
    this.spark = spark;
    this.layout = layout;
    this.project = project;
    this.extractionId = extractionId;
    this.uid =
        functions.udf(
            (UDF1<String, String>) v -> v == null ? null : pseudonyms.uid(v), DataTypes.StringType);
    this.patient =
        functions.udf(
            (UDF1<String, String>) v -> v == null ? null : pseudonyms.patientId(v),
            DataTypes.StringType);
    this.dayShift =
        functions.udf(
            (UDF1<String, Integer>) v -> v == null ? null : pseudonyms.dayShift(v),
            DataTypes.IntegerType);
  }

  String location(String table) {
    return layout.projectTable(project, table);
  }

  private Column thisExtraction() {
    return col(EXTRACTION_ID).equalTo(extractionId);
  }

  private Dataset<Row> read(String table) {
    return spark.read().format("delta").load(location(table));
  }

  private boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, location(table));
  }

  /** Accepted candidates whose file is not yet in {@code files} for this extraction. */
  Dataset<Row> notYetWritten(Dataset<Row> accepted) {
    if (!exists(FILES)) {
      return accepted;
    }
    Dataset<Row> written =
        read(FILES).where(thisExtraction()).select(col("SOPInstanceUID").as("_written"));
    Dataset<Row> keyed = accepted.withColumn("_new_sop", uid.apply(col("SOPInstanceUID")));
    return keyed
        .join(written, keyed.col("_new_sop").equalTo(written.col("_written")), "left_anti")
        .drop("_new_sop");
  }

  /**
   * The rejections of this run's judgement (the extraction's rejections are replaced by them and by
   * {@link #recordOutcomes}'s failures); counts per reason into {@code run}, from {@code judgement}
   * (candidates per reason, counted by the caller over the same rows: the table is not read back).
   * Returns the number of rejections.
   */
  long recordRejections(Dataset<Row> rejected, RunContext run, Map<String, Long> judgement) {
    Column asked = functions.coalesce(col(ExtractCandidates.ASKED_UID), col("SOPInstanceUID"));
    Dataset<Row> rows =
        rejected.select(
            lit(extractionId).as(EXTRACTION_ID),
            col(ExtractCandidates.LEVEL).as("level"),
            uid.apply(asked).as("uid"),
            functions.sha2(asked, 256).as("source_uid_sha256"),
            col(ExtractCandidates.REASON).as("reason"),
            lit(null).cast("string").as("message"),
            functions.coalesce(col("i_modality"), col("Modality")).as("Modality"),
            lit(run.runId()).as("run_id"),
            functions.current_timestamp().as("recorded_at"));
    // The extraction's rejections as earlier finished runs recorded (and reported) them, kept
    // aside (the replace below drops their file failures): a rejection found again keeps its
    // first run's id and time.
    earlier =
        exists(REJECTIONS)
            ? EarlierRecords.reported(
                    spark, read(REJECTIONS).where(thisExtraction()), location(JobRunLog.TABLE))
                .localCheckpoint(true)
            : null;
    replace(REJECTIONS, EarlierRecords.keep(rows, earlier, REJECTION_KEY, REJECTION_KEPT));
    long total = 0;
    for (Map.Entry<String, Long> e : new TreeMap<>(judgement).entrySet()) {
      if (!e.getKey().equals(ExtractJob.ACCEPTED)) {
        run.count("rejected_" + e.getKey(), e.getValue());
        total += e.getValue();
      }
    }
    return total;
  }

  /**
   * The summary's rejections: those of this extraction first recorded by this run (shown by reason,
   * level and project UID, never a source UID) and the queries that list them.
   */
  Rejections rejections(String runId) {
    String table = ZoneLayout.projectDatabase(project) + "." + REJECTIONS;
    Dataset<Row> all = exists(REJECTIONS) ? read(REJECTIONS).where(thisExtraction()) : null;
    if (all == null) {
      return new Rejections(0, 0, List.of(), Zone.PROJECTS.id(), table, null, null);
    }
    Dataset<Row> fresh = all.where(col("run_id").equalTo(runId));
    long newRows = fresh.count();
    List<String> examples = new ArrayList<>();
    for (Row r :
        fresh
            .orderBy("reason", "uid")
            .select("reason", "level", "uid")
            .limit(Rejections.SHOWN)
            .collectAsList()) {
      examples.add(r.getString(0) + ": " + r.getString(1) + " " + r.getString(2));
    }
    String inExtraction = EXTRACTION_ID + " = " + Rejections.literal(extractionId);
    return new Rejections(
        newRows,
        all.count(),
        examples,
        Zone.PROJECTS.id(),
        table,
        inExtraction + " AND " + Rejections.runIdIs(runId),
        inExtraction);
  }

  /**
   * Files written go into {@code files} (MERGE); failures join the extraction's rejections. Returns
   * the number of failures.
   */
  long recordOutcomes(Dataset<Row> outcomes, RunContext run) {
    Dataset<Row> written =
        outcomes
            .where(col("reason").isNull())
            .select(
                lit(extractionId).as(EXTRACTION_ID),
                col("SOPInstanceUID"),
                col("source_uid_sha256"),
                col("path"),
                col("sha256"),
                col("size"),
                col("pixel_bytes_copied"),
                lit(run.runId()).as("run_id"),
                functions.current_timestamp().as("written_at"));
    // Written and failed counted in one pass over the (cached) outcomes.
    Column ok = col("reason").isNull();
    Row totals =
        outcomes
            .agg(
                functions.count(functions.when(ok, lit(1))),
                functions.coalesce(functions.sum(functions.when(ok, col("size"))), lit(0L)),
                functions.coalesce(
                    functions.sum(functions.when(ok, col("pixel_bytes_copied"))), lit(0L)),
                functions.count(functions.when(functions.not(ok), lit(1))),
                functions.coalesce(functions.sum(when(ok, "overlays_kept")), lit(0L)),
                functions.coalesce(functions.sum(when(ok, "overlays_removed_text")), lit(0L)),
                functions.coalesce(functions.sum(when(ok, "overlays_removed_other")), lit(0L)))
            .first();
    run.count("written", totals.getLong(0));
    run.count("bytes_written", totals.getLong(1));
    run.count("pixel_bytes_copied", totals.getLong(2));
    if (totals.getLong(4) + totals.getLong(5) + totals.getLong(6) > 0) {
      // pixel.overlays: keep (docs/extract.md "Overlays"): planes released, and planes removed
      // because OCR read text on them or because they were embedded or unreadable.
      run.count("overlays_kept", totals.getLong(4));
      run.count("overlays_removed_text", totals.getLong(5));
      run.count("overlays_removed_other", totals.getLong(6));
    }
    if (totals.getLong(0) > 0) {
      merge(
          FILES,
          written,
          "t.extraction_id = s.extraction_id AND t.SOPInstanceUID = s.SOPInstanceUID");
    }
    Dataset<Row> failed =
        outcomes
            .where(col("reason").isNotNull())
            .select(
                lit(extractionId).as(EXTRACTION_ID),
                lit("image").as("level"),
                col("SOPInstanceUID").as("uid"),
                col("source_uid_sha256"),
                col("reason"),
                col("message"),
                col("Modality"),
                lit(run.runId()).as("run_id"),
                functions.current_timestamp().as("recorded_at"));
    long failures = totals.getLong(3);
    if (failures > 0) {
      EarlierRecords.keep(failed, earlier, REJECTION_KEY, REJECTION_KEPT)
          .write()
          .format("delta")
          .mode("append")
          .save(location(REJECTIONS));
      failed
          .groupBy("reason")
          .count()
          .collectAsList()
          .forEach(r -> run.add("rejected_" + r.getString(0), r.getLong(1)));
    }
    return failures;
  }

  private static Column when(Column ok, String column) {
    return functions.when(ok, col(column).cast("long"));
  }

  /** Whether the extraction's manifest exists (else it is written even when nothing is new). */
  boolean releaseFilesExist(String extractionRoot) {
    return ProjectFiles.exists(new Path(extractionRoot + "/" + MANIFEST));
  }

  /**
   * The extraction's metadata (table, CSV, Parquet) for every file in {@code files}, then the
   * manifest of every file with its SHA-256.
   */
  void writeMetadataAndManifest(
      Dataset<Row> accepted, Dataset<Row> image, ProjectConfig config, String extractionRoot) {
    if (!exists(FILES)) {
      return; // every accepted instance failed when written (e.g. refused by the redaction)
    }
    Dataset<Row> files = read(FILES).where(thisExtraction()).select("SOPInstanceUID", "path");
    Dataset<Row> keyed = accepted.withColumn("_new_sop", uid.apply(col("SOPInstanceUID")));
    Dataset<Row> joined =
        keyed.join(files, keyed.col("_new_sop").equalTo(files.col("SOPInstanceUID")), "inner");
    List<Column> select = new ArrayList<>();
    select.add(lit(extractionId).as(EXTRACTION_ID));
    select.add(patient.apply(keyed.col("eupi")).as("PatientID"));
    select.add(uid.apply(keyed.col("StudyInstanceUID")).as("StudyInstanceUID"));
    select.add(uid.apply(keyed.col("SeriesInstanceUID")).as("SeriesInstanceUID"));
    select.add(files.col("SOPInstanceUID").as("SOPInstanceUID"));
    select.add(files.col("path").as("path"));
    // Columns in the project's order: from the image inventory, else study-level ones (StudyDate,
    // ...) from deidentified.study; a column neither has is left out (templates differ).
    List<String> imageColumns = List.of(image.schema().fieldNames());
    Dataset<Row> study = studyTable();
    List<String> studyColumns =
        study == null
            ? List.of()
            : config.metadataColumns().stream()
                .filter(c -> !isKey(c) && !imageColumns.contains(c))
                .filter(List.of(study.columns())::contains)
                .toList();
    Dataset<Row> studies = null;
    if (!studyColumns.isEmpty()) {
      List<Column> fromStudy = new ArrayList<>();
      fromStudy.add(col("StudyInstanceUID").as(STUDY_KEY));
      studyColumns.forEach(c -> fromStudy.add(col("`" + c + "`").as(STUDY_PREFIX + c)));
      studies = study.select(fromStudy.toArray(Column[]::new));
      joined =
          joined.join(
              studies, keyed.col("StudyInstanceUID").equalTo(studies.col(STUDY_KEY)), "left");
    }
    for (String name : config.metadataColumns()) {
      if (isKey(name)) {
        continue;
      }
      if (imageColumns.contains(name)) {
        select.add(
            released(keyed.col(name), image.schema().apply(name), keyed.col("eupi")).as(name));
      } else if (studyColumns.contains(name)) {
        select.add(
            released(
                    studies.col(STUDY_PREFIX + name), study.schema().apply(name), keyed.col("eupi"))
                .as(name));
      }
    }
    // Computed once (keyed hashes of every row) for the table and both files; the table is not
    // read back.
    Dataset<Row> metadata = joined.select(select.toArray(Column[]::new)).persist();
    try {
      replace(METADATA, metadata);
      writeMetadataFiles(
          metadata.drop(EXTRACTION_ID).orderBy("path"), accepted, config, extractionRoot);
    } finally {
      metadata.unpersist();
    }
  }

  private void writeMetadataFiles(
      Dataset<Row> stored, Dataset<Row> accepted, ProjectConfig config, String extractionRoot) {
    try {
      FileSystem fs = ProjectFiles.fs(new Path(extractionRoot));
      ExtractionFiles.writeSingleFile(
          fs, stored, "parquet", new Path(extractionRoot, METADATA_PARQUET));
      ExtractionFiles.writeSingleFile(
          fs, ExtractionFiles.csvReady(stored), "csv", new Path(extractionRoot, METADATA_CSV));
      for (String dataset : config.linkedColumns().keySet()) {
        writeLinked(fs, dataset, config.linkedColumns().get(dataset), accepted, extractionRoot);
      }
      writeManifest(fs, extractionRoot, linkedFiles(config));
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot write the metadata and manifest of extraction " + extractionId + ": " + e, e);
    }
  }

  /**
   * A value as the project receives it: dates and timestamps shifted by the patient's keyed offset
   * (the same as in the images), UIDs mapped to the project's UIDs.
   */
  private Column released(Column c, StructField field, Column eupi) {
    if (field.dataType() instanceof DateType) {
      return functions.date_add(c, dayShift.apply(eupi));
    }
    if (field.dataType() instanceof TimestampType) {
      return c.plus(
          functions.make_interval(
              lit(0), lit(0), lit(0), dayShift.apply(eupi), lit(0), lit(0), lit(0)));
    }
    if (field.name().endsWith("UID") && field.dataType().equals(DataTypes.StringType)) {
      return uid.apply(c);
    }
    return c;
  }

  /** The files of the project's linked datasets beside metadata.csv, by name. */
  static List<String> linkedFiles(ProjectConfig config) {
    List<String> out = new ArrayList<>();
    for (String dataset : config.linkedColumns().keySet()) {
      out.add(LINKED_PREFIX + dataset + ".csv");
      out.add(LINKED_PREFIX + dataset + ".parquet");
    }
    return out;
  }

  /**
   * {@code project_<P>.linked_<dataset>} and its CSV and Parquet: the allowed columns of the
   * dataset's rows for the extraction's patients, keyed by the project's PatientID (never the
   * EUPI), dates shifted as in the images. A dataset or column that is not there stops the extract:
   * the project file promised it, and silently sending less is not an option.
   */
  private void writeLinked(
      FileSystem fs,
      String dataset,
      List<String> columns,
      Dataset<Row> accepted,
      String extractionRoot)
      throws IOException {
    Dataset<Row> linked = linkedSource(dataset, columns);
    Dataset<Row> ids = accepted.select(col("eupi").as("_eupi")).distinct();
    Dataset<Row> rows = linked.join(ids, linked.col("eupi").equalTo(ids.col("_eupi")), "left_semi");
    List<Column> select = new ArrayList<>();
    select.add(lit(extractionId).as(EXTRACTION_ID));
    select.add(patient.apply(col("eupi")).as("PatientID"));
    for (String c : columns) {
      select.add(released(col("`" + c + "`"), linked.schema().apply(c), col("eupi")).as(c));
    }
    String table = LINKED_PREFIX + dataset;
    replace(table, rows.select(select.toArray(Column[]::new)));
    Dataset<Row> stored = read(table).where(thisExtraction()).drop(EXTRACTION_ID);
    stored =
        stored.orderBy(
            Arrays.stream(stored.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new));
    ExtractionFiles.writeSingleFile(
        fs, stored, "parquet", new Path(extractionRoot, table + ".parquet"));
    ExtractionFiles.writeSingleFile(
        fs, ExtractionFiles.csvReady(stored), "csv", new Path(extractionRoot, table + ".csv"));
  }

  /**
   * The de-identified table of a linked dataset the project file names, checked to have the {@code
   * eupi} to join on and every column promised; called before any file is written.
   */
  Dataset<Row> linkedSource(String dataset, List<String> columns) {
    String location = layout.table(Zone.DEIDENTIFIED, dataset);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      throw new LakehouseException(
          "The project file asks for linked dataset '"
              + dataset
              + "', but deidentified."
              + dataset
              + " does not exist: run `lakehouse link --dataset "
              + dataset
              + "` first, or remove it from `linked:`");
    }
    Dataset<Row> linked = spark.read().format("delta").load(location);
    List<String> have = List.of(linked.columns());
    List<String> missing = columns.stream().filter(c -> !have.contains(c)).toList();
    if (!have.contains("eupi") || !missing.isEmpty()) {
      throw new LakehouseException(
          "deidentified."
              + dataset
              + (have.contains("eupi")
                  ? " has no column " + String.join(", ", missing)
                  : " has no eupi column to join on")
              + " (it has: "
              + String.join(", ", have.stream().filter(c -> !c.equals("eupi")).toList())
              + "): fix `linked."
              + dataset
              + "` in the project file");
    }
    return linked;
  }

  /** {@code deidentified.study} (one row per study), or null when promote has not made it. */
  private Dataset<Row> studyTable() {
    String location = layout.table(Zone.DEIDENTIFIED, STUDY);
    return DeltaTable.isDeltaTable(spark, location)
        ? spark.read().format("delta").load(location)
        : null;
  }

  private static boolean isKey(String name) {
    return List.of("eupi", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
        .contains(name);
  }

  private void writeManifest(FileSystem fs, String extractionRoot, List<String> linked)
      throws IOException {
    TreeMap<String, String> lines = new TreeMap<>();
    // One job (toLocalIterator ran one per partition of the table).
    for (Row r : read(FILES).where(thisExtraction()).select("path", "sha256").collectAsList()) {
      lines.put(r.getString(0), r.getString(1));
    }
    List<String> beside = new ArrayList<>(List.of(METADATA_CSV, METADATA_PARQUET));
    beside.addAll(linked);
    for (String name : beside) {
      lines.put(name, ExtractionFiles.sha256(fs, new Path(extractionRoot, name)));
    }
    StringBuilder out = new StringBuilder();
    // sha256sum's format: `sha256sum -c MANIFEST.sha256` in the extraction checks every file.
    lines.forEach((path, sum) -> out.append(sum).append("  ").append(path).append('\n'));
    ProjectFiles.write(
        new Path(extractionRoot, MANIFEST), out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Replaces this extraction's rows of {@code table} in one commit. */
  private void replace(String table, Dataset<Row> rows) {
    if (!exists(table)) {
      rows.write().format("delta").mode("append").save(location(table));
      return;
    }
    // mergeSchema: a project file that gains a metadata column adds it to the table.
    rows.write()
        .format("delta")
        .mode("overwrite")
        .option("mergeSchema", "true")
        .option("replaceWhere", EXTRACTION_ID + " = '" + extractionId + "'")
        .save(location(table));
  }

  private void merge(String table, Dataset<Row> rows, String condition) {
    if (!exists(table)) {
      rows.write().format("delta").mode("append").save(location(table));
      return;
    }
    DeltaTable.forPath(spark, location(table))
        .as("t")
        .merge(rows.as("s"), condition)
        .whenNotMatched()
        .insertAll()
        .execute();
  }
}
