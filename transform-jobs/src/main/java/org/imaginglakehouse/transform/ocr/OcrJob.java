package org.imaginglakehouse.transform.ocr;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.Checkpoints;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.transform.pixel.DeltaUpserts;
import org.imaginglakehouse.transform.pixel.InstanceSource;
import org.imaginglakehouse.transform.pixel.KeyColumns;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;
import org.imaginglakehouse.transform.pixel.Undecodable;

/**
 * {@code lakehouse ocr}: burned-in text detection. For every instance not yet processed (new, or
 * its file checksum changed) the candidate policy decides whether to OCR it; candidates are decoded
 * and read by Tesseract (one handle per executor thread) in several passes over all (sampled)
 * frames and overlays. Writes every word to {@code identifiable.pixel_text} and one flag row per
 * instance to {@code identifiable.pixel_text_flags}, in batches: words first (old words of the
 * instance removed), flags last, so the flags row marks an instance as done and a killed run simply
 * redoes the unfinished batch.
 */
public final class OcrJob extends AbstractJob<OcrJob.Result> {
  public static final String NAME = "ocr";

  public static final String OPTION_POLICY = "policy";
  public static final String OPTION_OCR_EVERYTHING = "ocr-everything";
  public static final boolean DEFAULT_OCR_EVERYTHING = false;
  public static final String OPTION_PASSES = "passes";
  public static final String DEFAULT_PASSES = OcrSettings.passIds(OcrSettings.DEFAULT_PASSES);
  public static final String OPTION_KEEP_OUTDATED = "keep-outdated";
  public static final boolean DEFAULT_KEEP_OUTDATED = false;
  public static final String OPTION_STOP_AFTER_TEXT = "stop-after-text";
  public static final boolean DEFAULT_STOP_AFTER_TEXT = false;
  public static final String OPTION_MAX_FRAMES = "max-frames";
  public static final int DEFAULT_MAX_FRAMES = 16;
  public static final String OPTION_UPSCALE_MIN_SIDE = "upscale-min-side";
  public static final int DEFAULT_UPSCALE_MIN_SIDE = 400;
  public static final String OPTION_MIN_CONFIDENCE = "min-confidence";
  public static final double DEFAULT_MIN_CONFIDENCE = 40;
  public static final String OPTION_TEXT_CONFIDENCE = "text-confidence";
  public static final double DEFAULT_TEXT_CONFIDENCE = 70;
  public static final String OPTION_TESSDATA = "tessdata";
  public static final String DEFAULT_TESSDATA = TesseractEngine.DEFAULT_TESSDATA;
  public static final String OPTION_LANGUAGE = "language";
  public static final String DEFAULT_LANGUAGE = TesseractEngine.DEFAULT_LANGUAGE;
  public static final String OPTION_BATCH_SIZE = "batch-size";
  public static final int DEFAULT_BATCH_SIZE = 2000;
  public static final String OPTION_LIMIT = "limit";
  public static final long DEFAULT_LIMIT = 0;

  /** Typed view of the run's counts. */
  public static final class Result extends JobResult {
    Result(JobResult generic) {
      super(generic);
    }

    public long withText() {
      return count(OcrOutcome.TEXT);
    }

    public long noText() {
      return count(OcrOutcome.NO_TEXT);
    }

    public long undecodable() {
      return count(OcrOutcome.UNDECODABLE);
    }

    public long skipped() {
      return count(OcrOutcome.SKIPPED);
    }

    public long identityMatches() {
      return count("identity_matches");
    }
  }

  public OcrJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
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

