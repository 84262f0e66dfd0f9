package org.imaginglakehouse.transform.promote;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.schemas.inventory.Level;
import org.imaginglakehouse.schemas.inventory.OutputColumn;
import org.imaginglakehouse.schemas.inventory.PixelColumn;
import org.imaginglakehouse.schemas.inventory.PromotionSpec;
import org.imaginglakehouse.schemas.inventory.Template;
import org.imaginglakehouse.schemas.inventory.TemplateColumn;
import org.imaginglakehouse.schemas.inventory.ValueType;

/**
 * Turns the templates into Spark SQL expressions over one {@code identifiable.instances} row: where
 * each value is read from (a typed top-level column, or the header array by tag path — for
 * sequences the first item), how it is typed and transformed, for which templates it applies, and
 * when it counts as malformed. Pure planning: no Spark job runs here.
 */
final class ColumnPlan {
  /** Column holding the row's template name. */
  static final String TEMPLATE = "InventoryTemplate";

  /** Names of the columns with a malformed value in this row. */
  static final String MALFORMED = "malformed_columns";

  private final PromotionSpec spec;
  private final StructType instances;
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private final Map<Level, List<OutputColumn>> levelOutputs = new LinkedHashMap<>();
  private final List<String> malformedChecks = new ArrayList<>();
  private final Map<String, String> intermediates = new LinkedHashMap<>();
  private final Map<String, String> rawByPath = new LinkedHashMap<>();

  ColumnPlan(PromotionSpec spec, StructType instances) {
    this.spec = spec;
    this.instances = instances;
    for (Level level : Level.values()) {
      levelOutputs.put(level, spec.outputColumns(level));
      for (TemplateColumn column : spec.distinctColumns(level)) {
        plan(level, column);
      }
    }
    for (PixelColumn p : spec.pixelColumns()) {
      Set<String> templates = new LinkedHashSet<>();
      for (Template t : spec.templates()) {
        if (t.pixel().contains(p.name())) {
          templates.add(t.name());
        }
      }
      outputs.putIfAbsent(
          p.name(),
          gate(templates, false, "cast(`" + pixelValue(p) + "` as " + p.output().sqlType() + ")"));
    }
  }

  /**
   * Column holding pixel column {@code p}'s value joined from its source table (added by the
   * promote job before the outputs are computed; NULL when the instance has no pixel row).
   */
  static String pixelValue(PixelColumn p) {
    return "_px_" + p.name();
  }

  /**
   * Columns to add, in order, before the outputs (raw header values, split arrays): each is
   * computed once per row instead of being repeated inside every expression that uses it, which
   * keeps generated code small.
   */
  Map<String, String> intermediates() {
    return intermediates;
  }

  /**
   * Raw header values the plan reads: column name → SQL over the row's {@code header}, to be
   * computed in one projection that also drops the header. The header's entries are looked up in
   * one pass ({@link PromoteFunctions#HEADER_POSITIONS}, one hash probe per entry) and only those
   * entries' values are read, with compiled element access; Spark evaluates the shared lookup once
   * per row. (A lambda over the entries, array_position per path, or extracting every entry's
   * values cost several times more per row, and carrying the wide header through later projections
   * copied it once per projection.)
   */
  Map<String, String> headerValues() {
    Map<String, String> values = new LinkedHashMap<>();
    int i = 0;
    for (String name : rawByPath.values()) {
      values.put(
          name,
          "header[" + PromoteFunctions.HEADER_POSITIONS + "(header.path)[" + i++ + "]].values");
    }
    return values;
  }

  /** Header paths the plan reads, in the order of {@link PromoteFunctions#HEADER_POSITIONS}. */
  List<String> headerPaths() {
    return List.copyOf(rawByPath.keySet());
  }

  /** Output column name → SQL expression (every level), in order. */
  Map<String, String> outputs() {
    return outputs;
  }

  List<OutputColumn> outputs(Level level) {
    return levelOutputs.get(level);
  }

  /** SQL: array of the names of malformed columns of the row (empty when none). */
  String malformedExpression() {
    if (malformedChecks.isEmpty()) {
      return "cast(array() as array<string>)";
    }
    // concat_ws skips NULLs; unlike filter(array(...), lambda) it is compiled, not interpreted.
    // Column names cannot hold a comma (Delta refuses them).
    return "cast(coalesce(split(nullif(concat_ws(',', "
        + String.join(", ", malformedChecks)
        + "), ''), ','), array()) as array<string>)";
  }

