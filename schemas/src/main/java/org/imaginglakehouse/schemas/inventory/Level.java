package org.imaginglakehouse.schemas.inventory;

/** Inventory table level. */
public enum Level {
  STUDY("study"),
  SERIES("series"),
  IMAGE("image");

  private final String table;

  Level(String table) {
    this.table = table;
  }

  /** Table name in the de-identified zone. */
  public String table() {
    return table;
  }
}
