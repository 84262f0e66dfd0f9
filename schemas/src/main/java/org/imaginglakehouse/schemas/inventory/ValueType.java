package org.imaginglakehouse.schemas.inventory;

import java.util.Locale;

/**
 * SQL type of a promoted DICOM value, chosen by VR (see {@link #forVr}). Multi-valued columns are
 * {@code ARRAY<type>}.
 */
public enum ValueType {
  STRING("string"),
  INT("int"),
  BIGINT("bigint"),
  DOUBLE("double"),
  DATE("date"),
  /**
   * Time of day (TM): a fixed-width string {@code HH:MM:SS.FFFFFF} (24 h, microseconds, always all
   * six fields), so it sorts and compares correctly, reads as ISO-8601 and casts to any engine's
   * TIME type. Missing trailing components of a DICOM TM are zero ("0930" → 09:30:00.000000).
   */
  TIME("string"),
  /** DT, converted to UTC when the value has an offset, else taken as local (session) time. */
  TIMESTAMP("timestamp"),
  /** Flags derived from the pixel jobs (never from a DICOM VR). */
  BOOLEAN("boolean");

  private final String sqlType;

  ValueType(String sqlType) {
    this.sqlType = sqlType;
  }

  /** Spark SQL type name of a single value. */
  public String sqlType() {
    return sqlType;
  }

  /** Type for a DICOM VR; {@code null} for binary and sequence VRs, which are never promoted. */
  public static ValueType forVr(String vr) {
    if (vr == null) {
      return STRING;
    }
    return switch (vr.toUpperCase(Locale.ROOT)) {
      case "DA" -> DATE;
      case "TM" -> TIME;
      case "DT" -> TIMESTAMP;
      case "DS", "FD", "FL" -> DOUBLE;
      case "IS", "SS", "US", "SL" -> INT;
      case "UL", "SV", "UV" -> BIGINT;
      case "AE", "AS", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UI", "UR", "UT", "AT" -> STRING;
      default -> null; // OB OW OF OD OL OV UN SQ: binary or structure
    };
  }
}
