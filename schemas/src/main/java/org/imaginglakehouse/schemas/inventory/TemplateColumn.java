package org.imaginglakehouse.schemas.inventory;

import java.util.ArrayList;
import java.util.List;

/**
 * A column requested by a template: the attribute it reads (a DICOM keyword, or keywords joined by
 * {@code _} to lift a value out of a sequence, e.g. {@code ProcedureCodeSequence_CodeValue} =
 * CodeValue of the first item of ProcedureCodeSequence), its VR and multiplicity, and the
 * transformation applied.
 *
 * @param name column name in the inventory table (defaults to the source)
 * @param source the keyword path as written in the template
 * @param keywords the keywords of the path, outermost first
 * @param headerPath path in the identifiable header array, e.g. {@code 00081032[0].00080100}
 * @param vr VR of the (innermost) attribute
 * @param multi true for multi-valued attributes (promoted as ARRAY)
 */
public record TemplateColumn(
    String name,
    String source,
    List<String> keywords,
    String headerPath,
    String vr,
    boolean multi,
    Transform transform) {

  /** The innermost keyword (the attribute whose value is promoted). */
  public String keyword() {
    return keywords.get(keywords.size() - 1);
  }

  /** True when the value is read from inside a sequence item. */
  public boolean lifted() {
    return keywords.size() > 1;
  }

  public ValueType type() {
    return ValueType.forVr(vr);
  }

  /** The columns this template column produces, in order. */
  public List<OutputColumn> outputs() {
    List<OutputColumn> out = new ArrayList<>();
    switch (transform) {
      case NONE -> out.add(new OutputColumn(name, type(), multi));
      case NORMALISE -> {
        out.add(new OutputColumn(name, ValueType.STRING, multi));
        out.add(new OutputColumn(name + "_norm", ValueType.STRING, multi));
      }
      case AGE -> {
        out.add(new OutputColumn(name, ValueType.STRING, false));
        out.add(new OutputColumn(name + "_years", ValueType.DOUBLE, false));
        out.add(new OutputColumn(name + "_unit", ValueType.STRING, false));
      }
      case AGE_AT_STUDY -> {
        out.add(new OutputColumn(AGE_AT_STUDY_COLUMN, ValueType.INT, false));
        out.add(new OutputColumn(AGE_AT_STUDY_SOURCE_COLUMN, ValueType.STRING, false));
      }
      case HEALTH_BOARD -> {
        out.add(new OutputColumn(name, ValueType.STRING, false));
        out.add(new OutputColumn(HEALTH_BOARD_COLUMN, ValueType.STRING, false));
      }
      case SPLIT -> {
        out.add(new OutputColumn(name, ValueType.STRING, true));
        out.add(new OutputColumn(name + "_pixel_data", ValueType.STRING, false));
        out.add(new OutputColumn(name + "_examination", ValueType.STRING, false));
        out.add(new OutputColumn(name + "_modality_specific", ValueType.STRING, false));
        out.add(new OutputColumn(name + "_other", ValueType.STRING, true));
      }
      default -> throw new IllegalStateException(transform.name());
    }
    return out;
  }

  public static final String AGE_AT_STUDY_COLUMN = "AgeAtStudy_years";

  /** Where the age at study came from: {@code PatientAge} or {@code PatientBirthDate}. */
  public static final String AGE_AT_STUDY_SOURCE_COLUMN = "AgeAtStudy_source";

  public static final String HEALTH_BOARD_COLUMN = "HealthBoard";
}
