package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Sha256;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.extract.tensor.SeriesVolumes;
import org.imaginglakehouse.extract.tensor.VolumePlan;

/**
 * {@code lakehouse tensors}: every series of an extraction becomes one ML-ready volume, an Arrow
 * IPC file under {@code <extraction>/tensors/modality=<M>/<series>.arrow} (docs/ml-ready.md), built
 * from the extraction's released DICOM files (so exactly the de-identified, redacted pixels; a
 * rejected image is not there). Executors read, order and write one series per task group; the
 * driver only sees one index row per volume, written to {@code project_<P>.volumes} and {@code
 * volumes.parquet}. A series with gaps becomes one volume per run of evenly spaced slices; a series
 * that is not a regular volume otherwise is listed {@code not_a_volume} with its reason. Then
 * verify runs (unless told not to), so the volume files are scanned before release.
 */
public final class TensorsJob extends ProjectJob<JobResult> {
  public static final String NAME = "tensors";

  /** Run {@code lakehouse verify} at the end (the volume files change what release may move). */
  public static final String OPTION_VERIFY = "verify";

  public static final boolean DEFAULT_VERIFY = true;

  public static final String VOLUMES = "volumes";
  public static final String VOLUMES_PARQUET = "volumes.parquet";
  public static final String VOLUME = "volume";
  public static final String NOT_A_VOLUME = "not_a_volume";

  static final StructType VOLUME_SCHEMA =
      new StructType()
          .add("PatientID", DataTypes.StringType, false)
          .add("StudyInstanceUID", DataTypes.StringType, false)
          .add("SeriesInstanceUID", DataTypes.StringType, false)
          .add("Modality", DataTypes.StringType, true)
          .add("StudyDate", DataTypes.StringType, true)
          .add("SeriesDate", DataTypes.StringType, true)
          .add("SeriesDescription", DataTypes.StringType, true)
          .add("BodyPartExamined", DataTypes.StringType, true)
          .add("status", DataTypes.StringType, false)
          .add("reason", DataTypes.StringType, true)
          .add("message", DataTypes.StringType, true)
          .add("path", DataTypes.StringType, true)
          .add("part", DataTypes.IntegerType, false)
          .add("parts", DataTypes.IntegerType, false)
          .add("instances", DataTypes.IntegerType, false)
          .add("slices", DataTypes.IntegerType, true)
          .add("rows", DataTypes.IntegerType, true)
          .add("columns", DataTypes.IntegerType, true)
          .add("channels", DataTypes.IntegerType, true)
          .add("dtype", DataTypes.StringType, true)
          .add("geometry", DataTypes.StringType, true)
          .add("slice_spacing_mm", DataTypes.DoubleType, true)
          .add("pixel_spacing_mm", DataTypes.createArrayType(DataTypes.DoubleType), true)
          .add("image_orientation_patient", DataTypes.createArrayType(DataTypes.DoubleType), true)
          .add("origin", DataTypes.createArrayType(DataTypes.DoubleType), true)
          .add("sha256", DataTypes.StringType, true)
          .add("size", DataTypes.LongType, true);

