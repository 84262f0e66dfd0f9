package org.imaginglakehouse.schemas.inventory;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Normalises free-text-ish coded values (BodyPartExamined, Study/SeriesDescription) for grouping:
 * upper case; runs of anything other than letters, digits and {@code +} become one space; each
 * token is replaced through a dictionary of known typos and abbreviations ({@code BRIAN → BRAIN},
 * {@code ABDO → ABDOMEN}, {@code MRI → MR}); empty results are {@code null}. The raw value is
 * always kept beside the normalised one.
 */
public final class Tokens implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> replacements;

  /** The same replacements, for lookups (a hash map: a lookup per token of every instance). */
  private final Map<String, String> lookup;

  public Tokens(Map<String, String> replacements) {
    Map<String, String> upper = new TreeMap<>();
    replacements.forEach(
        (k, v) ->
            upper.put(k.toUpperCase(Locale.ROOT), v == null ? "" : v.toUpperCase(Locale.ROOT)));
    this.replacements = upper;
    this.lookup = new HashMap<>(upper);
  }

  public Map<String, String> replacements() {
    return replacements;
  }

  public String normalise(String raw) {
    if (raw == null) {
      return null;
    }
    String upper = raw.toUpperCase(Locale.ROOT);
    // A scan by hand, not a regular expression: promote normalises a few columns of every
    // instance. A token is a run of letters, numbers (Unicode categories L and N) and '+'.
    StringBuilder out = new StringBuilder(upper.length());
    int length = upper.length();
    int i = 0;
    while (i < length) {
      int start = i;
      int codePoint;
      while (i < length && isTokenChar(codePoint = upper.codePointAt(i))) {
        i += Character.charCount(codePoint);
      }
      if (i > start) {
        String token = upper.substring(start, i);
        String replaced = lookup.getOrDefault(token, token);
        if (!replaced.isEmpty()) {
          if (out.length() > 0) {
            out.append(' ');
          }
          out.append(replaced);
        }
      } else {
        i += Character.charCount(upper.codePointAt(i));
      }
    }
    return out.length() == 0 ? null : out.toString();
  }

  private static boolean isTokenChar(int codePoint) {
    if (codePoint == '+' || Character.isLetter(codePoint)) {
      return true;
    }
    int type = Character.getType(codePoint);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }
}