  /** The OCR settings from the job options. */
  public OcrSettings settings() {
    List<OcrPass> passes = new ArrayList<>();
    for (String p : options.get(OPTION_PASSES, DEFAULT_PASSES).split(",")) {
      if (!p.isBlank()) {
        passes.add(OcrPass.fromId(p));
      }
    }
    return new OcrSettings(
        passes,
        options.getBoolean(OPTION_STOP_AFTER_TEXT, DEFAULT_STOP_AFTER_TEXT),
        options.getInt(OPTION_MAX_FRAMES, DEFAULT_MAX_FRAMES),
        options.getInt(OPTION_UPSCALE_MIN_SIDE, DEFAULT_UPSCALE_MIN_SIDE),
        (float) options.getDouble(OPTION_MIN_CONFIDENCE, DEFAULT_MIN_CONFIDENCE),
        (float) options.getDouble(OPTION_TEXT_CONFIDENCE, DEFAULT_TEXT_CONFIDENCE),
        options.get(OPTION_TESSDATA, DEFAULT_TESSDATA),
        options.get(OPTION_LANGUAGE, DEFAULT_LANGUAGE),
        OcrSettings.DEFAULT_PAGE_SEG_MODE);
  }

  /** The candidate policy from the job options. */
  public CandidatePolicy policy() {
    if (options.getBoolean(OPTION_OCR_EVERYTHING, DEFAULT_OCR_EVERYTHING)) {
      return CandidatePolicy.everything();
    }
    String file = options.get(OPTION_POLICY, "");
    return file.isEmpty() ? CandidatePolicy.defaults() : CandidatePolicy.load(Path.of(file));
  }

