package org.imaginglakehouse.udfs;

import static org.imaginglakehouse.udfs.SqlFunction.Argument.HEADER;
import static org.imaginglakehouse.udfs.SqlFunction.Argument.STRING;
import static org.imaginglakehouse.udfs.SqlFunction.Argument.STRING_LIST;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;

/**
 * The one registry of analyst SQL functions. {@link LakehouseSqlExtensions} registers exactly these
 * in every session (including Spark Connect sessions); docs/sql-functions.md documents them, and
 * the tests run every example.
 */
public final class SqlFunctions {
  private SqlFunctions() {}

  @SuppressWarnings("unchecked")
  private static List<String> list(Object o) {
    return (List<String>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<List<String>> lists(Object o) {
    return (List<List<String>>) o;
  }

  public static final List<SqlFunction> ALL =
      List.of(
          new SqlFunction(
              "dicom_age_years",
              "dicom_age_years(as_string)",
              "Age String (AS: nnnD, nnnW, nnnM, nnnY) in years as a DOUBLE; months are twelfths,"
                  + " weeks and days use 365.2425 days per year.",
              "dicom_age_years('006M')",
              "0.5",
              DataTypes.DoubleType,
              List.of(STRING),
              a -> DicomValues.ageYears((String) a[0])),
          new SqlFunction(
              "dicom_date",
              "dicom_date(da)",
              "Date (DA: YYYYMMDD, or legacy YYYY.MM.DD) as a DATE; impossible dates are NULL.",
              "dicom_date('20200131')",
              "2020-01-31",
              DataTypes.DateType,
              List.of(STRING),
              a -> DicomValues.date((String) a[0])),
          new SqlFunction(
              "dicom_time",
              "dicom_time(tm)",
              "Time (TM: HH[MM[SS[.FFFFFF]]], or legacy HH:MM:SS) as an ISO-8601 STRING"
                  + " HH:MM:SS[.ffffff] (sorts correctly; fraction only when present).",
              "dicom_time('0930')",
              "09:30:00",
              DataTypes.StringType,
              List.of(STRING),
              a -> DicomValues.timeIso((String) a[0])),
          new SqlFunction(
              "dicom_datetime",
              "dicom_datetime(dt)",
              "Date Time (DT: YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]) as a TIMESTAMP; with a UTC"
                  + " offset converted to UTC, without one read as UTC wall-clock time.",
              "dicom_datetime('20200131093000.5+0100')",
              "2020-01-31 08:30:00.5",
              DataTypes.TimestampType,
              List.of(STRING),
              a -> DicomValues.dateTime((String) a[0])),
          new SqlFunction(
              "dicom_keyword",
              "dicom_keyword(tag)",
              "Data dictionary keyword of a tag (00100010, (0010,0010), 0010,0010 or 0x00100010);"
                  + " NULL for private or unknown tags.",
              "dicom_keyword('(0018,0087)')",
              "MagneticFieldStrength",
              DataTypes.StringType,
              List.of(STRING),
              a -> DicomTags.keyword((String) a[0])),
          new SqlFunction(
              "dicom_tag",
              "dicom_tag(keyword)",
              "Tag of a data dictionary keyword as 8 upper-case hex digits, the spelling of"
                  + " header.tag; case-sensitive, NULL if unknown.",
              "dicom_tag('PatientName')",
              "00100010",
              DataTypes.StringType,
              List.of(STRING),
              a -> DicomTags.tag((String) a[0])),
          new SqlFunction(
              "dicom_vr",
              "dicom_vr(keyword_or_tag)",
              "Value representation of a keyword or tag from the data dictionary.",
              "dicom_vr('PatientAge')",
              "AS",
              DataTypes.StringType,
              List.of(STRING),
              a -> DicomTags.vr((String) a[0])),
          new SqlFunction(
              "normalise_body_part",
              "normalise_body_part(text)",
              "Free-text body part or description to a DICOM Body Part Examined defined term"
                  + " (BRAIN, HEAD, CHEST, LSPINE, CHESTABDPELVIS, ...); NULL if none recognised.",
              "normalise_body_part('MRI Head & Neck')",
              "HEADNECK",
              DataTypes.StringType,
              List.of(STRING),
              a -> BodyParts.normalise((String) a[0])),
          new SqlFunction(
              "image_type_has",
              "image_type_has(image_type, token)",
              "Whether Image Type (ARRAY<STRING>, or one backslash-separated string) contains"
                  + " token, trimmed and case-insensitive; NULL when image_type is NULL.",
              "image_type_has(array('ORIGINAL', 'PRIMARY', 'AXIAL'), 'primary')",
              "true",
              DataTypes.BooleanType,
              List.of(STRING_LIST, STRING),
              a -> ImageTypes.has(list(a[0]), (String) a[1])),
          new SqlFunction(
              "dicom_header_value",
              "dicom_header_value(header, keyword_or_path)",
              "Value of any attribute of the complete header (column header of"
                  + " identifiable.instances, the only table that has it) by keyword, tag or"
                  + " path such as RequestAttributesSequence[0].ScheduledProcedureStepID;"
                  + " multiple values joined with a backslash; NULL when absent or empty.",
              "dicom_header_value(array(named_struct('path', '00100010', 'values',"
                  + " array('Doe^Jane'))), 'PatientName')",
              "Doe^Jane",
              DataTypes.StringType,
              List.of(HEADER, STRING),
              a -> HeaderPath.value(list(a[0]), lists(a[1]), (String) a[2])),
          new SqlFunction(
              "dicom_header_values",
              "dicom_header_values(header, keyword_or_path)",
              "All values of every header entry addressed by keyword, tag or path, in header"
                  + " order, as ARRAY<STRING>; sequence items without an index or with [*] match"
                  + " any item. NULL when absent, empty array when present without values.",
              "dicom_header_values(array(named_struct('path', '00080008', 'values',"
                  + " array('ORIGINAL', 'PRIMARY'))), 'ImageType')",
              "[\"ORIGINAL\",\"PRIMARY\"]",
              DataTypes.createArrayType(DataTypes.StringType),
              List.of(HEADER, STRING),
              a -> HeaderPath.values(list(a[0]), lists(a[1]), (String) a[2])));
}
