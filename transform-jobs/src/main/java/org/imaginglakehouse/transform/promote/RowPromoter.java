package org.imaginglakehouse.transform.promote;

import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.schemas.inventory.DicomValues;
import org.imaginglakehouse.schemas.inventory.OutputColumn;
import org.imaginglakehouse.schemas.inventory.PromotionSpec;
import org.imaginglakehouse.schemas.inventory.Tokens;
import org.imaginglakehouse.schemas.inventory.ValueType;

/**
 * Computes one instance's inventory columns in plain Java: every template column's value read from
 * its raw source, typed by VR, transformed (normalise, age, age at study, health board, split),
 * scrubbed of the patient's own identity when it is text, and NULL for templates that do not ask
 * for it; plus the names of the columns whose raw value was malformed.
 *
 * <p>Why Java and not Spark SQL expressions: promote's columns were once ~120 SQL expressions
 * around Java UDFs. Spark converted every UDF argument and result between its internal and Java
 * forms, and the generated projection was too large for the JIT to compile, so evaluating it cost
 * six times as much as reading, caching and writing the rows (docs/benchmarks.md, Promote). Here
 * each value a rule reads is converted once ({@link CatalystPromotion} reads Spark's rows).
 *
 * <p>Inputs ({@link ColumnPlan#inputs()}): the template name, the four identity values, then the
 * raw sources, as Java values (text, lists of text, or a typed value). Output: the plan's output
 * columns in order ({@link ColumnPlan#outputSchema}), then the list of malformed column names.
 */
