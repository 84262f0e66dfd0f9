package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.job.ConcurrentCommits;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.job.Rejections;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.Checkpoints;
import org.imaginglakehouse.core.spark.DeltaSnapshots;
import org.imaginglakehouse.core.spark.EarlierRecords;
import org.imaginglakehouse.core.spark.KeyedCommits;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.deid.HmacProjectPseudonyms;

/**
 * The tables of a project zone ({@code project_<P>.files}, {@code rejections}; {@code metadata} and
 * the files an extraction carries beside its images, {@code metadata.csv}, {@code metadata.parquet}
 * and {@code MANIFEST.sha256}, through {@link ExtractionMetadata}), and the project's keyed UID,
 * patient and day-shift functions as Spark UDFs. No original UID, EUPI or unshifted date is
 * written: UIDs are the project's, the source UID only as a SHA-256 (which only a holder of the UID
 * can match), dates shifted per patient.
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

  static final String STUDY_KEY = "_study_uid";
  static final String STUDY_PREFIX = "_study_";

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

  /** What identifies a row of {@code files}: one per instance of an extraction. */
  private static final List<String> FILES_KEY = List.of(EXTRACTION_ID, "SOPInstanceUID");

  /** What identifies a rejection across runs, and what it keeps from the run that found it. */
  private static final List<String> REJECTION_KEY = List.of("level", "source_uid_sha256", "reason");

  private static final List<String> REJECTION_KEPT = List.of("run_id", "recorded_at");

  final SparkSession spark;
  final ZoneLayout layout;
  private final String project;
  final String extractionId;
  final UserDefinedFunction uid;
  final UserDefinedFunction patient;
  final UserDefinedFunction dayShift;

  /** This extraction's rejections before this run (set by {@link #recordRejections}), or null. */
  private Dataset<Row> earlier;

  /**
   * The extraction's rows in {@code rejections} after this run's records ({@link #recordRejections}
   * replaces them, {@link #recordOutcomes} adds the failures); -1 before they are recorded.
   */
  private long recorded = -1;

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

  Column thisExtraction() {
    return col(EXTRACTION_ID).equalTo(extractionId);
  }

  Dataset<Row> read(String table) {
    return spark.read().format("delta").load(location(table));
  }

  boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, location(table));
  }

  /**
   * How {@link #recordOutcomes} writes to {@code files}: set by {@link #notYetWritten} when the
   * table is there, with the version it had before the written instances were read from it.
   */
  private KeyedCommits fileCommits;

  /** Accepted candidates whose file is not yet in {@code files} for this extraction. */
  Dataset<Row> notYetWritten(Dataset<Row> accepted) {
    if (!exists(FILES)) {
      return accepted;
    }
    // Read before the rows below: should another run add rows in between, the table is past this
    // version when the outcomes are recorded, and they are MERGEd rather than appended.
    fileCommits =
        new KeyedCommits(
            spark,
            location(FILES),
            ZoneLayout.projectDatabase(project) + "." + FILES,
            FILES_KEY,
            false,
            DeltaSnapshots.latest(spark, location(FILES)).version(),
            ConcurrentCommits.of(ExtractJob.NAME));
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
    // Kept aside before the replace below rewrites the table (a checkpoint, not a lazy read).
    Dataset<Row> onRecord =
        exists(REJECTIONS) ? Checkpoints.local(read(REJECTIONS).where(thisExtraction())) : null;
    boolean noneOnRecord = onRecord == null || onRecord.isEmpty();
    earlier =
        noneOnRecord
            ? null
            : Checkpoints.local(
                EarlierRecords.reported(spark, onRecord, location(JobRunLog.TABLE)));
    long total = 0;
    for (Map.Entry<String, Long> e : new TreeMap<>(judgement).entrySet()) {
      if (!e.getKey().equals(ExtractJob.ACCEPTED)) {
        run.count("rejected_" + e.getKey(), e.getValue());
        total += e.getValue();
      }
    }
    // Nothing rejected now and nothing on record: the replace would commit an empty change.
    if (total > 0 || !noneOnRecord) {
      replace(REJECTIONS, EarlierRecords.keep(rows, earlier, REJECTION_KEY, REJECTION_KEPT));
    }
    recorded = total;
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
    String inExtraction = EXTRACTION_ID + " = " + Rejections.literal(extractionId);
    String inRun = inExtraction + " AND " + Rejections.runIdIs(runId);
    if (recorded == 0) {
      // None recorded by this run, none left from earlier ones: nothing to read back.
      return new Rejections(0, 0, List.of(), Zone.PROJECTS.id(), table, inRun, inExtraction);
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
    return new Rejections(
        newRows, all.count(), examples, Zone.PROJECTS.id(), table, inRun, inExtraction);
  }

  /**
   * Files written go into {@code files} (appended while no other run wrote to it since {@link
   * #notYetWritten} read it, else MERGEd); failures join the extraction's rejections. Returns the
   * number of failures.
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
      if (fileCommits != null) {
        // None of these instances was in the table for this extraction when it was read.
        fileCommits.write(written, totals.getLong(0), false);
      } else {
        merge(FILES, written, KeyedCommits.matchOn(FILES_KEY));
      }
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
    recorded += failures;
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

  /** Replaces this extraction's rows of {@code table} in one commit. */
  void replace(String table, Dataset<Row> rows) {
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
