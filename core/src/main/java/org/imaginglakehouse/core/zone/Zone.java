package org.imaginglakehouse.core.zone;

import java.util.Locale;
import org.imaginglakehouse.core.LakehouseException;

/**
 * A storage zone. Each zone is a separate root so that storage permissions, not just SQL grants,
 * keep identifiable data away from analysts.
 */
public enum Zone {
  /** Everything read from the PACS copy, including PHI: operators and jobs only. */
  IDENTIFIABLE("identifiable"),
  /** Pseudonymised inventory, linked datasets and cohorts: the analyst SQL endpoint. */
  DEIDENTIFIED("deidentified"),
  /** Per-project release areas, one database per project ({@code project_<name>}). */
  PROJECTS("projects");

  private final String id;

  Zone(String id) {
    this.id = id;
  }

  /** Name used for the root directory, the config keys and (except projects) the SQL database. */
  public String id() {
    return id;
  }

  public static Zone fromId(String id) {
    for (Zone zone : values()) {
      if (zone.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
        return zone;
      }
    }
    throw new LakehouseException(
        "Unknown zone '" + id + "': expected identifiable, deidentified or projects");
  }
}