  /** SQL: template name of the row from its Modality. */
  String templateExpression() {
    StringBuilder sql = new StringBuilder("CASE upper(trim(Modality))");
    String fallback = null;
    Set<String> seen = new LinkedHashSet<>();
    for (Template t : spec.templates()) {
      if (t.isFallback() && fallback == null) {
        fallback = t.name();
      }
      for (String m : t.modalities()) {
        if (!m.equals(Template.WILDCARD) && seen.add(m)) {
          sql.append(" WHEN '")
              .append(sqlString(m))
              .append("' THEN '")
              .append(t.name())
              .append('\'');
        }
      }
    }
    sql.append(" ELSE ").append(fallback == null ? "NULL" : "'" + fallback + "'").append(" END");
    return sql.toString();
  }

  // ------------------------------------------------------------------ planning

  private void plan(Level level, TemplateColumn c) {
    Set<String> templates = new LinkedHashSet<>();
    boolean everyTemplate = level == Level.STUDY;
    if (!everyTemplate) {
      for (Template t : spec.templates()) {
        if (t.columns(level).stream().anyMatch(x -> x.name().equals(c.name()))) {
          templates.add(t.name());
        }
      }
    }
    Source src = source(c);
    ValueType type = c.type();
    List<String[]> produced = new ArrayList<>();
    String malformed = null;
    switch (c.transform()) {
      case NONE -> {
        produced.add(new String[] {c.name(), typed(src, c.multi(), type)});
        malformed = malformed(src, c.multi(), type);
      }
      case NORMALISE -> {
        produced.add(new String[] {c.name(), typed(src, c.multi(), ValueType.STRING)});
        produced.add(
            new String[] {
              c.name() + "_norm",
              c.multi()
                  ? PromoteFunctions.NORMALISE_ARRAY + "(" + src.array + ")"
                  : PromoteFunctions.NORMALISE + "(" + src.scalar + ")"
            });
      }
      case AGE -> {
        produced.add(new String[] {c.name(), trimmed(src.scalar)});
        produced.add(
            new String[] {
              c.name() + "_years", PromoteFunctions.AGE_YEARS + "(" + src.scalar + ")"
            });
        produced.add(
            new String[] {c.name() + "_unit", PromoteFunctions.AGE_UNIT + "(" + src.scalar + ")"});
        malformed =
            malformedScalar(src.scalar, PromoteFunctions.AGE_YEARS + "(" + src.scalar + ")");
      }
      case AGE_AT_STUDY -> {
        String age = rawOf("PatientAge");
        String study = rawOf("StudyDate");
        produced.add(
            new String[] {
              TemplateColumn.AGE_AT_STUDY_COLUMN,
              PromoteFunctions.AGE_AT_STUDY + "(" + age + ", " + src.scalar + ", " + study + ")"
            });
        produced.add(
            new String[] {
              TemplateColumn.AGE_AT_STUDY_SOURCE_COLUMN,
              "CASE WHEN "
                  + PromoteFunctions.AGE_YEARS
                  + "("
                  + age
                  + ") IS NOT NULL THEN 'PatientAge' WHEN "
                  + PromoteFunctions.AGE_AT_STUDY
                  + "(NULL, "
                  + src.scalar
                  + ", "
                  + study
                  + ") IS NOT NULL THEN 'PatientBirthDate' END"
            });
        malformed = malformedScalar(src.scalar, PromoteFunctions.DATE + "(" + src.scalar + ")");
      }
      case HEALTH_BOARD -> {
        produced.add(new String[] {c.name(), trimmed(src.scalar)});
        produced.add(
            new String[] {
              TemplateColumn.HEALTH_BOARD_COLUMN,
              PromoteFunctions.HEALTH_BOARD + "(" + src.scalar + ")"
            });
      }
      case SPLIT -> {
        String arrName = "_split_" + intermediates.size();
        intermediates.put(arrName, PromoteFunctions.UPPER_TRIM_ARRAY + "(" + src.array + ")");
        String arr = "`" + arrName + "`";
        produced.add(new String[] {c.name(), arr});
        produced.add(new String[] {c.name() + "_pixel_data", "try_element_at(" + arr + ", 1)"});
        produced.add(new String[] {c.name() + "_examination", "try_element_at(" + arr + ", 2)"});
        produced.add(
            new String[] {c.name() + "_modality_specific", "try_element_at(" + arr + ", 3)"});
        produced.add(
            new String[] {
              c.name() + "_other",
              "CASE WHEN size("
                  + arr
                  + ") > 3 THEN slice("
                  + arr
                  + ", 4, size("
                  + arr
                  + ") - 3) WHEN "
                  + arr
                  + " IS NOT NULL THEN cast(array() as array<string>) END"
            });
      }
      default -> throw new IllegalStateException(c.transform().name());
    }
    Map<String, OutputColumn> declared = new LinkedHashMap<>();
    for (OutputColumn o : c.outputs()) {
      declared.put(o.name(), o);
    }
    for (String[] p : produced) {
      OutputColumn o = declared.get(p[0]);
      String expr = scrubbed(o, "cast(" + p[1] + " as " + o.sqlType() + ")");
      outputs.putIfAbsent(p[0], gate(templates, everyTemplate, expr));
    }
    if (malformed != null) {
      malformedChecks.add(
          gate(
              templates, everyTemplate, "CASE WHEN " + malformed + " THEN '" + c.name() + "' END"));
    }
  }