final class RowPromoter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Index of the template name among the inputs; the identity values follow it. */
  static final int TEMPLATE = 0;

  static final int PATIENT_NAME = 1;
  static final int PATIENT_ID = 2;
  static final int BIRTH_DATE = 3;
  static final int ACCESSION = 4;

  /** Inputs every plan has: template and identity. */
  static final int FIXED_INPUTS = 5;

  /** Rules that apply to a template named by some rule, in plan order. */
  private final Map<String, Rule[]> byTemplate = new HashMap<>();

  /** Rules that apply to every template (those of other templates, or none, apply only these). */
  private final Rule[] everyTemplate;

  private final int inputs;
  private final int outputs;

  RowPromoter(List<Rule> rules, int inputs, int outputs) {
    this.inputs = inputs;
    this.outputs = outputs;
    Set<String> named = new HashSet<>();
    for (Rule rule : rules) {
      if (rule.templates != null) {
        named.addAll(rule.templates);
      }
    }
    everyTemplate = rules.stream().filter(r -> r.templates == null).toArray(Rule[]::new);
    for (String template : named) {
      byTemplate.put(
          template, rules.stream().filter(r -> r.appliesTo(template)).toArray(Rule[]::new));
    }
  }

  /** Number of inputs the rules read. */
  int inputs() {
    return inputs;
  }

  /** Number of output columns (before the malformed names). */
  int outputs() {
    return outputs;
  }

  /**
   * The output values of one instance: the plan's outputs, then the list of malformed column names
   * (a Java list, as are multi-valued outputs).
   */
  Object[] promote(Inputs in) {
    Object[] out = new Object[outputs + 1];
    String template = in.getString(TEMPLATE);
    Identity identity =
        new Identity(
            in.getString(PATIENT_NAME),
            in.getString(PATIENT_ID),
            in.getString(BIRTH_DATE),
            in.getString(ACCESSION));
    List<String> malformed = new ArrayList<>(0);
    Cells cells = new Cells(out, identity);
    for (Rule rule :
        template == null ? everyTemplate : byTemplate.getOrDefault(template, everyTemplate)) {
      rule.apply(in, cells, malformed);
    }
    out[out.length - 1] = malformed;
    return out;
  }

  /**
   * One instance's inputs, by index: text, a list of text (multi-valued sources), or a typed value.
   * Implementations may convert a value when it is first read.
   */
  interface Inputs {
    Object get(int i);

    default String getString(int i) {
      return (String) get(i);
    }

    @SuppressWarnings("unchecked")
    default List<String> getList(int i) {
      return (List<String>) get(i);
    }

    default boolean isNullAt(int i) {
      return get(i) == null;
    }
  }

  /** The patient's identity, which text outputs are scrubbed of. */
  record Identity(String name, String id, String birthDate, String accession) {}

  /** Output cells of one row: writes a value to a slot, scrubbing text. */
  static final class Cells {
    private final Object[] out;
    private final Identity identity;
    private IdentityScrubber scrubber;

    Cells(Object[] out, Identity identity) {
      this.out = out;
      this.identity = identity;
    }

    void set(Slot slot, Object value) {
      if (slot == null) {
        return;
      }
      out[slot.index] = slot.scrubbed ? scrub(value) : value;
    }

    @SuppressWarnings("unchecked")
    private Object scrub(Object value) {
      if (value instanceof String s) {
        return scrubber().scrub(s);
      }
      if (value instanceof List<?> list) {
        return map((List<String>) list, scrubber()::scrub);
      }
      return value;
    }

    /** The row's scrubber, made when its first text is written (most rows have a few). */
    private IdentityScrubber scrubber() {
      if (scrubber == null) {
        scrubber =
            IdentityScrubber.of(identity.name, identity.id, identity.birthDate, identity.accession);
      }
      return scrubber;
    }
  }

  /**
   * Where an output goes: its index among the outputs, and whether it is text scrubbed of the
   * patient's identity (string columns except UIDs, which are opaque and joined on).
   */
  record Slot(int index, boolean scrubbed) implements Serializable {
    static Slot of(int index, OutputColumn column) {
      return new Slot(index, column.type() == ValueType.STRING && !column.name().endsWith("UID"));
    }
  }

  /**
   * Where a template column's raw values are among the inputs: a string column (its value, or a
   * one-element array of it) or a string-array column (its first element, or the array), and, for a
   * typed top-level column, the input holding it already cast to the output type.
   */
  record Source(int index, boolean isArray, int typedIndex) implements Serializable {
    String scalar(Inputs in) {
      if (!isArray) {
        return in.getString(index);
      }
      List<String> values = list(in);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    List<String> array(Inputs in) {
      return isArray ? list(in) : Collections.singletonList(in.getString(index));
    }

    boolean typed() {
      return typedIndex >= 0;
    }

    private List<String> list(Inputs in) {
      return in.isNullAt(index) ? null : in.getList(index);
    }
  }

  /** A value function that Spark can ship to executors. */
  interface Fn<A, B> extends java.util.function.Function<A, B>, Serializable {}

  /** One template column (or pixel column): the outputs it fills and its malformed check. */
  abstract static class Rule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Templates the rule applies to; null: every template (study level). */
    private final Set<String> templates;

    Rule(Set<String> templates) {
      this.templates = templates == null ? null : Set.copyOf(templates);
    }

    boolean appliesTo(String template) {
      return templates == null || templates.contains(template);
    }

    abstract void apply(Inputs in, Cells cells, List<String> malformed);
  }

  // ------------------------------------------------------------------ the rules

  /** No transformation: the value typed by its VR (an array when multi-valued). */
  static final class Typed extends Rule {
    private final Source source;
    private final boolean multi;
    private final Fn<String, Object> parser;
    private final String column;
    private final Slot slot;

    Typed(
        Set<String> templates,
        Source source,
        boolean multi,
        ValueType type,
        String column,
        Slot slot) {
      super(templates);
      this.source = source;
      this.multi = multi;
      this.parser = parser(type);
      this.column = column;
      this.slot = slot;
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      if (source.typed() && !multi) {
        cells.set(slot, in.get(source.typedIndex()));
        return;
      }
      if (parser == null) {
        cells.set(
            slot,
            multi ? map(source.array(in), RowPromoter::trimToNull) : trimToNull(source.scalar(in)));
        return;
      }
      if (multi) {
        List<String> raw = source.array(in);
        cells.set(slot, map(raw, parser));
        if (Boolean.TRUE.equals(anyMalformed(raw, parser))) {
          malformed.add(column);
        }
      } else {
        String raw = source.scalar(in);
        Object value = parser.apply(raw);
        cells.set(slot, value);
        if (value == null && !sqlBlank(raw)) {
          malformed.add(column);
        }
      }
    }
  }

  /** The trimmed raw text and its normalised tokens ({@code <name>_norm}). */
  static final class Normalised extends Rule {
    private final Source source;
    private final boolean multi;
    private final Tokens tokens;
    private final Slot raw;
    private final Slot normalised;

    Normalised(
        Set<String> templates,
        Source source,
        boolean multi,
        Tokens tokens,
        Slot raw,
        Slot normalised) {
      super(templates);
      this.source = source;
      this.multi = multi;
      this.tokens = tokens;
      this.raw = raw;
      this.normalised = normalised;
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      if (multi) {
        List<String> values = source.array(in);
        cells.set(raw, map(values, RowPromoter::trimToNull));
        cells.set(normalised, map(values, tokens::normalise));
        return;
      }
      String text = source.scalar(in);
      cells.set(raw, source.typed() ? in.get(source.typedIndex()) : trimToNull(text));
      cells.set(normalised, tokens.normalise(text));
    }
  }

  /** PatientAge: trimmed raw text, age in years and the unit. */
  static final class Age extends Rule {
    private final Source source;
    private final String column;
    private final Slot raw;
    private final Slot years;
    private final Slot unit;

    Age(Set<String> templates, Source source, String column, Slot raw, Slot years, Slot unit) {
      super(templates);
      this.source = source;
      this.column = column;
      this.raw = raw;
      this.years = years;
      this.unit = unit;
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      String text = source.scalar(in);
      DicomValues.Age age = DicomValues.parseAge(text);
      cells.set(raw, trimToNull(text));
      cells.set(years, age == null ? null : age.years());
      cells.set(unit, age == null ? null : age.unitName());
      if (age == null && !sqlBlank(text)) {
        malformed.add(column);
      }
    }
  }

  /**
   * Whole years at the study, from PatientAge when valid, else from the birth date (the source) and
   * StudyDate; and which of the two it came from. The birth date itself is not an output.
   */
  static final class AgeAtStudy extends Rule {
    private final Source birthDate;
    private final int patientAge;
    private final int studyDate;
    private final String column;
    private final Slot years;
    private final Slot from;

    AgeAtStudy(
        Set<String> templates,
        Source birthDate,
        int patientAge,
        int studyDate,
        String column,
        Slot years,
        Slot from) {
      super(templates);
      this.birthDate = birthDate;
      this.patientAge = patientAge;
      this.studyDate = studyDate;
      this.column = column;
      this.years = years;
      this.from = from;
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      String birth = birthDate.scalar(in);
      String age = patientAge < 0 ? null : in.getString(patientAge);
      String study = studyDate < 0 ? null : in.getString(studyDate);
      LocalDate birthDay = DicomValues.parseDate(birth);
      Integer fromAge = wholeYears(DicomValues.parseAge(age));
      Integer fromBirth = DicomValues.ageAtStudy(birthDay, DicomValues.parseDate(study));
      cells.set(years, fromAge != null ? fromAge : fromBirth);
      cells.set(
          from, fromAge != null ? "PatientAge" : fromBirth != null ? "PatientBirthDate" : null);
      if (birthDay == null && !sqlBlank(birth)) {
        malformed.add(column);
      }
    }

    private static Integer wholeYears(DicomValues.Age age) {
      return age == null ? null : (int) Math.floor(age.years());
    }
  }

  /** InstitutionName: trimmed raw text and the NHS Scotland health board it belongs to. */
  static final class HealthBoard extends Rule {
    private final Source source;
    private final Map<String, String> boards;
    private final Slot raw;
    private final Slot board;

    HealthBoard(
        Set<String> templates, Source source, Map<String, String> boards, Slot raw, Slot board) {
      super(templates);
      this.source = source;
      this.boards = boards;
      this.raw = raw;
      this.board = board;
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      String text = source.scalar(in);
      cells.set(raw, trimToNull(text));
      cells.set(board, text == null ? null : boards.get(PromotionSpec.institutionKey(text)));
    }
  }

  /** ImageType: the upper-cased values and their first three components by name, then the rest. */
  static final class Split extends Rule {
    private final Source source;
    private final Slot values;
    private final Slot pixelData;
    private final Slot examination;
    private final Slot modalitySpecific;
    private final Slot other;

    Split(Set<String> templates, Source source, List<Slot> slots) {
      super(templates);
      this.source = source;
      this.values = slots.get(0);
      this.pixelData = slots.get(1);
      this.examination = slots.get(2);
      this.modalitySpecific = slots.get(3);
      this.other = slots.get(4);
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      List<String> parts =
          map(source.array(in), x -> x == null ? null : sqlTrim(x).toUpperCase(Locale.ROOT));
      cells.set(values, parts);
      cells.set(pixelData, element(parts, 0));
      cells.set(examination, element(parts, 1));
      cells.set(modalitySpecific, element(parts, 2));
      cells.set(
          other,
          parts == null
              ? null
              : parts.size() > 3 ? new ArrayList<>(parts.subList(3, parts.size())) : List.of());
    }

    private static String element(List<String> parts, int i) {
      return parts == null || parts.size() <= i ? null : parts.get(i);
    }
  }

  /** A pixel-derived column: joined and typed before this step, copied when the template asks. */
  static final class Pixel extends Rule {
    private final int input;
    private final Slot slot;

    Pixel(Set<String> templates, int input, Slot slot) {
      super(templates);
      this.input = input;
      this.slot = slot;
    }

    @Override
    void apply(Inputs in, Cells cells, List<String> malformed) {
      cells.set(slot, in.get(input));
    }
  }

  // ------------------------------------------------------------------ values

  /** The parser of a VR's value type (null for text, which is only trimmed). */
  static Fn<String, Object> parser(ValueType type) {
    return switch (type) {
      case DATE ->
          x -> {
            LocalDate d = DicomValues.parseDate(x);
            return d == null ? null : Date.valueOf(d);
          };
      case TIME -> DicomValues::parseTime;
      case TIMESTAMP ->
          x -> {
            LocalDateTime t = DicomValues.parseDateTime(x);
            return t == null ? null : Timestamp.valueOf(t);
          };
      case DOUBLE -> DicomValues::parseDouble;
      case INT -> DicomValues::parseInt;
      case BIGINT -> DicomValues::parseLong;
      case STRING, BOOLEAN -> null;
    };
  }

  /** {@code f} applied to each element (null list → null); nulls are passed to {@code f}. */
  static <T> List<T> map(List<String> values, Fn<String, T> f) {
    if (values == null) {
      return null;
    }
    List<T> out = new ArrayList<>(values.size());
    for (String v : values) {
      out.add(f.apply(v));
    }
    return out;
  }

  /**
   * Whether an element holds text that {@code parse} rejects; null for a null list, and null when
   * an element is null and none is malformed (SQL's three-valued {@code exists}).
   */
  static Boolean anyMalformed(List<String> values, Fn<String, ?> parse) {
    if (values == null) {
      return null;
    }
    boolean unknown = false;
    for (String x : values) {
      if (x == null) {
        unknown = true;
      } else if (!sqlTrim(x).isEmpty() && parse.apply(x) == null) {
        return true;
      }
    }
    return unknown ? null : false;
  }

  /**
   * SQL's {@code raw IS NULL OR trim(raw) = ''}: spaces only, unlike {@link DicomValues#isBlank},
   * which also takes NUL padding and other whitespace as blank (the malformed counts follow SQL).
   */
  static boolean sqlBlank(String raw) {
    return raw == null || sqlTrim(raw).isEmpty();
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
}
