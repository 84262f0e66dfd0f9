package org.imaginglakehouse.transform.promote;

import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.UDFRegistration;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF5;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.imaginglakehouse.schemas.inventory.DicomValues;
import org.imaginglakehouse.schemas.inventory.PromotionSpec;
import org.imaginglakehouse.schemas.inventory.Tokens;
import org.imaginglakehouse.schemas.inventory.ValueType;
import scala.collection.Iterator;
import scala.collection.Seq;

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
  static final String HEADER_POSITIONS = "promote_header_positions";

  /** Suffix of a parser's element-wise form: array of raw strings → array of typed values. */
  static final String ARRAY = "_array";

  /** Suffix of a parser's check: true when some non-blank element does not parse. */
  static final String ANY_MALFORMED = "_any_malformed";

  static final String TRIM_ARRAY = "promote_trim_array";
  static final String UPPER_TRIM_ARRAY = "promote_upper_trim_array";
  static final String NORMALISE_ARRAY = "promote_normalise_array";
  static final String SCRUB_ARRAY = "promote_scrub_identity_array";

  private PromoteFunctions() {}

  /** A function Spark can ship to executors inside a UDF. */
  interface Fn<A, B> extends Function<A, B>, Serializable {}

  static void register(SparkSession spark, PromotionSpec spec) {
    var udf = spark.udf();
    // Each parser in three forms: scalar, element-wise over an array, and the array's malformed
    // check. The array forms replace SQL lambdas (transform/exists), which Spark evaluates
    // interpreted and which keep it from compiling the row pipeline into one stage.
    registerParser(
        udf,
        DATE,
        x -> {
          LocalDate d = DicomValues.parseDate(x);
          return d == null ? null : Date.valueOf(d);
        },
        DataTypes.DateType);
    registerParser(udf, TIME, DicomValues::parseTime, DataTypes.StringType);
    registerParser(
        udf,
        TIMESTAMP,
        x -> {
          LocalDateTime t = DicomValues.parseDateTime(x);
          return t == null ? null : Timestamp.valueOf(t);
        },
        DataTypes.TimestampType);
    registerParser(udf, DOUBLE, DicomValues::parseDouble, DataTypes.DoubleType);
    registerParser(udf, INT, DicomValues::parseInt, DataTypes.IntegerType);
    registerParser(udf, BIGINT, DicomValues::parseLong, DataTypes.LongType);
    registerStringArray(udf, TRIM_ARRAY, PromoteFunctions::trimToNull);
    registerStringArray(
        udf, UPPER_TRIM_ARRAY, x -> x == null ? null : sqlTrim(x).toUpperCase(Locale.ROOT));
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
    registerStringArray(udf, NORMALISE_ARRAY, tokens::normalise);
    udf.register(
        SCRUB_ARRAY,
        (UDF5<Seq<String>, String, String, String, String, List<String>>)
            (a, name, id, birthDate, accession) ->
                map(a, x -> IdentityScrubber.scrub(x, name, id, birthDate, accession)),
        DataTypes.createArrayType(DataTypes.StringType));
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

  private static void registerStringArray(UDFRegistration udf, String name, Fn<String, String> f) {
    udf.register(
        name,
        (UDF1<Seq<String>, List<String>>) a -> map(a, f),
        DataTypes.createArrayType(DataTypes.StringType));
  }

  private static void registerParser(
      UDFRegistration udf, String name, Fn<String, Object> parse, DataType type) {
    udf.register(name, (UDF1<String, Object>) parse::apply, type);
    udf.register(
        name + ARRAY,
        (UDF1<Seq<String>, List<Object>>) a -> map(a, parse),
        DataTypes.createArrayType(type));
    udf.register(
        name + ANY_MALFORMED,
        (UDF1<Seq<String>, Boolean>) a -> anyMalformed(a, parse),
        DataTypes.BooleanType);
  }

  /** {@code f} applied to each element (null array → null), as {@code transform(a, x -> f(x))}. */
  static <T> List<T> map(Seq<String> values, Fn<String, T> f) {
    if (values == null) {
      return null;
    }
    List<T> out = new ArrayList<>(values.size());
    Iterator<String> it = values.iterator();
    while (it.hasNext()) {
      out.add(f.apply(it.next()));
    }
    return out;
  }

  /**
   * Whether an element holds text that {@code parse} rejects; null for a null array (as {@code
   * exists(a, x -> trim(x) <> '' AND parse(x) IS NULL)} when no element matches).
   */
  static Boolean anyMalformed(Seq<String> values, Fn<String, ?> parse) {
    if (values == null) {
      return null;
    }
    Iterator<String> it = values.iterator();
    boolean unknown = false;
    while (it.hasNext()) {
      String x = it.next();
      if (x == null) {
        unknown = true; // SQL: trim(NULL) <> '' is NULL
      } else if (!sqlTrim(x).isEmpty() && parse.apply(x) == null) {
        return true;
      }
    }
    return unknown ? null : false;
  }

  /** Spark SQL's {@code trim}: removes leading and trailing spaces (U+0020) only. */
  static String sqlTrim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(start, end);
  }

  /** {@code nullif(trim(s), '')}. */
  static String trimToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = sqlTrim(s);
    return t.isEmpty() ? null : t;
  }

  /**
   * Registers {@link #HEADER_POSITIONS}(header.path): the position of each of {@code paths} in the
   * row's header (see {@link #headerPositions}).
   */
  static void registerHeaderPositions(SparkSession spark, List<String> paths) {
    Map<String, Integer> wanted = new HashMap<>();
    for (int i = 0; i < paths.size(); i++) {
      wanted.put(paths.get(i), i);
    }
    spark
        .udf()
        .register(
            HEADER_POSITIONS,
            (UDF1<Seq<String>, List<Integer>>)
                header -> headerPositions(wanted, header == null ? null : header.iterator()),
            DataTypes.createArrayType(DataTypes.IntegerType, true));
  }

  /**
   * 0-based position in the header of each wanted path ({@code wanted}: path → output index), NULL
   * for a path the header lacks (so {@code header[NULL]} gives NULL); the first entry wins if a
   * path repeats. One pass over the header.
   */
  static List<Integer> headerPositions(Map<String, Integer> wanted, Iterator<String> header) {
    Integer[] positions = new Integer[wanted.size()];
    int found = 0;
    for (int i = 0; header != null && header.hasNext() && found < positions.length; i++) {
      Integer slot = wanted.get(header.next());
      if (slot != null && positions[slot] == null) {
        positions[slot] = i;
        found++;
      }
    }
    return Arrays.asList(positions);
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
