package org.imaginglakehouse.transform.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pmod;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
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
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code lakehouse features}: decodes the pixels of every instance not yet processed (new SOP
 * instance, or a file whose checksum changed) and writes {@code identifiable.pixel_features}; then
 * recomputes {@code identifiable.series_pixel_features} for the series those instances belong to
 * (and for any series whose series row is older than its instance rows: a run killed in between).
 * Work is committed in batches (MERGE on SOPInstanceUID / SeriesInstanceUID), so a killed run loses
 * at most one batch and a re-run continues where it stopped.
 */
public final class FeaturesJob extends AbstractJob<FeaturesJob.Result> {
  public static final String NAME = "features";

  public static final String OPTION_MAX_FRAMES = "max-frames";
  public static final int DEFAULT_MAX_FRAMES = 32;
  public static final String OPTION_EXTRACTORS = "extractors";
  public static final String DEFAULT_EXTRACTORS = "all";
  public static final String OPTION_BATCH_SIZE = "batch-size";
  public static final int DEFAULT_BATCH_SIZE = 5000;
  public static final String OPTION_LIMIT = "limit";
  public static final long DEFAULT_LIMIT = 0;

  /** Typed view of the run's counts. */
  public static final class Result extends JobResult {
    Result(JobResult generic) {
      super(generic);
    }

    public long decoded() {
      return count("decoded");
    }

    public long undecodable() {
      return count("undecodable");
    }

    public long series() {
      return count("series");
    }
  }

  public FeaturesJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
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

