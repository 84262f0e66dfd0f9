package org.imaginglakehouse.transform.features;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;

import java.util.List;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.transform.pixel.KeyColumns;

/**
 * Schemas of {@code identifiable.pixel_features} and {@code identifiable.series_pixel_features}.
 * Columns carry metadata {@code promotable=true} when they hold nothing identifying and may be
 * copied into the de-identified inventory (UIDs are promoted only through the promote job's
 * pseudonymisation; reasons and checksums never).
 */
public final class FeaturesTables {
  public static final String INSTANCE_TABLE = "pixel_features";
  public static final String SERIES_TABLE = "series_pixel_features";

  private FeaturesTables() {}

  static StructField f(String name, org.apache.spark.sql.types.DataType type, boolean promotable) {
    Metadata m = new MetadataBuilder().putBoolean("promotable", promotable).build();
    return new StructField(name, type, true, m);
  }

  public static final StructType INSTANCE_SCHEMA =
      new StructType(
          new StructField[] {
            f(KeyColumns.SOP, StringType, false),
            f(KeyColumns.SERIES, StringType, false),
            f(KeyColumns.STUDY, StringType, false),
            f("modality", StringType, true),
            f("decode_status", StringType, true),
            f("decode_reason", StringType, false),
            f("transfer_syntax_uid", StringType, true),
            f("rows", IntegerType, true),
            f("columns", IntegerType, true),
            f("frames", IntegerType, true),
            f("frames_sampled", IntegerType, true),
            f("samples_per_pixel", IntegerType, true),
            f("bits_allocated", IntegerType, true),
            f("bits_stored", IntegerType, true),
            f("photometric_interpretation", StringType, true),
            f("pixel_min", DoubleType, true),
            f("pixel_max", DoubleType, true),
            f("pixel_mean", DoubleType, true),
            f("pixel_std", DoubleType, true),
            f("histogram", createArrayType(LongType, false), true),
            f("background_fraction", DoubleType, true),
            f("overlay_count", IntegerType, true),
            f("extra_features", createMapType(StringType, DoubleType, false), true),
            f("decode_ms", LongType, false),
            f("file_checksum", StringType, false),
            f("run_id", StringType, false),
            f("processed_time", TimestampType, false)
          });

  public static final StructType SERIES_SCHEMA =
      new StructType(
          new StructField[] {
            f(KeyColumns.SERIES, StringType, false),
            f(KeyColumns.STUDY, StringType, false),
            f("modality", StringType, true),
            f("instance_count", IntegerType, true),
            f("frame_count", LongType, true),
            f("positioned_instances", IntegerType, true),
            f("distinct_positions", IntegerType, true),
            f("orientation", StringType, true),
            f("slice_spacing_mean", DoubleType, true),
            f("slice_spacing_std", DoubleType, true),
            f("slice_spacing_min", DoubleType, true),
            f("slice_spacing_max", DoubleType, true),
            f("spacing_regular", BooleanType, true),
            f("max_position_repeats", IntegerType, true),
            f("repeated_volume", BooleanType, true),
            f("contrast_agent_recorded", BooleanType, true),
            f("volume_interpretation", StringType, true),
            f("run_id", StringType, false),
            f("processed_time", TimestampType, false)
          });

  /** Names of the promotable columns of a schema. */
  public static List<String> promotable(StructType schema) {
    return java.util.Arrays.stream(schema.fields())
        .filter(x -> x.metadata().contains("promotable") && x.metadata().getBoolean("promotable"))
        .map(StructField::name)
        .toList();
  }
}
