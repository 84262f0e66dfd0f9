package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.transform.ocr.OcrTables;

/**
 * The redaction's inputs and record. In: the boxes of the words {@code lakehouse ocr} read in each
 * image to redact ({@code identifiable.pixel_text}, pixels only: overlays are dropped whole). Out:
 * {@code project_<P>.redactions}, one row per redacted file (project SOP UID, path, the regions
 * blacked out, the signature rules that applied), read by verify (every redacted image is OCRed
 * again) and by the report (thumbnails with the regions outlined).
 */
final class Redactions {
  static final String TABLE = "redactions";

  /** Column of the images to redact: {@code x,y,w,h;...} boxes of the OCR words, or NULL. */
  static final String BOXES = "redact_boxes";

  /** Outcome column: the regions blacked out ({@link Region#format}), NULL when not redacted. */
  static final String REGIONS = "redacted_regions";

  /** Outcome column: the signature rules that applied, comma-separated. */
  static final String RULES = "redaction_rules";

  private Redactions() {}

  /** Adds {@link #BOXES} to the images marked {@link ExtractCandidates#REDACT}. */
  static Dataset<Row> withOcrBoxes(SparkSession spark, ZoneLayout layout, Dataset<Row> todo) {
    String text = layout.table(Zone.IDENTIFIABLE, OcrTables.TEXT_TABLE);
    if (!DeltaTable.isDeltaTable(spark, text)) {
      return todo.withColumn(BOXES, lit(null).cast("string"));
    }
    Dataset<Row> boxes =
        spark
            .read()
            .format("delta")
            .load(text)
            .where(col("source").equalTo("pixels"))
            .select(
                col("SOPInstanceUID").as("_box_sop"),
                functions
                    .concat_ws(
                        ",", col("box_left"), col("box_top"), col("box_width"), col("box_height"))
                    .as("_box"))
            .groupBy("_box_sop")
            .agg(
                functions
                    .concat_ws(";", functions.array_sort(functions.collect_set("_box")))
                    .as(BOXES));
    return todo.join(
            boxes,
            todo.col(ExtractCandidates.SOP)
                .equalTo(boxes.col("_box_sop"))
                .and(todo.col(ExtractCandidates.REDACT)),
            "left")
        .drop("_box_sop");
  }

  /** Records the redacted files of {@code outcomes} (merged on extraction and SOP UID). */
  static long record(
      SparkSession spark,
      ZoneLayout layout,
      String project,
      String extractionId,
      Dataset<Row> outcomes,
      RunContext run) {
    Dataset<Row> rows =
        outcomes
            .where(col("reason").isNull().and(col(REGIONS).isNotNull()))
            .select(
                lit(extractionId).as(ProjectTables.EXTRACTION_ID),
                col("SOPInstanceUID"),
                col("path"),
                col(REGIONS).as("regions"),
                col(RULES).as("rules"),
                lit(run.runId()).as("run_id"),
                functions.current_timestamp().as("recorded_at"));
    long n = rows.count();
    run.count("redacted", n);
    if (n == 0) {
      return 0;
    }
    String location = layout.projectTable(project, TABLE);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      rows.write().format("delta").mode("append").save(location);
    } else {
      DeltaTable.forPath(spark, location)
          .as("t")
          .merge(
              rows.as("s"),
              "t.extraction_id = s.extraction_id AND t.SOPInstanceUID = s.SOPInstanceUID")
          .whenMatched()
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    }
    return n;
  }

  /** Relative path → regions of the extraction's redacted files (empty when none). */
  static Map<String, List<Region>> read(
      SparkSession spark, ZoneLayout layout, String project, String extractionId) {
    Map<String, List<Region>> out = new LinkedHashMap<>();
    String location = layout.projectTable(project, TABLE);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return out;
    }
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(location)
            .where(col(ProjectTables.EXTRACTION_ID).equalTo(extractionId))
            .select("path", "regions")
            .orderBy("path")
            .collectAsList()) {
      out.put(r.getString(0), Region.parse(r.getString(1)));
    }
    return out;
  }
}
