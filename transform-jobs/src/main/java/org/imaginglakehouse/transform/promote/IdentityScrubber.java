package org.imaginglakehouse.transform.promote;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes the patient's own identity from a free-text value before it is promoted: the parts of
 * PatientName, PatientID, the accession number and PatientBirthDate (as {@code YYYYMMDD} or {@code
 * DDMMYYYY}, whatever the separators) are replaced by {@value #REMOVED} wherever they appear as
 * whole words. Archives do carry such text ("CT head Mr SMITH follow-up", "pt SMITH JOHN 0101701234
 * moved"), and a template cannot know which descriptions are safe.
 *
 * <p>Matching ignores case and punctuation inside the match, so {@code O'Brien} also removes {@code
 * OBRIEN}, and the ID {@code 010170 1234} also removes {@code 0101701234}; a match must start and
 * end at word boundaries, so the surname {@code Hill} leaves {@code Churchill} alone. Name parts
 * shorter than two characters are not matched (initials would strip every single letter).
 */
public final class IdentityScrubber {
  /** What replaces a removed word. */
  public static final String REMOVED = "[removed]";

  private static final IdentityScrubber NOBODY = new IdentityScrubber(new String[0]);

  /** Compact, lower-case forms searched for. */
  private final String[] needles;

  private IdentityScrubber(String[] needles) {
    this.needles = needles;
  }

  /** The scrubber of one patient's identity (any value may be null). */
  public static IdentityScrubber of(
      String patientName, String patientId, String birthDate, String accession) {
    Set<String> needles = needles(patientName, patientId, birthDate, accession);
    return needles.isEmpty() ? NOBODY : new IdentityScrubber(needles.toArray(new String[0]));
  }

  /** {@code of(patientName, patientId, birthDate, accession).scrub(text)}. */
  public static String scrub(
      String text, String patientName, String patientId, String birthDate, String accession) {
    return of(patientName, patientId, birthDate, accession).scrub(text);
  }

  /**
   * {@code text} with every identity word replaced; {@code text} itself (same instance) when
   * nothing matches, and null for null.
   */
  public String scrub(String text) {
    if (text == null || text.isEmpty() || needles.length == 0) {
      return text;
    }
    // The text's letters and digits only, lower case, with the position each came from. A match
    // is a whole word when the text has a gap (or its end) just before and just after it.
    int length = text.length();
    char[] compact = new char[length];
    int[] origin = new int[length];
    int n = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        origin[n] = i;
        compact[n++] = Character.toLowerCase(c);
      }
    }
    if (n == 0) {
      return text;
    }
    String haystack = new String(compact, 0, n);
    List<int[]> ranges = null;
    for (String needle : needles) {
      int from = 0;
      int at;
      while ((at = haystack.indexOf(needle, from)) >= 0) {
        int end = at + needle.length();
        if (wordBoundary(origin, n, at) && wordBoundary(origin, n, end)) {
          if (ranges == null) {
            ranges = new ArrayList<>();
          }
          ranges.add(new int[] {origin[at], origin[end - 1] + 1});
        }
        from = at + 1;
      }
    }
    if (ranges == null) {
      return text;
    }
    ranges.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
    StringBuilder out = new StringBuilder(length);
    int copied = 0;
    for (int[] r : ranges) {
      if (r[0] < copied) {
        if (r[1] > copied) {
          copied = r[1]; // overlaps the range just removed: extend it
        }
        continue;
      }
      out.append(text, copied, r[0]).append(REMOVED);
      copied = r[1];
    }
    out.append(text, copied, length);
    return out.toString();
  }

  /** Whether compact position {@code at} (0..n) starts or ends a word of the text. */
  private static boolean wordBoundary(int[] origin, int n, int at) {
    return at == 0 || at == n || origin[at] != origin[at - 1] + 1;
  }

  /** The compact, lower-case forms searched for. */
  static Set<String> needles(
      String patientName, String patientId, String birthDate, String accession) {
    Set<String> needles = new LinkedHashSet<>();
    if (patientName != null) {
      // Name parts are separated by DICOM's component and group delimiters, commas and spaces.
      StringBuilder part = new StringBuilder();
      for (int i = 0; i <= patientName.length(); i++) {
        char c = i < patientName.length() ? patientName.charAt(i) : '^';
        if (c == '^' || c == '=' || c == ',' || isRegexSpace(c)) {
          if (part.length() >= 2) {
            needles.add(part.toString());
          }
          part.setLength(0);
        } else if (Character.isLetterOrDigit(c)) {
          part.append(Character.toLowerCase(c));
        }
      }
    }
    addId(needles, patientId);
    addId(needles, accession);
    String birth = birthDate == null ? "" : compact(birthDate);
    if (birth.length() == 8 && birth.chars().allMatch(Character::isDigit)) {
      needles.add(birth); // YYYYMMDD
      needles.add(birth.substring(6) + birth.substring(4, 6) + birth.substring(0, 4)); // DDMMYYYY
    }
    return needles;
  }

  /** The whitespace of regular expressions' {@code \s}: space, tab, new line, VT, FF, CR. */
  private static boolean isRegexSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static void addId(Set<String> needles, String id) {
    String c = id == null ? "" : compact(id);
    if (c.length() >= 3) {
      needles.add(c);
    }
  }

  private static String compact(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        b.append(Character.toLowerCase(c));
      }
    }
    return b.toString();
  }
}
