package org.imaginglakehouse.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The header functions over a registered {@code identifiable.instances} Delta table with the
 * contract's header column, queried by table name as {@code lakehouse sql} does.
 */
class HeaderFunctionsSqlTest extends SparkTestBase {
  static final StructType ENTRY =
      new StructType()
          .add("path", DataTypes.StringType)
          .add("tag", DataTypes.StringType)
          .add("keyword", DataTypes.StringType)
          .add("vr", DataTypes.StringType)
          .add("private_creator", DataTypes.StringType)
          .add("values", DataTypes.createArrayType(DataTypes.StringType))
          .add("binary", DataTypes.BinaryType);
  static final StructType SCHEMA =
      new StructType()
          .add("SOPInstanceUID", DataTypes.StringType)
          .add("header", DataTypes.createArrayType(ENTRY));

  static Row entry(String path, String keyword, String vr, String... values) {
    String[] parts = path.split("\\.");
    String tag = parts[parts.length - 1];
    return RowFactory.create(
        path, tag, keyword, vr, null, values == null ? null : Arrays.asList(values), null);
  }

  @BeforeAll
  static void createInstances() {
    LakehouseConfig config = newHomeConfig("header-home");
    ZoneLayout layout = ZoneLayout.from(config);
    Row first =
        RowFactory.create(
            "1.2.3.1",
            List.of(
                entry("00080008", "ImageType", "CS", "ORIGINAL", "PRIMARY", "AXIAL"),
                entry("00100010", "PatientName", "PN", "Doe^Jane"),
                entry("00181030", "ProtocolName", "LO", "T1 AX POST"),
                entry("00400275", "RequestAttributesSequence", "SQ", "2"),
                entry("00400275[0].00400009", "ScheduledProcedureStepID", "SH", "SPS-A"),
                entry("00400275[1].00400009", "ScheduledProcedureStepID", "SH", "SPS-B"),
                RowFactory.create(
                    "00091010", "00091010", null, "OB", "ACME 1", null, new byte[] {1})));
    Row second =
        RowFactory.create(
            "1.2.3.2", List.of(entry("00100010", "PatientName", "PN", "Roe^Richard")));
    spark()
        .createDataFrame(List.of(first, second), SCHEMA)
        .write()
        .format("delta")
        .mode("overwrite")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
    new ZoneCatalog(spark(), layout, Set.of(Zone.IDENTIFIABLE, Zone.DEIDENTIFIED)).registerAll();
  }

  @Test
  void readsAttributesByKeywordTagAndPath() {
    List<Row> rows =
        spark()
            .sql(
                "SELECT SOPInstanceUID,"
                    + " dicom_header_value(header, 'PatientName'),"
                    + " dicom_header_value(header, '(0018,1030)'),"
                    + " dicom_header_value(header, 'RequestAttributesSequence[1].ScheduledProcedureStepID'),"
                    + " dicom_header_values(header, 'RequestAttributesSequence[*].ScheduledProcedureStepID'),"
                    + " image_type_has(dicom_header_values(header, 'ImageType'), 'axial'),"
                    + " dicom_header_values(header, '00091010')"
                    + " FROM identifiable.instances ORDER BY SOPInstanceUID")
            .collectAsList();
    assertThat(rows).hasSize(2);
    Row a = rows.get(0);
    assertThat(a.getString(1)).isEqualTo("Doe^Jane");
    assertThat(a.getString(2)).isEqualTo("T1 AX POST");
    assertThat(a.getString(3)).isEqualTo("SPS-B");
    assertThat(a.<String>getList(4)).containsExactly("SPS-A", "SPS-B");
    assertThat(a.getBoolean(5)).isTrue();
    assertThat(a.<String>getList(6)).isEmpty(); // private binary element: present, no text values
    Row b = rows.get(1);
    assertThat(b.getString(1)).isEqualTo("Roe^Richard");
    assertThat(b.isNullAt(2)).isTrue();
    assertThat(b.isNullAt(4)).isTrue();
    assertThat(b.isNullAt(5)).isTrue();
  }

  @Test
  void keywordsAndTagsJoinTheHeader() {
    List<Row> rows =
        spark()
            .sql(
                "SELECT h.tag, dicom_keyword(h.tag) = h.keyword, dicom_vr(h.tag) = h.vr"
                    + " FROM identifiable.instances LATERAL VIEW explode(header) e AS h"
                    + " WHERE h.keyword IS NOT NULL AND h.path NOT LIKE '%.%'")
            .collectAsList();
    assertThat(rows).isNotEmpty();
    for (Row row : rows) {
      assertThat(row.getBoolean(1)).as(row.getString(0)).isTrue();
      assertThat(row.getBoolean(2)).as(row.getString(0)).isTrue();
    }
  }
}
