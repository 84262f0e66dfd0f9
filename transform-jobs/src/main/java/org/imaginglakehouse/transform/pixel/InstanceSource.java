package org.imaginglakehouse.transform.pixel;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * Reads {@code identifiable.instances} (the ingest contract) for the pixel jobs: the pixel-module
 * columns, the PixelData location, and a small subset of the {@code header} array (window, rescale,
 * planar configuration, pixel spacing, overlays, geometry) as column {@code hdr}; and turns a row
 * into a {@link PixelDescriptor}.
 */
public final class InstanceSource {
  public static final String TABLE = "instances";

  /** Header tags the pixel jobs look up (top-level paths). */
  public static final List<String> HEADER_TAGS;

  static {
    List<String> tags = new ArrayList<>(PixelDescriptor.HEADER_TAGS);
    tags.addAll(Overlays.headerTags());
    tags.add("00200032"); // ImagePositionPatient
    tags.add("00200037"); // ImageOrientationPatient
    tags.add("00180010"); // ContrastBolusAgent
    HEADER_TAGS = List.copyOf(tags);
  }

  /** The instance columns the pixel jobs use. */
  public static final List<String> COLUMNS =
      List.of(
          "SOPInstanceUID",
          "SOPClassUID",
          "StudyInstanceUID",
          "SeriesInstanceUID",
          "PatientID",
          "PatientName",
          "PatientBirthDate",
          "AccessionNumber",
          "Modality",
          "ImageType",
          "BurnedInAnnotation",
          "TransferSyntaxUID",
          "Rows",
          "Columns",
          "NumberOfFrames",
          "SamplesPerPixel",
          "BitsAllocated",
          "BitsStored",
          "HighBit",
          "PixelRepresentation",
          "PhotometricInterpretation",
          "pixel_data_offset",
          "pixel_data_length",
          "pixel_data_vr",
          "file_path",
          "file_checksum");

  private InstanceSource() {}

  /** The instances with {@link #COLUMNS} and the header subset {@code hdr}. */
  public static Dataset<Row> read(SparkSession spark, ZoneLayout layout) {
    String path = layout.table(Zone.IDENTIFIABLE, TABLE);
    if (!DeltaTable.isDeltaTable(spark, path)) {
      throw new LakehouseException(
          "No identifiable.instances table at " + path + ": run `lakehouse ingest` first");
    }
    Dataset<Row> instances = spark.read().format("delta").load(path);
    List<Column> columns = new ArrayList<>();
    for (String c : COLUMNS) {
      columns.add(col(c));
    }
    String tags = HEADER_TAGS.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "));
    columns.add(
        expr("transform(filter(header, h -> h.path IN ("
                + tags
                + ")), h -> struct(h.path AS path, h.`values` AS `values`, h.`binary` AS"
                + " `binary`))")
            .as("hdr"));
    return instances.select(columns.toArray(new Column[0]));
  }

  /** The {@code hdr} column of a row as tag → value. */
  public static Map<String, Overlays.HeaderValue> header(Row row) {
    Map<String, Overlays.HeaderValue> out = new LinkedHashMap<>();
    int index = row.fieldIndex("hdr");
    if (row.isNullAt(index)) {
      return out;
    }
    List<Row> entries = row.getList(index);
    for (Row e : entries) {
      String path = e.getAs("path");
      List<String> values =
          e.isNullAt(e.fieldIndex("values")) ? null : e.getList(e.fieldIndex("values"));
      byte[] binary = e.getAs("binary");
      out.put(path, new Overlays.HeaderValue(values, binary));
    }
    return out;
  }

  /** The pixel descriptor of an instance row read by {@link #read}. */
  public static PixelDescriptor descriptor(Row row) {
    Map<String, Overlays.HeaderValue> header = header(row);
    Map<String, List<String>> values = new LinkedHashMap<>();
    header.forEach((k, v) -> values.put(k, v.values() == null ? List.of() : splitAll(v.values())));
    double[] slope = PixelDescriptor.numbers(values, "00281053");
    double[] intercept = PixelDescriptor.numbers(values, "00281052");
    double[] planar = PixelDescriptor.numbers(values, "00280006");
    return new PixelDescriptor(
        row.getAs("SOPInstanceUID"),
        row.getAs("file_path"),
        row.getAs("TransferSyntaxUID"),
        row.getAs("Rows"),
        row.getAs("Columns"),
        row.getAs("NumberOfFrames"),
        row.getAs("SamplesPerPixel"),
        row.getAs("BitsAllocated"),
        row.getAs("BitsStored"),
        row.getAs("HighBit"),
        row.getAs("PixelRepresentation"),
        row.getAs("PhotometricInterpretation"),
        planar.length == 0 ? 0 : (int) planar[0],
        row.getAs("pixel_data_offset"),
        row.getAs("pixel_data_length"),
        row.getAs("pixel_data_vr"),
        PixelDescriptor.numbers(values, "00281050"),
        PixelDescriptor.numbers(values, "00281051"),
        slope.length == 0 || slope[0] == 0 ? 1.0 : slope[0],
        intercept.length == 0 ? 0.0 : intercept[0],
        Overlays.fromHeader(header),
        PixelDescriptor.numbers(values, "00280030"));
  }

  /** Values as stored, with any backslash-joined multi-values split. */
  public static List<String> splitAll(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      if (v != null) {
        for (String part : v.split("\\\\")) {
          out.add(part);
        }
      }
    }
    return out;
  }

  /** Doubles of one header tag of a row ({@code hdr}), empty when absent. */
  public static double[] numbers(Row row, String tag) {
    Overlays.HeaderValue v = header(row).get(tag);
    if (v == null || v.values() == null) {
      return new double[0];
    }
    return PixelDescriptor.numbers(Map.of(tag, splitAll(v.values())), tag);
  }

  /** First string value of one header tag, or null. */
  public static String string(Row row, String tag) {
    Overlays.HeaderValue v = header(row).get(tag);
    if (v == null || v.values() == null || v.values().isEmpty()) {
      return null;
    }
    return v.values().get(0);
  }
}
