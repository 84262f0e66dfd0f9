package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.zone.Zone;

/**
 * What an extraction carries beside its images, in the project zone and as files: its metadata
 * ({@code project_<P>.metadata}, {@code metadata.csv}, {@code metadata.parquet}), the project's
 * linked datasets ({@code linked_<dataset>}) and the manifest of every file with its SHA-256
 * ({@code MANIFEST.sha256}). Values as the project receives them: UIDs the project's, dates shifted
 * per patient, keyed by the project's PatientID. Table access through {@link ProjectTables}.
 */
final class ExtractionMetadata {
  private final ProjectTables t;

  ExtractionMetadata(ProjectTables tables) {
    this.t = tables;
  }

  /** Whether the extraction's manifest exists (else it is written even when nothing is new). */
  static boolean releaseFilesExist(String extractionRoot) {
    return ProjectFiles.exists(new Path(extractionRoot + "/" + ProjectTables.MANIFEST));
  }

  /**
   * The extraction's metadata (table, CSV, Parquet) for every file in {@code files}, then the
   * manifest of every file with its SHA-256.
   */
  void writeMetadataAndManifest(
      Dataset<Row> accepted, Dataset<Row> image, ProjectConfig config, String extractionRoot) {
    if (!t.exists(ProjectTables.FILES)) {
      return; // every accepted instance failed when written (e.g. refused by the redaction)
    }
    // Read once for the metadata's join and the manifest's checksums.
    Dataset<Row> written =
        t.read(ProjectTables.FILES)
            .where(t.thisExtraction())
            .select("SOPInstanceUID", "path", "sha256")
            .persist();
    try {
      writeMetadataAndManifest(written, accepted, image, config, extractionRoot);
    } finally {
      written.unpersist();
    }
  }

