package org.imaginglakehouse.schemas.inventory;

/** One column of an inventory table, as produced from a {@link TemplateColumn}. */
public record OutputColumn(String name, ValueType type, boolean array) {
  /** Spark SQL type, e.g. {@code double} or {@code array<string>}. */
  public String sqlType() {
    return array ? "array<" + type.sqlType() + ">" : type.sqlType();
  }
}
