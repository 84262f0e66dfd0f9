package org.imaginglakehouse.transform.promote;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF5;
import org.apache.spark.sql.types.DataTypes;
import org.imaginglakehouse.schemas.inventory.DicomValues;
import org.imaginglakehouse.schemas.inventory.PromotionSpec;
import org.imaginglakehouse.schemas.inventory.Tokens;
import org.imaginglakehouse.schemas.inventory.ValueType;

/**
 * The SQL functions promote uses, registered per session: thin wrappers around the plain-Java
 * parsers in {@link DicomValues} so that Spark and the unit tests apply exactly the same rules.
 */
final class PromoteFunctions {
  static final String DATE = "promote_da";
  static final String TIME = "promote_tm";
  static final String TIMESTAMP = "promote_dt";
  static final String DOUBLE = "promote_ds";
  static final String INT = "promote_is";
  static final String BIGINT = "promote_ul";
  static final String AGE_YEARS = "promote_age_years";
  static final String AGE_UNIT = "promote_age_unit";
  static final String AGE_AT_STUDY = "promote_age_at_study";
  static final String NORMALISE = "promote_normalise";
  static final String HEALTH_BOARD = "promote_health_board";
  static final String SCRUB = "promote_scrub_identity";

  private PromoteFunctions() {}

  static void register(SparkSession spark, PromotionSpec spec) {
    var udf = spark.udf();
    udf.register(
        DATE,
        (UDF1<String, Date>)
            s -> {
              LocalDate d = DicomValues.parseDate(s);
              return d == null ? null : Date.valueOf(d);
            },
        DataTypes.DateType);
    udf.register(TIME, (UDF1<String, String>) DicomValues::parseTime, DataTypes.StringType);
    udf.register(
        TIMESTAMP,
        (UDF1<String, Timestamp>)
            s -> {
              LocalDateTime t = DicomValues.parseDateTime(s);
              return t == null ? null : Timestamp.valueOf(t);
            },
        DataTypes.TimestampType);
    udf.register(DOUBLE, (UDF1<String, Double>) DicomValues::parseDouble, DataTypes.DoubleType);
    udf.register(INT, (UDF1<String, Integer>) DicomValues::parseInt, DataTypes.IntegerType);
    udf.register(BIGINT, (UDF1<String, Long>) DicomValues::parseLong, DataTypes.LongType);
    udf.register(
        AGE_YEARS,
        (UDF1<String, Double>)
            s -> {
              DicomValues.Age a = DicomValues.parseAge(s);
              return a == null ? null : a.years();
            },
        DataTypes.DoubleType);
    udf.register(
        AGE_UNIT,
        (UDF1<String, String>)
            s -> {
              DicomValues.Age a = DicomValues.parseAge(s);
              return a == null ? null : a.unitName();
            },
        DataTypes.StringType);
    udf.register(
        AGE_AT_STUDY,
        (UDF3<String, String, String, Integer>) PromoteFunctions::ageAtStudy,
        DataTypes.IntegerType);
    Tokens tokens = spec.tokens();
    udf.register(NORMALISE, (UDF1<String, String>) tokens::normalise, DataTypes.StringType);
    udf.register(
        SCRUB,
        (UDF5<String, String, String, String, String, String>) IdentityScrubber::scrub,
        DataTypes.StringType);
    Map<String, String> boards = new java.util.TreeMap<>(spec.healthBoards());
    udf.register(
        HEALTH_BOARD,
        (UDF1<String, String>) s -> s == null ? null : boards.get(PromotionSpec.institutionKey(s)),
        DataTypes.StringType);
  }

  /** Whole years: from a valid PatientAge, else birth date → study date. */
  static Integer ageAtStudy(String patientAge, String birthDate, String studyDate) {
    DicomValues.Age age = DicomValues.parseAge(patientAge);
    if (age != null) {
      return (int) Math.floor(age.years());
    }
    return DicomValues.ageAtStudy(
        DicomValues.parseDate(birthDate), DicomValues.parseDate(studyDate));
  }

  /** The parse function for a value type, or null for strings. */
  static String parser(ValueType type) {
    return switch (type) {
      case DATE -> DATE;
      case TIME -> TIME;
      case TIMESTAMP -> TIMESTAMP;
      case DOUBLE -> DOUBLE;
      case INT -> INT;
      case BIGINT -> BIGINT;
      case STRING, BOOLEAN -> null;
    };
  }
}