  @Override
  protected JobStatus run(RunContext run) {
    OcrSettings settings = settings();
    CandidatePolicy policy = policy();
    // Fail fast on the driver when Tesseract or its data are missing.
    TesseractPool.get(settings.tessdata(), settings.language(), settings.pageSegMode());
    int batchSize = Math.max(1, options.getInt(OPTION_BATCH_SIZE, DEFAULT_BATCH_SIZE));
    long limit = options.getLong(OPTION_LIMIT, DEFAULT_LIMIT);
    String flagsPath = layout.table(Zone.IDENTIFIABLE, OcrTables.FLAGS_TABLE);
    String textPath = layout.table(Zone.IDENTIFIABLE, OcrTables.TEXT_TABLE);
    // Tables written before the key columns were named by DICOM keyword are migrated first.
    DeltaUpserts.migrateKeys(
        spark, layout, run, "lakehouse " + NAME, OcrTables.TEXT_TABLE, OcrTables.FLAGS_TABLE);
    Dataset<Row> instances = InstanceSource.read(spark, layout);
    Dataset<Row> candidates = instances;
    if (DeltaTable.isDeltaTable(spark, flagsPath)) {
      Dataset<Row> done = withSettingsColumn(flagsPath);
      Column same =
          instances
              .col("SOPInstanceUID")
              .equalTo(done.col(KeyColumns.SOP))
              .and(instances.col("file_checksum").eqNullSafe(done.col("file_checksum")));
      if (!options.getBoolean(OPTION_KEEP_OUTDATED, DEFAULT_KEEP_OUTDATED)) {
        // flags written with other settings or older detection code are outdated: read again
        same = same.and(done.col(OcrTables.OCR_SETTINGS).eqNullSafe(lit(settings.fingerprint())));
      }
      candidates = instances.join(done, same, "left_anti");
    }
    if (limit > 0) {
      candidates = candidates.limit((int) Math.min(limit, Integer.MAX_VALUE));
    }
    // Materialised without lineage: writing the flags table would otherwise invalidate a cached
    // anti-join against it and silently recompute (and re-filter) the pending instances.
    Dataset<Row> planned = candidates;
    Dataset<Row> pending = run.time("plan", () -> Checkpoints.local(planned));
    long count = pending.count();
    run.count("pending", count);
    String runId = run.runId();
    Timestamp now = Timestamp.from(Instant.now());
    int batches = (int) Math.max(1, (count + batchSize - 1) / batchSize);
    int parallelism = Math.max(1, spark.sparkContext().defaultParallelism());
    long[] undecodable = {0};
    for (int b = 0; b < batches && count > 0; b++) {
      Dataset<Row> batch =
          batches == 1
              ? pending
              : pending.filter(pmod(hash(col("SOPInstanceUID")), lit(batches)).equalTo(b));
      int partitions =
          (int) Math.max(1, Math.min(parallelism * 4L, Math.min(count, batchSize) / 4));
      Dataset<Row> computed =
          batch
              .repartition(partitions)
              .mapPartitions(
                  new OcrInstances(settings, policy, runId, now),
                  Encoders.row(OcrTables.OUTCOME_SCHEMA));
      Dataset<Row> outcomes = run.time("ocr", () -> Checkpoints.local(computed));
      run.time(
          "count",
          () -> {
            for (Row r :
                outcomes
                    .groupBy("ocr_status", "matches_patient_identity")
                    .agg(count(lit(1)), sum(size(col("words"))))
                    .collectAsList()) {
              String status = r.getString(0);
              long n = r.getLong(2);
              run.add(status, n);
              run.add("words", r.isNullAt(3) ? 0 : r.getLong(3));
              if (!r.isNullAt(1) && r.getBoolean(1)) {
                run.add("identity_matches", n);
              }
              if (OcrOutcome.UNDECODABLE.equals(status)) {
                undecodable[0] += n;
              }
            }
          });
      Dataset<Row> words =
          outcomes
              .select(
                  col(KeyColumns.SOP),
                  explode(col("words")).as("w"),
                  col("run_id"),
                  col("processed_time"))
              .select(
                  col(KeyColumns.SOP),
                  col("w.source"),
                  col("w.frame"),
                  col("w.pass"),
                  col("w.word_index"),
                  col("w.line"),
                  col("w.word"),
                  col("w.confidence"),
                  col("w.box_left"),
                  col("w.box_top"),
                  col("w.box_width"),
                  col("w.box_height"),
                  col("run_id"),
                  col("processed_time"));
      run.time(
          "write",
          () -> {
            if (DeltaTable.isDeltaTable(spark, textPath)
                && !spark
                    .read()
                    .format("delta")
                    .load(textPath)
                    .select(KeyColumns.SOP)
                    .join(outcomes.select(KeyColumns.SOP), KeyColumns.SOP)
                    .isEmpty()) {
              // Words of an earlier, interrupted or outdated run of these instances.
              DeltaUpserts.deleteMatching(spark, textPath, outcomes, KeyColumns.SOP);
            }
            if (DeltaTable.isDeltaTable(spark, textPath) || !words.isEmpty()) {
              DeltaUpserts.upsert(
                  spark,
                  textPath,
                  spark.createDataFrame(words.rdd(), OcrTables.TEXT_SCHEMA),
                  List.of(KeyColumns.SOP, "source", "frame", "pass", "word_index"));
            }
            DeltaUpserts.upsert(spark, flagsPath, outcomes.drop("words"), List.of(KeyColumns.SOP));
          });
    }
    ZoneCatalog catalog = new ZoneCatalog(spark, layout, Set.of(Zone.IDENTIFIABLE));
    for (String t : List.of(OcrTables.FLAGS_TABLE, OcrTables.TEXT_TABLE)) {
      if (DeltaTable.isDeltaTable(spark, layout.table(Zone.IDENTIFIABLE, t))) {
        catalog.register(Zone.IDENTIFIABLE, t);
      }
    }
    return run.rejections(
        Undecodable.of(
            spark,
            flagsPath,
            OcrTables.FLAGS_TABLE,
            "ocr_status",
            OcrOutcome.UNDECODABLE,
            run.runId(),
            undecodable[0]));
  }

  /**
   * The flags table; one written before the settings fingerprint existed gets the column first
   * (NULL: every instance is outdated and read again by the new detector unless the run keeps
   * outdated flags).
   */
  private Dataset<Row> withSettingsColumn(String flagsPath) {
    Dataset<Row> flags = spark.read().format("delta").load(flagsPath);
    if (Arrays.asList(flags.columns()).contains(OcrTables.OCR_SETTINGS)) {
      return flags;
    }
    spark.sql(
        "ALTER TABLE delta.`"
            + flagsPath
            + "` ADD COLUMNS ("
            + OcrTables.OCR_SETTINGS
            + " STRING AFTER file_checksum)");
    return spark.read().format("delta").load(flagsPath);
  }

