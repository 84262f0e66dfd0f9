package org.imaginglakehouse.udfs;

import java.util.List;
import java.util.Locale;

/** Tests on Image Type (0008,0008) values, e.g. {@code ORIGINAL\PRIMARY\AXIAL}. */
public final class ImageTypes {
  private ImageTypes() {}

  /**
   * Whether {@code values} (the multi-valued ImageType, or one string with {@code \} separators)
   * holds {@code token}, compared trimmed and case-insensitively. Null image type or a blank token
   * gives null ("unknown"), not false.
   */
  public static Boolean has(List<String> values, String token) {
    if (values == null || token == null || token.isBlank()) {
      return null;
    }
    String wanted = token.trim().toUpperCase(Locale.ROOT);
    for (String value : values) {
      if (value == null) {
        continue;
      }
      for (String part : value.split("\\\\", -1)) {
        if (part.trim().toUpperCase(Locale.ROOT).equals(wanted)) {
          return true;
        }
      }
    }
    return false;
  }
}
