package org.imaginglakehouse.transform.promote;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

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

  private static final Pattern NAME_PARTS = Pattern.compile("[\\^=,\\s]+");

  private IdentityScrubber() {}

  /**
   * {@code text} with every identity word replaced; {@code text} itself (same instance) when
   * nothing matches, and null for null.
   */
  public static String scrub(
      String text, String patientName, String patientId, String birthDate, String accession) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Set<String> needles = cachedNeedles(patientName, patientId, birthDate, accession);
    if (needles.isEmpty()) {
      return text;
    }
    // The text's letters and digits only, lower case, with the position each came from.
    StringBuilder compact = new StringBuilder(text.length());
    int[] origin = new int[text.length()];
    boolean[] wordStart = new boolean[text.length() + 1];
    boolean[] wordEnd = new boolean[text.length() + 1];
    boolean previousAlnum = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alnum = Character.isLetterOrDigit(c);
      if (alnum) {
        int at = compact.length();
        if (!previousAlnum) {
          wordStart[at] = true;
          if (at > 0) {
            wordEnd[at] = true;
          }
        }
        origin[at] = i;
        compact.append(Character.toLowerCase(c));
      } else if (previousAlnum) {
        wordEnd[compact.length()] = true;
      }
      previousAlnum = alnum;
    }
    wordEnd[compact.length()] = true;
    String haystack = compact.toString();
    List<int[]> ranges = new ArrayList<>();
    for (String needle : needles) {
      int from = 0;
      int at;
      while ((at = haystack.indexOf(needle, from)) >= 0) {
        int end = at + needle.length();
        if (wordStart[at] && wordEnd[end]) {
          ranges.add(new int[] {origin[at], origin[end - 1] + 1});
        }
        from = at + 1;
      }
    }
    if (ranges.isEmpty()) {
      return text;
    }
    ranges.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
    StringBuilder out = new StringBuilder(text.length());
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
    out.append(text, copied, text.length());
    return out.toString();
  }

  /** The last identity's needles per thread: promote scrubs every text column of a row in turn. */
  private static final ThreadLocal<Identity> LAST = new ThreadLocal<>();

  private record Identity(
      String name, String id, String birth, String accession, Set<String> needles) {
    boolean is(String name, String id, String birth, String accession) {
      return Objects.equals(this.name, name)
          && Objects.equals(this.id, id)
          && Objects.equals(this.birth, birth)
          && Objects.equals(this.accession, accession);
    }
  }

  private static Set<String> cachedNeedles(
      String patientName, String patientId, String birthDate, String accession) {
    Identity last = LAST.get();
    if (last == null || !last.is(patientName, patientId, birthDate, accession)) {
      last =
          new Identity(
              patientName,
              patientId,
              birthDate,
              accession,
              Collections.unmodifiableSet(needles(patientName, patientId, birthDate, accession)));
      LAST.set(last);
    }
    return last.needles();
  }

  /** The compact, lower-case forms searched for. */
  static Set<String> needles(
      String patientName, String patientId, String birthDate, String accession) {
    Set<String> needles = new LinkedHashSet<>();
    if (patientName != null) {
      for (String part : NAME_PARTS.split(patientName)) {
        String c = compact(part);
        if (c.length() >= 2) {
          needles.add(c);
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