  /** Executor side: policy, decoding, OCR and identity matching per instance. */
  static final class OcrInstances implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final OcrSettings settings;
    private final CandidatePolicy policy;
    private final String runId;
    private final Timestamp now;
    private final String settingsFingerprint;

    OcrInstances(OcrSettings settings, CandidatePolicy policy, String runId, Timestamp now) {
      this.settings = settings;
      this.settingsFingerprint = settings.fingerprint();
      this.policy = policy;
      this.runId = runId;
      this.now = now;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      OcrRunner runner = new OcrRunner(settings);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return input.hasNext();
        }

        @Override
        public Row next() {
          return process(runner, input.next());
        }
      };
    }

    Row process(OcrRunner runner, Row row) {
      List<String> imageType =
          row.isNullAt(row.fieldIndex("ImageType"))
              ? List.of()
              : row.getList(row.fieldIndex("ImageType"));
      CandidatePolicy.Decision decision =
          policy.decide(
              new CandidatePolicy.Candidate(
                  row.getAs("Modality"),
                  row.getAs("SOPClassUID"),
                  InstanceSource.splitAll(imageType),
                  row.getAs("BurnedInAnnotation")));
      PixelDescriptor d = InstanceSource.descriptor(row);
      OcrOutcome outcome;
      if (!decision.ocr()) {
        outcome =
            new OcrOutcome(
                OcrOutcome.SKIPPED,
                "policy rule " + decision.rule(),
                List.of(),
                d.frames(),
                0,
                0,
                0,
                0);
      } else {
        outcome = runner.run(d);
      }
      return toRow(row, decision, outcome);
    }

    private Row toRow(Row row, CandidatePolicy.Decision decision, OcrOutcome outcome) {
      List<Row> words = new ArrayList<>();
      Map<String, List<String>> lines = new LinkedHashMap<>();
      float maxConfidence = -1;
      int textWords = 0;
      for (OcrOutcome.FoundWord w : outcome.words()) {
        OcrWord word = w.word();
        words.add(
            RowFactory.create(
                w.source(),
                w.frame(),
                w.pass(),
                w.wordIndex(),
                word.line(),
                word.text(),
                word.confidence(),
                word.left(),
                word.top(),
                word.width(),
                word.height()));
        lines
            .computeIfAbsent(
                w.source() + "|" + w.frame() + "|" + w.pass() + "|" + word.line(),
                k -> new ArrayList<>())
            .add(word.text());
        maxConfidence = Math.max(maxConfidence, word.confidence());
        if (OcrRunner.isText(word, settings.textConfidence())) {
          textWords++;
        }
      }
      boolean ocred =
          outcome.status().equals(OcrOutcome.TEXT) || outcome.status().equals(OcrOutcome.NO_TEXT);
      Boolean identity = null;
      String[] kinds = null;
      String status = outcome.status();
      if (ocred) {
        IdentityMatcher matcher =
            IdentityMatcher.of(
                row.getAs("PatientName"),
                row.getAs("PatientID"),
                row.getAs("PatientBirthDate"),
                row.getAs("AccessionNumber"));
        Set<String> found = matcher.match(lines);
        identity = !found.isEmpty();
        kinds = found.toArray(new String[0]);
        if (identity) {
          status = OcrOutcome.TEXT; // identity read at any confidence means text is there
        }
      }
      return RowFactory.create(
          row.getAs("SOPInstanceUID"),
          row.getAs("SeriesInstanceUID"),
          row.getAs("StudyInstanceUID"),
          row.getAs("Modality"),
          status,
          outcome.reason(),
          decision.rule(),
          outcome.framesTotal(),
          outcome.framesRead(),
          outcome.overlaysRead(),
          outcome.tesseractCalls(),
          ocred ? outcome.words().size() : null,
          ocred ? textWords : null,
          maxConfidence < 0 ? null : maxConfidence,
          ocred ? status.equals(OcrOutcome.TEXT) : null,
          identity,
          kinds,
          outcome.millis(),
          row.getAs("file_checksum"),
          settingsFingerprint,
          runId,
          now,
          words.toArray(new Row[0]));
    }
  }
}
