package org.imaginglakehouse.schemas.inventory;

import java.util.Locale;
import org.imaginglakehouse.core.LakehouseException;

/**
 * A documented transformation applied to a template column. Some make an identifying attribute
 * promotable (the rules list which); see docs/promote.md.
 */
public enum Transform {
  /** Typed value as is. */
  NONE,
  /** Raw value plus {@code <name>_norm}: upper case, single spaces, known typos fixed. */
  NORMALISE,
  /** AS age: raw plus {@code <name>_years} (DOUBLE) and {@code <name>_unit}. */
  AGE,
  /**
   * Birth date → {@code AgeAtStudy_years}: whole years on the study day, from PatientAge when it is
   * present and valid, else derived from PatientBirthDate and StudyDate inside the job (in the
   * identifiable zone); {@code AgeAtStudy_source} says which. The birth date is never promoted.
   */
  AGE_AT_STUDY,
  /** InstitutionName plus {@code HealthBoard} looked up in the reference list. */
  HEALTH_BOARD,
  /** ImageType array plus its components (pixel data, examination, modality specific, other). */
  SPLIT;

  public static Transform parse(String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new LakehouseException(
          "Unknown transform '"
              + value
              + "': expected one of none, normalise, age, age_at_study, health_board, split");
    }
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
