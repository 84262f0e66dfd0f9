package org.imaginglakehouse.extract.deid;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shifts DICOM DA and DT values by whole days, keeping their precision.
 *
 * <ul>
 *   <li>DA {@code YYYYMMDD} → the date plus the days; the ACR-NEMA form {@code YYYY.MM.DD} is
 *       written back as {@code YYYYMMDD}.
 *   <li>Partial values {@code YYYY} and {@code YYYYMM} stand for a period: the period's first day
 *       is shifted and the result written with the same precision, so the same partial value of a
 *       patient always gives the same result.
 *   <li>Ranges {@code A-B}, {@code A-} and {@code -B} (query-style values) shift each end.
 *   <li>DT: the date part is shifted as above; the time, fraction and UTC offset ({@code &ZZXX})
 *       are kept as they are, so the time of day is unchanged.
 * </ul>
 *
 * Methods return null for a value that is not a date (the caller removes the attribute: a value
 * that cannot be shifted is not released). Thread-safe (no state).
 */
final class DateShift {
  private static final Pattern DA = Pattern.compile("(\\d{4})(?:\\.?(\\d{2})(?:\\.?(\\d{2}))?)?");
  private static final Pattern DT =
      Pattern.compile("(\\d{4})(\\d{2})?(\\d{2})?((?:\\d{2}){0,3}(?:\\.\\d{1,6})?)([+-]\\d{4})?");

  private DateShift() {}

  /** A DA value (single or range) shifted by {@code days}, or null if it is not a date. */
  static String shiftDate(String value, int days) {
    return shift(value, days, DateShift::shiftSingleDate);
  }

  /** A DT value (single or range) shifted by {@code days}, or null if it is not a datetime. */
  static String shiftDateTime(String value, int days) {
    return shift(value, days, DateShift::shiftSingleDateTime);
  }

  private static String shift(String value, int days, BiFunction<String, Integer, String> single) {
    String v = value.strip();
    if (v.isEmpty()) {
      return v;
    }
    String whole = single.apply(v, days);
    if (whole != null) {
      return whole;
    }
    // A range "A-B", "A-" or "-B": in a DT a '-' can also start a UTC offset, so try each '-' as
    // the separator and take the first split whose two ends are values.
    for (int dash = v.indexOf('-'); dash >= 0; dash = v.indexOf('-', dash + 1)) {
      String a = v.substring(0, dash);
      String b = v.substring(dash + 1);
      String sa = a.isEmpty() ? "" : single.apply(a, days);
      String sb = b.isEmpty() ? "" : single.apply(b, days);
      if (sa != null && sb != null && !(a.isEmpty() && b.isEmpty())) {
        return sa + "-" + sb;
      }
    }
    return null;
  }

  private static String shiftSingleDate(String v, int days) {
    Matcher m = DA.matcher(v);
    if (!m.matches()) {
      return null;
    }
    return shiftParts(m.group(1), m.group(2), m.group(3), days);
  }

  private static String shiftSingleDateTime(String v, int days) {
    Matcher m = DT.matcher(v);
    if (!m.matches()) {
      return null;
    }
    String time = m.group(4);
    if (!time.isEmpty() && m.group(3) == null) {
      return null;
    }
    String offset = m.group(5) == null ? "" : m.group(5);
    if (!offset.isEmpty()
        && (Integer.parseInt(offset.substring(1, 3)) > 14
            || Integer.parseInt(offset.substring(3)) > 59)) {
      return null; // not a UTC offset (-1200 to +1400): maybe the '-' of a range
    }
    String date = shiftParts(m.group(1), m.group(2), m.group(3), days);
    return date == null ? null : date + time + offset;
  }

  /** Shifts year[/month[/day]]; a partial date is anchored on its period's first day. */
  private static String shiftParts(String year, String month, String day, int days) {
    try {
      LocalDate d =
          LocalDate.of(
              Integer.parseInt(year),
              month == null ? 1 : Integer.parseInt(month),
              day == null ? 1 : Integer.parseInt(day));
      LocalDate s = d.plusDays(days);
      if (s.getYear() < 1 || s.getYear() > 9999) {
        return null;
      }
      // Without String.format: this runs for every date of every file written.
      StringBuilder out = new StringBuilder(8);
      digits(out, s.getYear(), 4);
      if (month != null) {
        digits(out, s.getMonthValue(), 2);
      }
      if (day != null) {
        digits(out, s.getDayOfMonth(), 2);
      }
      return out.toString();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** {@code value} (0 or more) zero-padded to {@code width} digits. */
  private static void digits(StringBuilder out, int value, int width) {
    String v = Integer.toString(value);
    for (int i = v.length(); i < width; i++) {
      out.append('0');
    }
    out.append(v);
  }
}