  @Override
  protected JobStatus run(RunContext run) {
    int maxFrames = options.getInt(OPTION_MAX_FRAMES, DEFAULT_MAX_FRAMES);
    int batchSize = Math.max(1, options.getInt(OPTION_BATCH_SIZE, DEFAULT_BATCH_SIZE));
    long limit = options.getLong(OPTION_LIMIT, DEFAULT_LIMIT);
    Set<String> extractors = new LinkedHashSet<>();
    for (String e : options.get(OPTION_EXTRACTORS, DEFAULT_EXTRACTORS).split(",")) {
      if (!e.isBlank()) {
        extractors.add(e.trim());
      }
    }
    FeatureRegistry.select(extractors); // fail fast on unknown names, on the driver
    String instancePath = layout.table(Zone.IDENTIFIABLE, FeaturesTables.INSTANCE_TABLE);
    String seriesPath = layout.table(Zone.IDENTIFIABLE, FeaturesTables.SERIES_TABLE);
    // Tables written before the key columns were named by DICOM keyword are migrated first.
    DeltaUpserts.migrateKeys(
        spark,
        layout,
        run,
        "lakehouse " + NAME,
        FeaturesTables.INSTANCE_TABLE,
        FeaturesTables.SERIES_TABLE);
    Dataset<Row> instances = InstanceSource.read(spark, layout);
    Dataset<Row> candidates = instances;
    if (DeltaTable.isDeltaTable(spark, instancePath)) {
      Dataset<Row> done =
          spark.read().format("delta").load(instancePath).select(KeyColumns.SOP, "file_checksum");
      candidates =
          instances.join(
              done,
              instances
                  .col("SOPInstanceUID")
                  .equalTo(done.col(KeyColumns.SOP))
                  .and(instances.col("file_checksum").eqNullSafe(done.col("file_checksum"))),
              "left_anti");
    }
    if (limit > 0) {
      candidates = candidates.limit((int) Math.min(limit, Integer.MAX_VALUE));
    }
    // Materialised without lineage: writing pixel_features would otherwise invalidate a cached
    // anti-join against it and silently recompute (and re-filter) the pending instances.
    Dataset<Row> planned = candidates;
    Dataset<Row> pending = run.time("plan", () -> Checkpoints.local(planned));
    long count = pending.count();
    run.count("pending", count);
    String runId = run.runId();
    Timestamp now = Timestamp.from(Instant.now());
    int batches = (int) Math.max(1, (count + batchSize - 1) / batchSize);
    long[] undecodable = {0};
    int parallelism = Math.max(1, spark.sparkContext().defaultParallelism());
    List<String> names = new ArrayList<>(extractors);
    for (int b = 0; b < batches && count > 0; b++) {
      Dataset<Row> batch =
          batches == 1
              ? pending
              : pending.filter(pmod(hash(col("SOPInstanceUID")), lit(batches)).equalTo(b));
      int partitions =
          (int) Math.max(1, Math.min(parallelism * 4L, Math.min(count, batchSize) / 8));
      Dataset<Row> computed =
          batch
              .repartition(partitions)
              .mapPartitions(
                  new ComputeFeatures(maxFrames, names, runId, now),
                  Encoders.row(FeaturesTables.INSTANCE_SCHEMA));
      Dataset<Row> rows = run.time("decode", () -> Checkpoints.local(computed));
      run.time(
          "count",
          () -> {
            for (Row r : rows.groupBy("decode_status").count().collectAsList()) {
              run.add(r.getString(0), r.getLong(1));
              if (InstanceFeatures.UNDECODABLE.equals(r.getString(0))) {
                undecodable[0] += r.getLong(1);
              }
            }
          });
      run.time(
          "write", () -> DeltaUpserts.upsert(spark, instancePath, rows, List.of(KeyColumns.SOP)));
    }
    // Series features: recompute every series that gained or changed an instance in this run, and
    // every series whose instance rows are newer than its series row (a run killed between its
    // instance and series commits).
    Dataset<Row> series =
        pending
            .select(col("SeriesInstanceUID").as("s_uid"))
            .union(staleSeries(instancePath, seriesPath))
            .distinct();
    long seriesToCompute = run.time("series_plan", () -> series.count());
    if (seriesToCompute > 0) {
      // Unqualified names: instances and pending share lineage, qualified columns would be
      // ambiguous in this self-join.
      Dataset<Row> members = instances.join(series, col("SeriesInstanceUID").equalTo(col("s_uid")));
      Dataset<Row> seriesRows =
          members
              .groupByKey(
                  (org.apache.spark.api.java.function.MapFunction<Row, String>)
                      r -> r.getAs("SeriesInstanceUID"),
                  Encoders.STRING())
              .mapGroups(new ComputeSeries(runId, now), Encoders.row(FeaturesTables.SERIES_SCHEMA));
      Dataset<Row> seriesDone = run.time("series", () -> Checkpoints.local(seriesRows));
      long seriesCount = seriesDone.count();
      run.count("series", seriesCount);
      run.time(
          "write",
          () -> DeltaUpserts.upsert(spark, seriesPath, seriesDone, List.of(KeyColumns.SERIES)));
    }
    ZoneCatalog catalog = new ZoneCatalog(spark, layout, Set.of(Zone.IDENTIFIABLE));
    if (DeltaTable.isDeltaTable(spark, instancePath)) {
      catalog.register(Zone.IDENTIFIABLE, FeaturesTables.INSTANCE_TABLE);
    }
    if (DeltaTable.isDeltaTable(spark, seriesPath)) {
      catalog.register(Zone.IDENTIFIABLE, FeaturesTables.SERIES_TABLE);
    }
    return run.rejections(
        Undecodable.of(
            spark,
            instancePath,
            FeaturesTables.INSTANCE_TABLE,
            "decode_status",
            InstanceFeatures.UNDECODABLE,
            runId,
            undecodable[0]));
  }

