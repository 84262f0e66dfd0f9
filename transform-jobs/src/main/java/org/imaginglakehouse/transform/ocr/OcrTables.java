package org.imaginglakehouse.transform.ocr;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.transform.pixel.KeyColumns;

/**
 * Schemas of {@code identifiable.pixel_text} (every word read, identifiable: it is text from the
 * image) and {@code identifiable.pixel_text_flags} (one row per instance; columns with metadata
 * {@code promotable=true} carry no text content and may go to the de-identified image inventory).
 */
public final class OcrTables {
  public static final String TEXT_TABLE = "pixel_text";
  public static final String FLAGS_TABLE = "pixel_text_flags";

  /** Flags column holding {@link OcrSettings#fingerprint()} of the run that wrote the row. */
  public static final String OCR_SETTINGS = "ocr_settings";

  private OcrTables() {}

  static StructField f(String name, DataType type, boolean promotable) {
    Metadata m = new MetadataBuilder().putBoolean("promotable", promotable).build();
    return new StructField(name, type, true, m);
  }

  public static final StructType WORD =
      new StructType(
          new StructField[] {
            f("source", StringType, false),
            f("frame", IntegerType, false),
            f("pass", StringType, false),
            f("word_index", IntegerType, false),
            f("line", IntegerType, false),
            f("word", StringType, false),
            f("confidence", FloatType, false),
            f("box_left", IntegerType, false),
            f("box_top", IntegerType, false),
            f("box_width", IntegerType, false),
            f("box_height", IntegerType, false)
          });

  public static final StructType FLAGS_SCHEMA =
      new StructType(
          new StructField[] {
            f(KeyColumns.SOP, StringType, false),
            f(KeyColumns.SERIES, StringType, false),
            f(KeyColumns.STUDY, StringType, false),
            f("modality", StringType, true),
            f("ocr_status", StringType, true),
            f("status_reason", StringType, false),
            f("policy_rule", StringType, true),
            f("frames_total", IntegerType, true),
            f("frames_ocr", IntegerType, true),
            f("overlays_ocr", IntegerType, true),
            f("tesseract_calls", IntegerType, true),
            f("word_count", IntegerType, true),
            f("text_word_count", IntegerType, true),
            f("max_confidence", FloatType, true),
            f("has_burned_in_text", BooleanType, true),
            f("matches_patient_identity", BooleanType, true),
            f("matched_identity", createArrayType(StringType, false), true),
            f("ocr_ms", LongType, false),
            f("file_checksum", StringType, false),
            f(OCR_SETTINGS, StringType, false),
            f("run_id", StringType, false),
            f("processed_time", TimestampType, false)
          });

  /** Flags plus the words, as produced on the executors before splitting into the two tables. */
  public static final StructType OUTCOME_SCHEMA =
      FLAGS_SCHEMA.add(f("words", createArrayType(WORD, false), false));

  public static final StructType TEXT_SCHEMA =
      new StructType(
          new StructField[] {
            f(KeyColumns.SOP, StringType, false),
            f("source", StringType, false),
            f("frame", IntegerType, false),
            f("pass", StringType, false),
            f("word_index", IntegerType, false),
            f("line", IntegerType, false),
            f("word", StringType, false),
            f("confidence", FloatType, false),
            f("box_left", IntegerType, false),
            f("box_top", IntegerType, false),
            f("box_width", IntegerType, false),
            f("box_height", IntegerType, false),
            f("run_id", StringType, false),
            f("processed_time", TimestampType, false)
          });
}
