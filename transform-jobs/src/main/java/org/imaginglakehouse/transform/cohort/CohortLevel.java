package org.imaginglakehouse.transform.cohort;

import java.util.List;
import java.util.Locale;
import org.imaginglakehouse.core.LakehouseException;

/** Extraction level of a cohort: which identifiers each member row carries. */
public enum CohortLevel {
  STUDY(List.of(Cohorts.STUDY_UID)),
  SERIES(List.of(Cohorts.STUDY_UID, Cohorts.SERIES_UID)),
  IMAGE(List.of(Cohorts.STUDY_UID, Cohorts.SERIES_UID, Cohorts.SOP_UID));

  private final List<String> uidColumns;

  CohortLevel(List<String> uidColumns) {
    this.uidColumns = uidColumns;
  }

  /** The UID columns a cohort query at this level must return (besides {@code eupi}). */
  public List<String> uidColumns() {
    return uidColumns;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CohortLevel parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new LakehouseException(
          "Unknown cohort level '" + value + "': expected study, series or image");
    }
  }

  /** The finest level whose UID columns are all in {@code columns} (case-insensitive), or null. */
  public static CohortLevel finestAvailable(List<String> columns) {
    CohortLevel best = null;
    for (CohortLevel level : values()) {
      boolean all =
          level.uidColumns.stream()
              .allMatch(u -> columns.stream().anyMatch(c -> c.equalsIgnoreCase(u)));
      if (all) {
        best = level;
      }
    }
    return best;
  }
}
