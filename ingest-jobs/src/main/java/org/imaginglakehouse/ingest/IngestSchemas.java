package org.imaginglakehouse.ingest;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;

/** Schemas of the ingest tables (see docs/ingest.md for the contract of each column). */
public final class IngestSchemas {
  public static final String INSTANCES = "instances";
  public static final String INGEST_ERRORS = "ingest_errors";
  public static final String FILE_INDEX = "file_index";

  /** Element of the {@code header} column: one flattened attribute. */
  public static final StructType HEADER_ENTRY =
      new StructType()
          .add("path", DataTypes.StringType, true)
          .add("tag", DataTypes.StringType, true)
          .add("keyword", DataTypes.StringType, true)
          .add("vr", DataTypes.StringType, true)
          .add("private_creator", DataTypes.StringType, true)
          .add("values", DataTypes.createArrayType(DataTypes.StringType, true), true)
          .add("binary", DataTypes.BinaryType, true);

  public static final ArrayType HEADER_TYPE = DataTypes.createArrayType(HEADER_ENTRY, true);

  /** {@code identifiable.instances}. */
  public static final StructType INSTANCES_SCHEMA = instances();

  /** {@code identifiable.ingest_errors}: one row per quarantined file (latest outcome). */
  public static final StructType ERRORS_SCHEMA =
      new StructType()
          .add("file_path", DataTypes.StringType, false)
          .add("archive_path", DataTypes.StringType, true)
          .add("archive_entry", DataTypes.StringType, true)
          .add("file_size", DataTypes.LongType, true)
          .add("file_modified", DataTypes.TimestampType, true)
          .add("error_class", DataTypes.StringType, false)
          .add("message", DataTypes.StringType, true)
          .add("SOPInstanceUID", DataTypes.StringType, true)
          .add("duplicate_of", DataTypes.StringType, true)
          .add("run_id", DataTypes.StringType, false)
          .add("recorded_at", DataTypes.TimestampType, false);

  /** {@code identifiable.file_index}: every input file seen, with its change signature. */
  public static final StructType FILE_INDEX_SCHEMA =
      new StructType()
          .add("file_path", DataTypes.StringType, false)
          .add("archive_path", DataTypes.StringType, true)
          .add("file_size", DataTypes.LongType, true)
          .add("file_modified", DataTypes.TimestampType, true)
          .add("container_size", DataTypes.LongType, true)
          .add("container_modified", DataTypes.TimestampType, true)
          .add("file_checksum", DataTypes.StringType, true)
          .add("status", DataTypes.StringType, false)
          .add("error_class", DataTypes.StringType, true)
          .add("SOPInstanceUID", DataTypes.StringType, true)
          .add("run_id", DataTypes.StringType, false)
          .add("indexed_at", DataTypes.TimestampType, false);

  private IngestSchemas() {}

  /**
   * Parquet column paths of the {@code header} leaves, as Spark writes them (three-level lists:
   * {@code header.list.element.vr}, {@code header.list.element.values.list.element}).
   */
  public static List<String> headerLeafPaths() {
    List<String> out = new ArrayList<>();
    for (String field : HEADER_ENTRY.fieldNames()) {
      out.add(headerLeafPath(field));
    }
    return out;
  }

  /** Parquet column path of one field of {@link #HEADER_ENTRY}. */
  public static String headerLeafPath(String field) {
    String path = "header.list.element." + field;
    return HEADER_ENTRY.apply(field).dataType() instanceof ArrayType
        ? path + ".list.element"
        : path;
  }

  private static StructType instances() {
    StructType s = new StructType();
    for (String k : ParsedHeader.STRING_KEYWORDS) {
      if (!k.equals("PhotometricInterpretation")) {
        s = s.add(k, DataTypes.StringType, !k.equals("SOPInstanceUID"));
      }
    }
    s = s.add("ImageType", DataTypes.createArrayType(DataTypes.StringType, true), true);
    for (String k : ParsedHeader.INT_KEYWORDS) {
      s = s.add(k, DataTypes.IntegerType, true);
    }
    s =
        s.add("PhotometricInterpretation", DataTypes.StringType, true)
            .add("pixel_data_offset", DataTypes.LongType, true)
            .add("pixel_data_length", DataTypes.LongType, true)
            .add("pixel_data_vr", DataTypes.StringType, true)
            .add("header_length", DataTypes.LongType, true)
            .add("file_path", DataTypes.StringType, false)
            .add("file_size", DataTypes.LongType, true)
            .add("file_modified", DataTypes.TimestampType, true)
            .add("file_checksum", DataTypes.StringType, true)
            .add("ingest_run_id", DataTypes.StringType, false)
            .add("ingest_time", DataTypes.TimestampType, false)
            .add("header", HEADER_TYPE, true);
    return s;
  }
}
