package org.imaginglakehouse.transform.ocr;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether OCR output contains this patient's identity: name parts, CHI / patient ID, birth
 * date in any common spelling, or accession number. Matching is loose because OCR is:
 *
 * <ul>
 *   <li>both sides are folded to a canonical form: upper case, separators dropped ({@code ^ * , . -
 *       / _ :} and spaces), and look-alike characters merged ({@code O/Q/D→0}, {@code I/L/|/!→1},
 *       {@code S/$→5}, {@code B→8}, {@code Z→2}, {@code G→6}, {@code T→7});
 *   <li>words of one text line are joined, so "123 456 7890" matches CHI 1234567890 and "DOE*JANE"
 *       matches DOE^JANE;
 *   <li>targets of six or more characters also match with one edit (a misread or dropped
 *       character).
 * </ul>
 *
 * Name parts shorter than three characters are ignored (initials would match everywhere).
 */
public final class IdentityMatcher implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] MONTH_NAMES = {
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER"
  };

  /** Kinds of identity reported in {@code matched_identity}. */
  public static final String NAME = "name";

  public static final String PATIENT_ID = "patient_id";
  public static final String BIRTH_DATE = "birth_date";
  public static final String ACCESSION = "accession_number";

  private final Map<String, Set<String>> targets;

  private IdentityMatcher(Map<String, Set<String>> targets) {
    this.targets = targets;
  }

  /** Builds the canonical targets of one patient; any argument may be null. */
  public static IdentityMatcher of(
      String patientName, String patientId, String birthDate, String accessionNumber) {
    Map<String, Set<String>> targets = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>();
    if (patientName != null) {
      for (String part : patientName.split("[\\^\\s,=]+")) {
        String c = canonical(part);
        if (c.length() >= 3) {
          names.add(c);
        }
      }
    }
    targets.put(NAME, names);
    targets.put(PATIENT_ID, single(patientId, 4));
    targets.put(ACCESSION, single(accessionNumber, 4));
    targets.put(BIRTH_DATE, birthDateSpellings(birthDate));
    return new IdentityMatcher(targets);
  }

  private static Set<String> single(String value, int minLength) {
    Set<String> out = new LinkedHashSet<>();
    if (value != null) {
      String c = canonical(value);
      if (c.length() >= minLength) {
        out.add(c);
      }
    }
    return out;
  }

  /** Canonical spellings of a DICOM DA birth date (YYYYMMDD). */
  static Set<String> birthDateSpellings(String da) {
    Set<String> out = new LinkedHashSet<>();
    if (da == null) {
      return out;
    }
    String digits = da.replaceAll("[^0-9]", "");
    if (digits.length() != 8) {
      return out;
    }
    String y = digits.substring(0, 4);
    String yy = digits.substring(2, 4);
    String m = digits.substring(4, 6);
    String d = digits.substring(6, 8);
    int month = Integer.parseInt(m);
    if (month < 1 || month > 12) {
      return out;
    }
    String dNoZero = Integer.toString(Integer.parseInt(d));
    String mNoZero = Integer.toString(month);
    List<String> spellings = new ArrayList<>();
    spellings.add(y + m + d); // 19700101, 1970-01-01, 1970/01/01
    spellings.add(d + m + y); // 01/01/1970, 01.01.1970, 01-01-1970
    spellings.add(m + d + y); // US 01/31/1970
    spellings.add(d + m + yy); // 01/01/70
    spellings.add(dNoZero + mNoZero + y); // 1/1/1970
    for (String mon : List.of(MONTHS[month - 1], MONTH_NAMES[month - 1])) {
      spellings.add(d + mon + y); // 01 JAN 1970, 01-Jan-1970
      spellings.add(dNoZero + mon + y); // 1 January 1970
      spellings.add(mon + d + y); // Jan 01 1970
      spellings.add(d + mon + yy); // 01-JAN-70
    }
    for (String s : spellings) {
      out.add(canonical(s));
    }
    return out;
  }

  /** Upper case, separators removed, look-alike characters merged. */
  public static String canonical(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char ch : s.toUpperCase(Locale.ROOT).toCharArray()) {
      char c =
          switch (ch) {
            case 'O', 'Q', 'D', 'Ø' -> '0';
            case 'I', 'L', '|', '!', 'Ì', 'Í', 'Ï' -> '1';
            case 'S', '$' -> '5';
            case 'B' -> '8';
            case 'Z' -> '2';
            case 'G' -> '6';
            case 'T' -> '7';
            default -> ch;
          };
      if (Character.isLetterOrDigit(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The identity kinds found in the words (sorted, empty when none). Words are grouped into lines
   * by {@code lineKey} so adjacent words can be joined.
   */
  public Set<String> match(Map<String, List<String>> wordsByLine) {
    Set<String> found = new TreeSet<>();
    List<String> haystacks = new ArrayList<>();
    for (List<String> line : wordsByLine.values()) {
      StringBuilder joined = new StringBuilder();
      for (String w : line) {
        String c = canonical(w);
        haystacks.add(c);
        joined.append(c);
      }
      haystacks.add(joined.toString());
    }
    for (Map.Entry<String, Set<String>> kind : targets.entrySet()) {
      for (String target : kind.getValue()) {
        if (haystacks.stream().anyMatch(h -> contains(h, target))) {
          found.add(kind.getKey());
          break;
        }
      }
    }
    return found;
  }

  /** Whether the matcher has anything to look for. */
  public boolean hasTargets() {
    return targets.values().stream().anyMatch(s -> !s.isEmpty());
  }

  /** Exact substring, or within one edit for targets of six or more characters. */
  static boolean contains(String haystack, String target) {
    if (haystack.contains(target)) {
      return true;
    }
    if (target.length() < 6 || haystack.length() < target.length() - 1) {
      return false;
    }
    return approximateSubstringDistance(haystack, target) <= 1;
  }

  /** Smallest edit distance between {@code pattern} and any substring of {@code text}. */
  static int approximateSubstringDistance(String text, String pattern) {
    int m = pattern.length();
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    int best = prev[m];
    for (int i = 1; i <= text.length(); i++) {
      cur[0] = 0;
      for (int j = 1; j <= m; j++) {
        int cost = text.charAt(i - 1) == pattern.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      best = Math.min(best, cur[m]);
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return best;
  }
}