  /**
   * Text outputs pass through {@link IdentityScrubber} with the row's own identity (UIDs excepted:
   * they are opaque and joined on).
   */
  private static String scrubbed(OutputColumn o, String expr) {
    if (o.type() != ValueType.STRING || o.name().endsWith("UID")) {
      return expr;
    }
    String identity = ", PatientName, PatientID, PatientBirthDate, AccessionNumber)";
    return o.array()
        ? PromoteFunctions.SCRUB_ARRAY + "(" + expr + identity
        : PromoteFunctions.SCRUB + "(" + expr + identity;
  }

  private static String gate(Set<String> templates, boolean every, String expr) {
    if (every) {
      return expr;
    }
    StringBuilder in = new StringBuilder();
    for (String t : templates) {
      in.append(in.length() == 0 ? "" : ", ").append('\'').append(t).append('\'');
    }
    return "CASE WHEN " + TEMPLATE + " IN (" + in + ") THEN " + expr + " END";
  }

  /** Where a column's raw values come from. */
  private record Source(String scalar, String array, DataType topLevelType, String topLevelColumn) {
    /** A typed (non-string, non-array) top-level column: used as is, never malformed. */
    boolean typedTopLevel() {
      return topLevelType != null
          && !(topLevelType instanceof ArrayType)
          && !topLevelType.equals(DataTypes.StringType);
    }
  }

  private Source source(TemplateColumn c) {
    if (!c.lifted()) {
      StructField field = field(c.keyword());
      if (field != null) {
        DataType t = field.dataType();
        String col = "`" + field.name() + "`";
        if (t instanceof ArrayType) {
          return new Source("try_element_at(" + col + ", 1)", col, t, col);
        }
        if (!c.multi()) {
          String scalar = t.equals(DataTypes.StringType) ? col : "cast(" + col + " as string)";
          return new Source(scalar, "array(" + scalar + ")", t, col);
        }
      }
    }
    String raw = rawByPath.computeIfAbsent(c.headerPath(), path -> "_raw_" + rawByPath.size());
    String array = "`" + raw + "`";
    return new Source("try_element_at(" + array + ", 1)", array, null, null);
  }

  /** Raw string of a top-level column, or NULL when the instances table lacks it. */
  private String rawOf(String keyword) {
    StructField field = field(keyword);
    if (field == null) {
      return "CAST(NULL AS STRING)";
    }
    return field.dataType().equals(DataTypes.StringType)
        ? "`" + field.name() + "`"
        : "cast(`" + field.name() + "` as string)";
  }

  private StructField field(String name) {
    for (StructField f : instances.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static String trimmed(String raw) {
    return "nullif(trim(" + raw + "), '')";
  }

  private static String typed(Source src, boolean multi, ValueType type) {
    if (src.typedTopLevel() && !multi) {
      return src.topLevelColumn();
    }
    String f = PromoteFunctions.parser(type);
    if (multi) {
      return (f == null ? PromoteFunctions.TRIM_ARRAY : f + PromoteFunctions.ARRAY)
          + "("
          + src.array
          + ")";
    }
    return f == null ? trimmed(src.scalar) : f + "(" + src.scalar + ")";
  }

  private static String malformed(Source src, boolean multi, ValueType type) {
    String f = PromoteFunctions.parser(type);
    if (f == null) {
      return null;
    }
    if (src.typedTopLevel()) {
      return null;
    }
    if (multi) {
      return f + PromoteFunctions.ANY_MALFORMED + "(" + src.array + ")";
    }
    return malformedScalar(src.scalar, f + "(" + src.scalar + ")");
  }

  private static String malformedScalar(String raw, String parsed) {
    return "(" + raw + " IS NOT NULL AND trim(" + raw + ") <> '' AND " + parsed + " IS NULL)";
  }

  private static String sqlString(String s) {
    return s.replace("'", "''");
  }
}