  /** Series (column {@code s_uid}) with instance feature rows newer than their series row. */
  private Dataset<Row> staleSeries(String instancePath, String seriesPath) {
    if (!DeltaTable.isDeltaTable(spark, instancePath)) {
      return spark.emptyDataFrame().select(lit(null).cast("string").as("s_uid")).limit(0);
    }
    Dataset<Row> latest =
        spark
            .read()
            .format("delta")
            .load(instancePath)
            .groupBy(col(KeyColumns.SERIES).as("s_uid"))
            .agg(max("processed_time").as("instances_time"));
    if (!DeltaTable.isDeltaTable(spark, seriesPath)) {
      return latest.select("s_uid");
    }
    Dataset<Row> written =
        spark
            .read()
            .format("delta")
            .load(seriesPath)
            .select(col(KeyColumns.SERIES).as("w_uid"), col("processed_time").as("series_time"));
    return latest
        .join(written, latest.col("s_uid").equalTo(written.col("w_uid")), "left_outer")
        .where(col("w_uid").isNull().or(col("series_time").lt(col("instances_time"))))
        .select("s_uid");
  }

  /** Executor side: decode and compute features per instance. */
  static final class ComputeFeatures implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final int maxFrames;
    private final List<String> extractors;
    private final String runId;
    private final Timestamp now;

    ComputeFeatures(int maxFrames, List<String> extractors, String runId, Timestamp now) {
      this.maxFrames = maxFrames;
      this.extractors = extractors;
      this.runId = runId;
      this.now = now;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
      FeatureCalculator calculator =
          new FeatureCalculator(maxFrames, FeatureRegistry.select(new LinkedHashSet<>(extractors)));
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return input.hasNext();
        }

        @Override
        public Row next() {
          Row row = input.next();
          PixelDescriptor d = InstanceSource.descriptor(row);
          InstanceFeatures x = calculator.compute(d);
          return RowFactory.create(
              d.sopInstanceUid(),
              row.getAs("SeriesInstanceUID"),
              row.getAs("StudyInstanceUID"),
              row.getAs("Modality"),
              x.decodeStatus(),
              x.decodeReason(),
              d.transferSyntaxUid(),
              d.rows(),
              d.columns(),
              x.frames(),
              x.framesSampled(),
              d.samplesPerPixel(),
              d.bitsAllocated(),
              d.bitsStored(),
              d.photometricInterpretation(),
              x.pixelMin(),
              x.pixelMax(),
              x.pixelMean(),
              x.pixelStd(),
              x.histogram() == null
                  ? null
                  : Arrays.stream(x.histogram()).boxed().toArray(Long[]::new),
              x.backgroundFraction(),
              x.overlayCount(),
              CollectionConverters.asScala(new java.util.TreeMap<>(x.extra())),
              x.millis(),
              row.getAs("file_checksum"),
              runId,
              now);
        }
      };
    }
  }

  /** Executor side: series geometry from the member instances' headers. */
  static final class ComputeSeries implements MapGroupsFunction<String, Row, Row> {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final Timestamp now;

    ComputeSeries(String runId, Timestamp now) {
      this.runId = runId;
      this.now = now;
    }

    @Override
    public Row call(String series, Iterator<Row> members) {
      List<SeriesGeometry.Slice> slices = new ArrayList<>();
      String study = null;
      String modality = null;
      while (members.hasNext()) {
        Row r = members.next();
        study = study != null ? study : r.getAs("StudyInstanceUID");
        modality = modality != null ? modality : r.getAs("Modality");
        Integer frames = r.getAs("NumberOfFrames");
        slices.add(
            new SeriesGeometry.Slice(
                InstanceSource.numbers(r, "00200032"),
                InstanceSource.numbers(r, "00200037"),
                InstanceSource.string(r, "00180010"),
                frames == null ? 1 : frames));
      }
      SeriesGeometry.Result g = SeriesGeometry.compute(slices);
      return RowFactory.create(
          series,
          study,
          modality,
          g.instanceCount(),
          g.frameCount(),
          g.positionedInstances(),
          g.distinctPositions(),
          g.orientation(),
          g.spacingMean(),
          g.spacingStd(),
          g.spacingMin(),
          g.spacingMax(),
          g.spacingRegular(),
          g.maxRepeats(),
          g.repeatedVolume(),
          g.contrastAgentRecorded(),
          g.volumeInterpretation(),
          runId,
          now);
    }
  }
}
