package org.imaginglakehouse.schemas.inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A promotion template: for the modalities it covers, which columns go into which inventory table.
 * The special template {@code study} holds the study table's columns (one study table across
 * modalities); modality templates hold series and image columns. A template whose modalities
 * include {@code *} is the fallback (OTHER). {@code pixel} lists the pixel-derived image columns
 * requested (names from {@link PixelColumn#CATALOG}; anything else is refused by the rules check).
 */
public record Template(
    String name,
    List<String> modalities,
    Map<Level, List<TemplateColumn>> columns,
    List<String> pixel) {
  public static final String STUDY = "study";
  public static final String WILDCARD = "*";

  public List<TemplateColumn> columns(Level level) {
    return columns.getOrDefault(level, List.of());
  }

  public List<TemplateColumn> allColumns() {
    List<TemplateColumn> all = new ArrayList<>();
    for (Level level : Level.values()) {
      all.addAll(columns(level));
    }
    return all;
  }

  public boolean isFallback() {
    return modalities.contains(WILDCARD);
  }
}
