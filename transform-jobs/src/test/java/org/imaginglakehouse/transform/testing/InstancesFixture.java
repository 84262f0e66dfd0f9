package org.imaginglakehouse.transform.testing;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.transform.pixel.OverlayPlane;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * Writes an {@code identifiable.instances} table in the ingest contract's schema for files made by
 * {@link TestDicom}, until the ingest job is available to the tests (then the end-to-end test uses
 * the real one).
 */
public final class InstancesFixture {
  private InstancesFixture() {}

  public static final StructType HEADER_ENTRY =
      new StructType()
          .add("path", StringType)
          .add("tag", StringType)
          .add("keyword", StringType)
          .add("vr", StringType)
          .add("private_creator", StringType)
          .add("values", createArrayType(StringType))
          .add("binary", BinaryType);

  public static final StructType SCHEMA = schema();

  private static StructType schema() {
    List<StructField> fields = new ArrayList<>();
    for (String s :
        List.of(
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
            "InstitutionName")) {
      fields.add(new StructField(s, StringType, true, org.apache.spark.sql.types.Metadata.empty()));
    }
    StructType t = new StructType(fields.toArray(new StructField[0]));
    t = t.add("ImageType", createArrayType(StringType));
    for (String s :
        List.of(
            "BodyPartExamined",
            "StudyDescription",
            "SeriesDescription",
            "BurnedInAnnotation",
            "TransferSyntaxUID",
            "SpecificCharacterSet")) {
      t = t.add(s, StringType);
    }
    for (String s :
        List.of(
            "SeriesNumber",
            "InstanceNumber",
            "Rows",
            "Columns",
            "NumberOfFrames",
            "SamplesPerPixel",
            "BitsAllocated",
            "BitsStored",
            "HighBit",
            "PixelRepresentation")) {
      t = t.add(s, IntegerType);
    }
    return t.add("PhotometricInterpretation", StringType)
        .add("pixel_data_offset", LongType)
        .add("pixel_data_length", LongType)
        .add("pixel_data_vr", StringType)
        .add("file_path", StringType)
        .add("file_size", LongType)
        .add("file_modified", TimestampType)
        .add("file_checksum", StringType)
        .add("ingest_run_id", StringType)
        .add("ingest_time", TimestampType)
        .add("header", createArrayType(HEADER_ENTRY));
  }

  /** One instance: the descriptor of its file plus the patient/study facts. */
  public static final class Instance {
    public PixelDescriptor pixels;
    public String sopClass = "1.2.840.10008.5.1.4.1.1.2";
    public String study = "1.2.826.0.1.1";
    public String series = "1.2.826.0.1.1.1";
    public String modality = "CT";
    public List<String> imageType = List.of("ORIGINAL", "PRIMARY", "AXIAL");
    public String burnedIn;
    public String patientId = "0101701234";
    public String patientName = "DOE^JANE";
    public String birthDate = "19700101";
    public String accession = "ACC12345";
    public String checksum = "c1";
    public Map<String, List<String>> extraHeader = new LinkedHashMap<>();

    public Instance(PixelDescriptor pixels) {
      this.pixels = pixels;
    }
  }

  public static void write(SparkSession spark, String path, List<Instance> instances, String mode) {
    List<Row> rows = new ArrayList<>();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    for (Instance i : instances) {
      PixelDescriptor p = i.pixels;
      List<Row> header = new ArrayList<>();
      if (p.windowCentre().length > 0) {
        header.add(entry("00281050", "DS", List.of(Double.toString(p.windowCentre()[0])), null));
        header.add(entry("00281051", "DS", List.of(Double.toString(p.windowWidth()[0])), null));
      }
      for (OverlayPlane o : p.overlays()) {
        String g = String.format("%04X", o.group());
        header.add(entry(g + "0010", "US", List.of(Integer.toString(o.rows())), null));
        header.add(entry(g + "0011", "US", List.of(Integer.toString(o.columns())), null));
        header.add(entry(g + "0050", "SS", List.of("1", "1"), null));
        header.add(entry(g + "0100", "US", List.of(Integer.toString(o.bitsAllocated())), null));
        header.add(entry(g + "0102", "US", List.of(Integer.toString(o.bitPosition())), null));
        if (!o.embedded()) {
          header.add(entry(g + "3000", "OW", null, o.data()));
        }
      }
      i.extraHeader.forEach((tag, values) -> header.add(entry(tag, "DS", values, null)));
      rows.add(
          RowFactory.create(
              p.sopInstanceUid(),
              i.sopClass,
              i.study,
              i.series,
              i.patientId,
              i.patientName,
              i.birthDate,
              "F",
              "056Y",
              i.modality,
              "20240101",
              "120000",
              "20240101",
              "120000",
              i.accession,
              "ACME",
              "Model",
              "Hospital",
              i.imageType.toArray(new String[0]),
              "CHEST",
              "Study",
              "Series",
              i.burnedIn,
              p.transferSyntaxUid(),
              "ISO_IR 100",
              1,
              1,
              p.rows(),
              p.columns(),
              p.numberOfFrames(),
              p.samplesPerPixel(),
              p.bitsAllocated(),
              p.bitsStored(),
              p.highBit(),
              p.pixelRepresentation(),
              p.photometricInterpretation(),
              p.pixelDataOffset(),
              p.pixelDataLength(),
              p.pixelDataVr(),
              p.filePath(),
              0L,
              now,
              i.checksum,
              "ingest-run",
              now,
              header.toArray(new Row[0])));
    }
    spark.createDataFrame(rows, SCHEMA).write().format("delta").mode(mode).save(path);
  }

  static Row entry(String tag, String vr, List<String> values, byte[] binary) {
    return RowFactory.create(
        tag, tag, null, vr, null, values == null ? null : values.toArray(new String[0]), binary);
  }
}