  public TensorsJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
  }

  public static TensorsJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return new TensorsJob(spark, config, JobOptions.of(config, NAME, options));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Map<String, String> runLogDetails() {
    resolveExtraction();
    return Map.of("extraction_id", extractionId);
  }

  @Override
  protected JobStatus run(RunContext run) {
    String project = projectName();
    openExtraction(new ExtractionState(spark, layout, project), extractionId, root, "tensors");
    run.count("leftovers_removed", ProjectFiles.removeLeftovers(root));
    Dataset<Row> files =
        spark
            .read()
            .format("delta")
            .load(layout.projectTable(project, ProjectTables.FILES))
            .where(col(ProjectTables.EXTRACTION_ID).equalTo(extractionId))
            .select(
                functions.regexp_extract(col("path"), "^(.*)/[^/]*$", 1).as("series"), col("path"));
    List<Row> index = run.time("write_volumes", () -> build(files).collectAsList());
    Map<String, Long> byReason = new TreeMap<>();
    Set<String> written = new HashSet<>();
    Set<String> series = new HashSet<>();
    Set<String> split = new HashSet<>();
    long bytes = 0;
    for (Row r : index) {
      series.add(r.getAs("SeriesInstanceUID"));
      if (r.isNullAt(r.fieldIndex("path"))) {
        byReason.merge(r.getAs("reason"), 1L, Long::sum);
      } else {
        written.add(r.getAs("path"));
        bytes += r.<Long>getAs("size");
        if (r.<Integer>getAs("parts") > 1) {
          split.add(r.getAs("SeriesInstanceUID"));
        }
      }
    }
    run.count("series", series.size());
    run.count("volumes", written.size());
    run.count("volume_bytes", bytes);
    run.count("series_split_at_gaps", split.size());
    run.count("not_a_volume", index.size() - written.size());
    byReason.forEach((reason, n) -> run.count("not_a_volume_" + reason, n));
    run.count("stale_removed", removeStale(written));
    run.time("record", () -> record(index));
    verifyAtEnd(run);
    return JobStatus.SUCCEEDED;
  }

  /** One index row per series; the volume files are written by the executors. */
  private Dataset<Row> build(Dataset<Row> files) {
    String extractionRoot = root;
    int tasks = (int) Math.max(1, 4L * spark.sparkContext().defaultParallelism());
    MapPartitionsFunction<Row, Row> write =
        rows -> {
          List<Row> out = new ArrayList<>();
          String series = null;
          List<String> paths = new ArrayList<>();
          while (rows.hasNext()) {
            Row r = rows.next();
            if (series != null && !series.equals(r.getString(0))) {
              out.addAll(volumes(extractionRoot, series, paths));
              paths = new ArrayList<>();
            }
            series = r.getString(0);
            paths.add(r.getString(1));
          }
          if (series != null) {
            out.addAll(volumes(extractionRoot, series, paths));
          }
          return out.iterator();
        };
    return files
        .repartition(tasks, col("series"))
        .sortWithinPartitions("series", "path")
        .mapPartitions(write, Encoders.row(VOLUME_SCHEMA));
  }

  /** Builds and writes one series' volumes (on an executor); their index rows. */
  static List<Row> volumes(String extractionRoot, String seriesPath, List<String> paths)
      throws IOException {
    String[] uids = seriesPath.split("/");
    FileSystem fs = ProjectFiles.fs(new Path(extractionRoot));
    List<Row> out = new ArrayList<>();
    for (SeriesVolumes.Outcome o :
        SeriesVolumes.build(
            uids[uids.length - 1], paths, p -> fs.open(new Path(extractionRoot + "/" + p)))) {
      out.add(row(extractionRoot, uids, o));
    }
    return out;
  }

  private static Row row(String extractionRoot, String[] uids, SeriesVolumes.Outcome o) {
    String sha256 = null;
    Long size = null;
    if (o.arrow() != null) {
      ProjectFiles.write(new Path(extractionRoot + "/" + o.relativePath()), o.arrow());
      sha256 = Sha256.hex(o.arrow());
      size = (long) o.arrow().length;
    }
    Map<String, String> m = o.metadata() == null ? Map.of() : o.metadata();
    VolumePlan p = o.plan();
    return RowFactory.create(
        uids[0],
        uids.length > 1 ? uids[1] : null,
        uids[uids.length - 1],
        m.get("Modality"),
        m.get("StudyDate"),
        m.get("SeriesDate"),
        m.get("SeriesDescription"),
        m.get("BodyPartExamined"),
        p == null ? NOT_A_VOLUME : VOLUME,
        o.reason(),
        o.message(),
        o.relativePath(),
        o.part(),
        o.parts(),
        o.instances(),
        p == null ? null : p.frames().size(),
        p == null ? null : p.rows(),
        p == null ? null : p.columns(),
        p == null ? null : p.channels(),
        p == null ? null : p.type().numpy(),
        p == null ? null : p.geometry(),
        p == null ? null : p.sliceSpacing(),
        p == null ? null : boxed(p.pixelSpacing()),
        p == null ? null : boxed(p.orientation()),
        p == null ? null : boxed(p.origin()),
        sha256,
        size);
  }

  /** An array column's value (the row encoder takes arrays, not Java lists). */
  private static Double[] boxed(double[] values) {
    if (values == null) {
      return null;
    }
    Double[] out = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** Removes volume files of an earlier run that this run did not write (a series gone). */
  private long removeStale(Set<String> written) {
    Path dir = new Path(root, SeriesVolumes.TENSORS_DIR);
    try {
      FileSystem fs = ProjectFiles.fs(dir);
      if (!fs.exists(dir)) {
        return 0;
      }
      long removed = 0;
      for (String f : ProjectFiles.relativeFiles(fs, dir)) {
        if (!written.contains(SeriesVolumes.TENSORS_DIR + "/" + f)) {
          fs.delete(new Path(dir, f), false);
          removed++;
        }
      }
      return removed;
    } catch (IOException e) {
      throw new LakehouseException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Replaces the extraction's rows of project_P.volumes, and writes volumes.parquet. */
  private void record(List<Row> index) {
    Dataset<Row> rows =
        spark
            .createDataFrame(index, VOLUME_SCHEMA)
            .withColumn(ProjectTables.EXTRACTION_ID, functions.lit(extractionId))
            .orderBy("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "part");
    String location = layout.projectTable(projectName(), VOLUMES);
    if (DeltaTable.isDeltaTable(spark, location)) {
      rows.write()
          .format("delta")
          .mode("overwrite")
          .option("replaceWhere", ProjectTables.EXTRACTION_ID + " = '" + extractionId + "'")
          .save(location);
    } else {
      rows.write().format("delta").mode("append").save(location);
    }
    try {
      ExtractionFiles.writeSingleFile(
          ProjectFiles.fs(new Path(root)),
          rows.drop(ProjectTables.EXTRACTION_ID),
          "parquet",
          new Path(root, VOLUMES_PARQUET));
    } catch (IOException e) {
      throw new LakehouseException("Cannot write " + VOLUMES_PARQUET + ": " + e.getMessage(), e);
    }
  }

  private void verifyAtEnd(RunContext run) {
    if (!options.getBoolean(OPTION_VERIFY, DEFAULT_VERIFY)) {
      return;
    }
    VerifyResult verified =
        run.time("verify", () -> VerifyJob.verify(spark, config, projectName(), extractionId));
    run.count("verify_errors", verified.count("errors"));
    run.count("verify_warnings", verified.count("warnings"));
  }

  @Override
  protected JobResult result(JobResult generic) {
    return generic;
  }
}