  private void writeMetadataAndManifest(
      Dataset<Row> written,
      Dataset<Row> accepted,
      Dataset<Row> image,
      ProjectConfig config,
      String extractionRoot) {
    Dataset<Row> files = written.select("SOPInstanceUID", "path");
    Dataset<Row> keyed = accepted.withColumn("_new_sop", t.uid.apply(col("SOPInstanceUID")));
    Dataset<Row> joined =
        keyed.join(files, keyed.col("_new_sop").equalTo(files.col("SOPInstanceUID")), "inner");
    List<Column> select = new ArrayList<>();
    select.add(lit(t.extractionId).as(ProjectTables.EXTRACTION_ID));
    select.add(t.patient.apply(keyed.col("eupi")).as("PatientID"));
    select.add(t.uid.apply(keyed.col("StudyInstanceUID")).as("StudyInstanceUID"));
    select.add(t.uid.apply(keyed.col("SeriesInstanceUID")).as("SeriesInstanceUID"));
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
      fromStudy.add(col("StudyInstanceUID").as(ProjectTables.STUDY_KEY));
      studyColumns.forEach(
          c -> fromStudy.add(col("`" + c + "`").as(ProjectTables.STUDY_PREFIX + c)));
      studies = study.select(fromStudy.toArray(Column[]::new));
      joined =
          joined.join(
              studies,
              keyed.col("StudyInstanceUID").equalTo(studies.col(ProjectTables.STUDY_KEY)),
              "left");
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
                    studies.col(ProjectTables.STUDY_PREFIX + name),
                    study.schema().apply(name),
                    keyed.col("eupi"))
                .as(name));
      }
    }
    // Computed once (keyed hashes of every row) for the table and both files; the table is not
    // read back.
    Dataset<Row> metadata = joined.select(select.toArray(Column[]::new)).persist();
    try {
      t.replace(ProjectTables.METADATA, metadata);
      writeMetadataFiles(
          ExtractionFiles.sortedInOnePartition(
              metadata.drop(ProjectTables.EXTRACTION_ID), col("path")),
          written,
          accepted,
          config,
          extractionRoot);
    } finally {
      metadata.unpersist();
    }
  }

  private void writeMetadataFiles(
      Dataset<Row> stored,
      Dataset<Row> written,
      Dataset<Row> accepted,
      ProjectConfig config,
      String extractionRoot) {
    try {
      FileSystem fs = ProjectFiles.fs(new Path(extractionRoot));
      ExtractionFiles.writeSingleFile(
          fs, stored, "parquet", new Path(extractionRoot, ProjectTables.METADATA_PARQUET));
      ExtractionFiles.writeSingleFile(
          fs,
          ExtractionFiles.csvReady(stored),
          "csv",
          new Path(extractionRoot, ProjectTables.METADATA_CSV));
      for (String dataset : config.linkedColumns().keySet()) {
        writeLinked(fs, dataset, config.linkedColumns().get(dataset), accepted, extractionRoot);
      }
      writeManifest(fs, written, extractionRoot, linkedFiles(config));
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot write the metadata and manifest of extraction " + t.extractionId + ": " + e, e);
    }
  }

  /**
   * A value as the project receives it: dates and timestamps shifted by the patient's keyed offset
   * (the same as in the images), UIDs mapped to the project's UIDs.
   */
  private Column released(Column c, StructField field, Column eupi) {
    if (field.dataType() instanceof DateType) {
      return functions.date_add(c, t.dayShift.apply(eupi));
    }
    if (field.dataType() instanceof TimestampType) {
      return c.plus(
          functions.make_interval(
              lit(0), lit(0), lit(0), t.dayShift.apply(eupi), lit(0), lit(0), lit(0)));
    }
    if (field.name().endsWith("UID") && field.dataType().equals(DataTypes.StringType)) {
      return t.uid.apply(c);
    }
    return c;
  }

  /** The files of the project's linked datasets beside metadata.csv, by name. */
  static List<String> linkedFiles(ProjectConfig config) {
    List<String> out = new ArrayList<>();
    for (String dataset : config.linkedColumns().keySet()) {
      out.add(ProjectTables.LINKED_PREFIX + dataset + ".csv");
      out.add(ProjectTables.LINKED_PREFIX + dataset + ".parquet");
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
    select.add(lit(t.extractionId).as(ProjectTables.EXTRACTION_ID));
    select.add(t.patient.apply(col("eupi")).as("PatientID"));
    for (String c : columns) {
      select.add(released(col("`" + c + "`"), linked.schema().apply(c), col("eupi")).as(c));
    }
    String table = ProjectTables.LINKED_PREFIX + dataset;
    t.replace(table, rows.select(select.toArray(Column[]::new)));
    Dataset<Row> stored = t.read(table).where(t.thisExtraction()).drop(ProjectTables.EXTRACTION_ID);
    stored =
        ExtractionFiles.sortedInOnePartition(
            stored,
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
    String location = t.layout.table(Zone.DEIDENTIFIED, dataset);
    if (!DeltaTable.isDeltaTable(t.spark, location)) {
      throw new LakehouseException(
          "The project file asks for linked dataset '"
              + dataset
              + "', but deidentified."
              + dataset
              + " does not exist: run `lakehouse link --dataset "
              + dataset
              + "` first, or remove it from `linked:`");
    }
    Dataset<Row> linked = t.spark.read().format("delta").load(location);
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
    String location = t.layout.table(Zone.DEIDENTIFIED, ProjectTables.STUDY);
    return DeltaTable.isDeltaTable(t.spark, location)
        ? t.spark.read().format("delta").load(location)
        : null;
  }

  private static boolean isKey(String name) {
    return List.of("eupi", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
        .contains(name);
  }

  private static void writeManifest(
      FileSystem fs, Dataset<Row> written, String extractionRoot, List<String> linked)
      throws IOException {
    TreeMap<String, String> lines = new TreeMap<>();
    // One job (toLocalIterator ran one per partition of the table).
    for (Row r : written.select("path", "sha256").collectAsList()) {
      lines.put(r.getString(0), r.getString(1));
    }
    List<String> beside =
        new ArrayList<>(List.of(ProjectTables.METADATA_CSV, ProjectTables.METADATA_PARQUET));
    beside.addAll(linked);
    for (String name : beside) {
      lines.put(name, ExtractionFiles.sha256(fs, new Path(extractionRoot, name)));
    }
    StringBuilder out = new StringBuilder();
    // sha256sum's format: `sha256sum -c ProjectTables.MANIFEST.sha256` in the extraction checks
    // every file.
    lines.forEach((path, sum) -> out.append(sum).append("  ").append(path).append('\n'));
    ProjectFiles.write(
        new Path(extractionRoot, ProjectTables.MANIFEST),
        out.toString().getBytes(StandardCharsets.UTF_8));
  }
}
