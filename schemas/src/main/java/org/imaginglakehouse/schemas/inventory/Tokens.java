package org.imaginglakehouse.schemas.inventory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Normalises free-text-ish coded values (BodyPartExamined, Study/SeriesDescription) for grouping:
 * upper case; runs of anything other than letters, digits and {@code +} become one space; each
 * token is replaced through a dictionary of known typos and abbreviations ({@code BRIAN → BRAIN},
 * {@code ABDO → ABDOMEN}, {@code MRI → MR}); empty results are {@code null}. The raw value is
 * always kept beside the normalised one.
 */
public final class Tokens implements Serializable {
  private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}+]+");

  private static final long serialVersionUID = 1L;

  private final Map<String, String> replacements;

  public Tokens(Map<String, String> replacements) {
    Map<String, String> upper = new TreeMap<>();
    replacements.forEach(
        (k, v) ->
            upper.put(k.toUpperCase(Locale.ROOT), v == null ? "" : v.toUpperCase(Locale.ROOT)));
    this.replacements = upper;
  }

  public Map<String, String> replacements() {
    return replacements;
  }

  public String normalise(String raw) {
    if (raw == null) {
      return null;
    }
    String upper = raw.toUpperCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    for (String token : SEPARATORS.split(upper)) {
      if (token.isEmpty()) {
        continue;
      }
      String replaced = replacements.getOrDefault(token, token);
      if (!replaced.isEmpty()) {
        out.add(replaced);
      }
    }
    return out.isEmpty() ? null : String.join(" ", out);
  }
}
