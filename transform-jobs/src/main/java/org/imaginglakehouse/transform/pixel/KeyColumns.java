package org.imaginglakehouse.transform.pixel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The join keys of the pixel tables ({@code pixel_features}, {@code series_pixel_features}, {@code
 * pixel_text}, {@code pixel_text_flags}), named as in every other table of the lakehouse: by their
 * DICOM keyword (docs/architecture.md, "Naming"). Until 2026-12 the pixel jobs wrote them in
 * snake_case ({@link #LEGACY}); their next run renames them ({@link DeltaUpserts#migrateKeys}) and
 * promote reads either layout ({@link #resolve}).
 */
public final class KeyColumns {
  public static final String SOP = "SOPInstanceUID";
  public static final String SERIES = "SeriesInstanceUID";
  public static final String STUDY = "StudyInstanceUID";

  /** Legacy name → current name. */
  public static final Map<String, String> LEGACY =
      Map.of("sop_instance_uid", SOP, "series_instance_uid", SERIES, "study_instance_uid", STUDY);

  private KeyColumns() {}

  /**
   * The renames (legacy name → current name, in column order) that bring a table with these columns
   * to the current key names; empty when it has none of the legacy names.
   *
   * @param table the table's name, for the error message
   * @param rebuild the command that rebuilds the table, for the error message
   * @throws LakehouseException when a key is there under both names (no rename can be chosen)
   */
  public static Map<String, String> legacyRenames(
      List<String> columns, String table, String rebuild) {
    Map<String, String> renames = new LinkedHashMap<>();
    for (String c : columns) {
      String current = LEGACY.get(c);
      if (current == null) {
        continue;
      }
      if (columns.stream().anyMatch(current::equalsIgnoreCase)) {
        throw new LakehouseException(
            "identifiable."
                + table
                + " has both "
                + c
                + " and "
                + current
                + " (written by two versions of the lakehouse): move the table aside and run `"
                + rebuild
                + "` to rebuild it");
      }
      renames.put(c, current);
    }
    return renames;
  }

  /**
   * The column holding {@code key} (a current name) in these columns: the key itself, or its legacy
   * name in a table not yet migrated.
   *
   * @param migrate the command that migrates the table, for the error message
   * @throws LakehouseException when neither is there
   */
  public static String resolve(List<String> columns, String key, String table, String migrate) {
    if (columns.contains(key)) {
      return key;
    }
    for (Map.Entry<String, String> e : LEGACY.entrySet()) {
      if (e.getValue().equals(key) && columns.contains(e.getKey())) {
        return e.getKey();
      }
    }
    throw new LakehouseException(
        "identifiable."
            + table
            + " has no "
            + key
            + " column (nor the legacy "
            + legacyName(key)
            + "): run `"
            + migrate
            + "` to migrate or rebuild it");
  }

  private static String legacyName(String key) {
    return LEGACY.entrySet().stream()
        .filter(e -> e.getValue().equals(key))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(key);
  }
}
