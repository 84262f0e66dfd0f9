package org.imaginglakehouse.transform.promote;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

/**
 * Plans how the templates read one {@code identifiable.instances} row: where each value comes from
 * (a typed top-level column, or the header array by tag path — for sequences the first item), for
 * which templates it applies, and which {@link RowPromoter} rule types and transforms it. Spark
 * evaluates only the cheap, compiled part (selecting and casting the top-level inputs); header
 * values are found by {@link CatalystPromotion} and all values are computed by the {@link
 * RowPromoter} this plan builds. Pure planning: no Spark job runs here.
 */
final class ColumnPlan {
  /** Column holding the row's template name. */
  static final String TEMPLATE = "InventoryTemplate";

  /** Names of the columns with a malformed value in this row. */
  static final String MALFORMED = "malformed_columns";

  private final PromotionSpec spec;
  private final StructType instances;
  private final Map<Level, List<OutputColumn>> levelOutputs = new LinkedHashMap<>();

  /** Output name → column, in output order. */
  private final Map<String, OutputColumn> outputs = new LinkedHashMap<>();

  /** Input → index among the promoter's inputs. */
  private final Map<Input, Integer> inputs = new LinkedHashMap<>();

  /** Header path → its index among the paths the plan reads. */
  private final Map<String, Integer> headerPaths = new LinkedHashMap<>();

  private final List<RowPromoter.Rule> rules = new ArrayList<>();

  ColumnPlan(PromotionSpec spec, StructType instances) {
    this.spec = spec;
    this.instances = instances;
    input("`" + TEMPLATE + "`");
    input(rawOf("PatientName"));
    input(rawOf("PatientID"));
    input(rawOf("PatientBirthDate"));
    input(rawOf("AccessionNumber"));
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
      RowPromoter.Slot slot = slot(p.output());
      if (slot != null) {
        rules.add(
            new RowPromoter.Pixel(
                templates,
                input("`" + pixelValue(p) + "`"), // typed by the join (PromoteJob.withPixel)
                slot));
      }
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
   * Header paths the plan reads (e.g. {@code 00180050}, {@code 00081032[0].00080100}), indexed by
   * {@link Input#headerPath}.
   */
  List<String> headerPaths() {
    return List.copyOf(headerPaths.keySet());
  }

  /**
   * Where the promoter's inputs come from, in input order: SQL over an instances row that has
   * {@link #TEMPLATE} and the pixel values (strings, string arrays, and typed top-level columns
   * cast to their output type), or a path in the row's header.
   */
  List<Input> inputs() {
    return List.copyOf(inputs.keySet());
  }

  /**
   * One promoter input: {@code sql} over the instances row, or (sql null) the values of header path
   * number {@code headerPath} of {@link #headerPaths()}, a string array.
   */
  record Input(String sql, int headerPath) {
    boolean fromHeader() {
      return sql == null;
    }
  }

  /** The promoter of this plan (see {@link RowPromoter} for the row layout). */
  RowPromoter promoter() {
    return new RowPromoter(rules, inputs.size(), outputs.size());
  }

  List<OutputColumn> outputs(Level level) {
    return levelOutputs.get(level);
  }

  /** Schema of the promoter's output after {@code passThrough}: the outputs and malformed names. */
  StructType outputSchema(StructType passThrough) {
    StructType schema = passThrough;
    for (OutputColumn o : outputs.values()) {
      schema = schema.add(o.name(), DataType.fromDDL(o.sqlType()), true);
    }
    return schema.add(
        MALFORMED, DataTypes.createArrayType(DataTypes.StringType, true), /* nullable= */ false);
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
    // Study columns apply to every template (a study spans modalities); the others only to the
    // templates that list them.
    Set<String> templates = null;
    if (level != Level.STUDY) {
      templates = new LinkedHashSet<>();
      for (Template t : spec.templates()) {
        if (t.columns(level).stream().anyMatch(x -> x.name().equals(c.name()))) {
          templates.add(t.name());
        }
      }
    }
    List<OutputColumn> declared = c.outputs();
    List<RowPromoter.Slot> slots = new ArrayList<>();
    for (OutputColumn o : declared) {
      slots.add(slot(o));
    }
    RowPromoter.Source src = source(c, declared.get(0));
    rules.add(
        switch (c.transform()) {
          case NONE ->
              new RowPromoter.Typed(templates, src, c.multi(), c.type(), c.name(), slots.get(0));
          case NORMALISE ->
              new RowPromoter.Normalised(
                  templates, src, c.multi(), spec.tokens(), slots.get(0), slots.get(1));
          case AGE ->
              new RowPromoter.Age(
                  templates, src, c.name(), slots.get(0), slots.get(1), slots.get(2));
          case AGE_AT_STUDY ->
              new RowPromoter.AgeAtStudy(
                  templates,
                  src,
                  input(rawOf("PatientAge")),
                  input(rawOf("StudyDate")),
                  c.name(),
                  slots.get(0),
                  slots.get(1));
          case HEALTH_BOARD ->
              new RowPromoter.HealthBoard(
                  templates, src, new TreeMap<>(spec.healthBoards()), slots.get(0), slots.get(1));
          case SPLIT -> new RowPromoter.Split(templates, src, slots);
        });
  }

  /**
   * The slot of an output column, or null when an earlier column (of another level) already
   * produces a column of that name: the first one wins.
   */
  private RowPromoter.Slot slot(OutputColumn o) {
    if (outputs.containsKey(o.name())) {
      return null;
    }
    outputs.put(o.name(), o);
    return RowPromoter.Slot.of(outputs.size() - 1, o);
  }

  /**
   * Where a column's raw values come from: a top-level column of that keyword (as text, or its text
   * array), or else the header values at the column's tag path. A typed top-level column (numbers,
   * dates) is also read as is, cast to {@code first}'s type, for an untransformed value.
   */
  private RowPromoter.Source source(TemplateColumn c, OutputColumn first) {
    if (!c.lifted()) {
      StructField field = field(c.keyword());
      if (field != null) {
        DataType t = field.dataType();
        String col = "`" + field.name() + "`";
        if (t instanceof ArrayType) {
          return new RowPromoter.Source(input("cast(" + col + " as array<string>)"), true, -1);
        }
        if (!c.multi()) {
          boolean typed = !t.equals(DataTypes.StringType);
          return new RowPromoter.Source(
              input(rawOf(c.keyword())),
              false,
              typed ? input("cast(" + col + " as " + first.sqlType() + ")") : -1);
        }
      }
    }
    int path = headerPaths.computeIfAbsent(c.headerPath(), p -> headerPaths.size());
    return new RowPromoter.Source(input(new Input(null, path)), true, -1);
  }

  /** Index of an input, added when new. */
  private int input(String sql) {
    return input(new Input(sql, -1));
  }

  private int input(Input input) {
    return inputs.computeIfAbsent(input, i -> inputs.size());
  }

  /** SQL: text of a top-level column, or NULL when the instances table lacks it. */
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

  private static String sqlString(String s) {
    return s.replace("'", "''");
  }
}
