package org.imaginglakehouse.schemas.inventory;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict parsing of DICOM string values (PS3.5 6.2) into typed values. Every method returns {@code
 * null} for a missing, blank or malformed value and never throws: the caller counts malformed
 * values (blank input is "missing", not "malformed").
 */
public final class DicomValues {
  private static final Pattern DS = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern IS = Pattern.compile("[+-]?\\d{1,12}");
  private static final Pattern DA = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})");
  private static final Pattern TM =
      Pattern.compile("(\\d{2})(?::?(\\d{2})(?::?(\\d{2})(?:\\.(\\d{1,6}))?)?)?");
  private static final Pattern DT =
      Pattern.compile(
          "(\\d{4})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:\\.(\\d{1,6}))?)?)?)?)?)?"
              + "([+-]\\d{4})?");
  private static final Pattern AS = Pattern.compile("(\\d{3})([DWMY])");
  private static final Pattern AS_SHORT = Pattern.compile("\\d{1,2}[DWMY]");

  private DicomValues() {}

  /** True for null or only padding (space, NUL). */
  public static boolean isBlank(String raw) {
    return raw == null || raw.replace('\0', ' ').isBlank();
  }

  private static String trim(String raw) {
    return raw.replace('\0', ' ').trim();
  }

  /** DA {@code YYYYMMDD} (the pre-3.0 form {@code YYYY.MM.DD} is malformed). */
  public static LocalDate parseDate(String raw) {
    if (isBlank(raw)) {
      return null;
    }
    Matcher m = DA.matcher(trim(raw));
    if (!m.matches()) {
      return null;
    }
    try {
      return LocalDate.of(
          Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * TM {@code HH[MM[SS[.F{1,6}]]]} (also the ACR-NEMA {@code HH:MM:SS}) → {@code HH:MM:SS.FFFFFF}.
   */
  public static String parseTime(String raw) {
    if (isBlank(raw)) {
      return null;
    }
    Matcher m = TM.matcher(trim(raw));
    if (!m.matches()) {
      return null;
    }
    int h = Integer.parseInt(m.group(1));
    int min = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    int s = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    String frac = m.group(4) == null ? "" : m.group(4);
    // 60 is allowed for a leap second in TM.
    if (h > 23 || min > 59 || s > 60) {
      return null;
    }
    // Built by hand: String.format was the costliest step of promoting a TM value.
    StringBuilder out = new StringBuilder(15);
    twoDigits(out, h).append(':');
    twoDigits(out, min).append(':');
    twoDigits(out, Math.min(s, 59)).append('.').append(frac);
    for (int i = frac.length(); i < 6; i++) {
      out.append('0');
    }
    return out.toString();
  }

  private static StringBuilder twoDigits(StringBuilder out, int value) {
    return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  /** DT {@code YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]}; with an offset the result is UTC. */
  public static LocalDateTime parseDateTime(String raw) {
    if (isBlank(raw)) {
      return null;
    }
    Matcher m = DT.matcher(trim(raw));
    if (!m.matches()) {
      return null;
    }
    try {
      LocalDateTime t =
          LocalDateTime.of(
              Integer.parseInt(m.group(1)),
              m.group(2) == null ? 1 : Integer.parseInt(m.group(2)),
              m.group(3) == null ? 1 : Integer.parseInt(m.group(3)),
              m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
              m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
              m.group(6) == null ? 0 : Math.min(59, Integer.parseInt(m.group(6))),
              m.group(7) == null
                  ? 0
                  : Integer.parseInt((m.group(7) + "000000").substring(0, 6)) * 1000);
      if (m.group(8) != null) {
        ZoneOffset offset =
            ZoneOffset.of(m.group(8).substring(0, 3) + ":" + m.group(8).substring(3));
        t = t.atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
      }
      return t;
    } catch (DateTimeException | NumberFormatException e) {
      return null;
    }
  }

  /** DS decimal string (also used for FD/FL rendered as text); NaN and infinities are malformed. */
  public static Double parseDouble(String raw) {
    if (isBlank(raw)) {
      return null;
    }
    String s = trim(raw);
    if (!DS.matcher(s).matches()) {
      return null;
    }
    double d = Double.parseDouble(s);
    return Double.isFinite(d) ? d : null;
  }

  /** IS / SS / US / SL as a 32-bit integer; out of range is malformed. */
  public static Integer parseInt(String raw) {
    Long value = parseLong(raw);
    if (value == null || value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      return null;
    }
    return value.intValue();
  }

  /** UL / SV / UV as a 64-bit integer. */
  public static Long parseLong(String raw) {
    if (isBlank(raw)) {
      return null;
    }
    String s = trim(raw);
    if (!IS.matcher(s).matches()) {
      return null;
    }
    return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
  }

  /** An AS age: the number and its unit ({@code D}, {@code W}, {@code M}, {@code Y}). */
  public record Age(int number, char unit) {
    /** Age in years: days / 365.25, weeks × 7 / 365.25, months / 12. */
    public double years() {
      return switch (unit) {
        case 'D' -> number / 365.25;
        case 'W' -> number * 7 / 365.25;
        case 'M' -> number / 12.0;
        default -> number;
      };
    }

    public String unitName() {
      return switch (unit) {
        case 'D' -> "days";
        case 'W' -> "weeks";
        case 'M' -> "months";
        default -> "years";
      };
    }
  }

  /** AS {@code nnnD|W|M|Y}; lower-case unit and missing zero-padding are tolerated. */
  public static Age parseAge(String raw) {
    if (isBlank(raw)) {
      return null;
    }
    String s = trim(raw).toUpperCase(java.util.Locale.ROOT);
    if (AS_SHORT.matcher(s).matches()) {
      s = "0".repeat(4 - s.length()) + s;
    }
    Matcher m = AS.matcher(s);
    if (!m.matches()) {
      return null;
    }
    return new Age(Integer.parseInt(m.group(1)), m.group(2).charAt(0));
  }

  /**
   * Whole years between birth and study date (the age on the study day), or {@code null} when
   * either is unknown or the birth date is after the study.
   */
  public static Integer ageAtStudy(LocalDate birth, LocalDate study) {
    if (birth == null || study == null || birth.isAfter(study)) {
      return null;
    }
    return java.time.Period.between(birth, study).getYears();
  }
}
