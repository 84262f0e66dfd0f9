package org.imaginglakehouse.transform.promote;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Builds {@code identifiable.instances} rows exactly as the shared contract describes (typed
 * top-level columns plus the complete flattened header array), without DICOM files, for promote
 * tests and the benchmark harness.
 */
public final class Instances {
  public static final StructType HEADER_ENTRY =
      new StructType()
          .add("path", DataTypes.StringType)
          .add("tag", DataTypes.StringType)
          .add("keyword", DataTypes.StringType)
          .add("vr", DataTypes.StringType)
          .add("private_creator", DataTypes.StringType)
          .add("values", DataTypes.createArrayType(DataTypes.StringType))
          .add("binary", DataTypes.BinaryType);

  private static final String[] STRING_COLUMNS = {
    "SOPInstanceUID",
    "SOPClassUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "PatientID",
    "PatientName",
    "PatientBirthDate",
    "PatientSex",
    "PatientAge",
    "Modality",
    "StudyDate",
    "StudyTime",
    "SeriesDate",
    "SeriesTime",
    "AccessionNumber",
    "Manufacturer",
    "ManufacturerModelName",
    "InstitutionName"
  };
  private static final String[] STRING_COLUMNS_2 = {
    "BodyPartExamined",
    "StudyDescription",
    "SeriesDescription",
    "BurnedInAnnotation",
    "TransferSyntaxUID",
    "SpecificCharacterSet"
  };
  private static final String[] INT_COLUMNS = {
    "SeriesNumber",
    "InstanceNumber",
    "Rows",
    "Columns",
    "NumberOfFrames",
    "SamplesPerPixel",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation"
  };

  public static final StructType SCHEMA = schema();

  private static StructType schema() {
    StructType s = new StructType();
    for (String c : STRING_COLUMNS) {
      s = s.add(c, DataTypes.StringType);
    }
    s = s.add("ImageType", DataTypes.createArrayType(DataTypes.StringType));
    for (String c : STRING_COLUMNS_2) {
      s = s.add(c, DataTypes.StringType);
    }
    for (String c : INT_COLUMNS) {
      s = s.add(c, DataTypes.IntegerType);
    }
    return s.add("PhotometricInterpretation", DataTypes.StringType)
        .add("pixel_data_offset", DataTypes.LongType)
        .add("pixel_data_length", DataTypes.LongType)
        .add("pixel_data_vr", DataTypes.StringType)
        .add("file_path", DataTypes.StringType)
        .add("file_size", DataTypes.LongType)
        .add("file_modified", DataTypes.TimestampType)
        .add("file_checksum", DataTypes.StringType)
        .add("ingest_run_id", DataTypes.StringType)
        .add("ingest_time", DataTypes.TimestampType)
        .add("header", DataTypes.createArrayType(HEADER_ENTRY));
  }

  private Instances() {}

  /** One instance: attribute keyword → value(s); sequences as keyword → list of item maps. */
  public static final class Builder {
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private String checksum = "c0";

    public Builder set(String keyword, Object value) {
      attributes.put(keyword, value);
      return this;
    }

    public Builder checksum(String checksum) {
      this.checksum = checksum;
      return this;
    }

    public Object get(String keyword) {
      return attributes.get(keyword);
    }

    public Row row() {
      List<Object> values = new ArrayList<>();
      for (String c : STRING_COLUMNS) {
        values.add(text(attributes.get(c)));
      }
      Object imageType = attributes.get("ImageType");
      values.add(
          imageType == null
              ? null
              : CollectionConverters.asScala(List.of(text(imageType).split("\\\\"))).toSeq());
      for (String c : STRING_COLUMNS_2) {
        values.add(text(attributes.get(c)));
      }
      for (String c : INT_COLUMNS) {
        Object v = attributes.get(c);
        values.add(v == null ? null : Integer.valueOf(v.toString()));
      }
      values.add(text(attributes.get("PhotometricInterpretation")));
      values.add(1024L);
      values.add(512L);
      values.add("OW");
      String sop = text(attributes.get("SOPInstanceUID"));
      values.add("/pacs/2020/01/01/" + sop + ".dcm");
      values.add(2048L);
      values.add(Timestamp.valueOf("2020-01-01 00:00:00"));
      values.add(checksum);
      values.add("ingest-1");
      values.add(Timestamp.valueOf("2020-01-02 00:00:00"));
      List<Row> header = new ArrayList<>();
      flatten("", attributes, header);
      values.add(CollectionConverters.asScala(header).toSeq());
      return RowFactory.create(values.toArray());
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> attrs, List<Row> out) {
      for (Map.Entry<String, Object> e : attrs.entrySet()) {
        AttributeTag tag = DicomDictionary.StandardDictionary.getTagFromName(e.getKey());
        if (tag == null) {
          throw new IllegalArgumentException("not a keyword: " + e.getKey());
        }
        String hex = String.format(Locale.ROOT, "%04X%04X", tag.getGroup(), tag.getElement());
        String vr =
            new String(
                DicomDictionary.StandardDictionary.getValueRepresentationFromTag(tag),
                StandardCharsets.US_ASCII);
        String path = prefix + hex;
        Object v = e.getValue();
        if (v instanceof List<?> items && vr.equals("SQ")) {
          out.add(entry(path, hex, e.getKey(), vr, List.of(Integer.toString(items.size()))));
          for (int i = 0; i < items.size(); i++) {
            flatten(path + "[" + i + "].", (Map<String, Object>) items.get(i), out);
          }
        } else if (v != null) {
          out.add(entry(path, hex, e.getKey(), vr, List.of(text(v).split("\\\\", -1))));
        }
      }
    }

    private static Row entry(
        String path, String tag, String keyword, String vr, List<String> values) {
      return RowFactory.create(
          path, tag, keyword, vr, null, CollectionConverters.asScala(values).toSeq(), null);
    }

    private static String text(Object v) {
      return v == null ? null : v.toString();
    }
  }

  public static Builder instance() {
    return new Builder();
  }

  public static Dataset<Row> frame(SparkSession spark, List<Row> rows) {
    return spark.createDataFrame(rows, SCHEMA);
  }
}
