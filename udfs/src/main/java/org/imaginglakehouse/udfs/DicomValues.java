package org.imaginglakehouse.udfs;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Conversions of DICOM value representations (PS3.5 6.2) to SQL values. Every method returns {@code
 * null} for null, empty or malformed input and never throws: a bad value in one file must not kill
 * an analyst's query.
 */
public final class DicomValues {
  /** Days per year used for D/W/M age units (mean Gregorian year). */
  public static final double DAYS_PER_YEAR = 365.2425;

  private static final Pattern AGE = Pattern.compile("(\\d{1,3})\\s*([DWMY])");
  private static final Pattern DATE = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})");
  // ACR-NEMA 2.0 style dates still found in old archives: 1993.02.28
  private static final Pattern LEGACY_DATE = Pattern.compile("(\\d{4})\\.(\\d{2})\\.(\\d{2})");
  private static final Pattern TIME =
      Pattern.compile("(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:\\.(\\d{1,6}))?)?)?");
  private static final Pattern LEGACY_TIME =
      Pattern.compile("(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?");
  private static final Pattern DATETIME =
      Pattern.compile(
          "(\\d{4})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:\\.(\\d{1,6}))?)?)?)?)?)?"
              + "([+-]\\d{4})?");
  private static final DateTimeFormatter TIME_FORMAT = DateTimeFormatter.ofPattern("HH:mm:ss");

  private DicomValues() {}

  /**
   * Age string (AS, e.g. {@code 045Y}, {@code 006M}, {@code 010W}, {@code 003D}) in years. Months
   * are twelfths of a year; weeks and days use {@link #DAYS_PER_YEAR}. Units are case-insensitive
   * and 1-3 digits are accepted (some modalities drop leading zeros); a number without a unit is
   * malformed.
   */
  public static Double ageYears(String as) {
    if (as == null) {
      return null;
    }
    Matcher m = AGE.matcher(as.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    int n = Integer.parseInt(m.group(1));
    return switch (m.group(2)) {
      case "Y" -> (double) n;
      case "M" -> n / 12.0;
      case "W" -> n * 7 / DAYS_PER_YEAR;
      default -> n / DAYS_PER_YEAR;
    };
  }

  /** Date (DA, {@code YYYYMMDD}; also legacy {@code YYYY.MM.DD}); impossible dates are null. */
  public static LocalDate date(String da) {
    if (da == null) {
      return null;
    }
    String s = da.trim();
    Matcher m = DATE.matcher(s);
    if (!m.matches()) {
      m = LEGACY_DATE.matcher(s);
      if (!m.matches()) {
        return null;
      }
    }
    try {
      return LocalDate.of(
          Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * Time (TM, {@code HH[MM[SS[.F{1,6}]]]}; also legacy {@code HH:MM[:SS[.F]]}) as a local time;
   * omitted components are zero. A seconds value of 60 (leap second) is clamped to 59.999999.
   */
  public static LocalTime time(String tm) {
    if (tm == null) {
      return null;
    }
    String s = tm.trim();
    Matcher m = TIME.matcher(s);
    if (!m.matches()) {
      m = LEGACY_TIME.matcher(s);
      if (!m.matches()) {
        return null;
      }
    }
    return localTime(m.group(1), m.group(2), m.group(3), m.group(4));
  }

  /** {@link #time} formatted as ISO-8601 {@code HH:MM:SS[.ffffff]} (fraction only if given). */
  public static String timeIso(String tm) {
    LocalTime t = time(tm);
    if (t == null) {
      return null;
    }
    String base = TIME_FORMAT.format(t);
    int micros = t.getNano() / 1000;
    return micros == 0 && !hasFraction(tm) ? base : base + String.format(".%06d", micros);
  }

  private static boolean hasFraction(String tm) {
    return tm.indexOf('.') >= 0 && !LEGACY_DATE.matcher(tm.trim()).matches();
  }

  /**
   * Date time (DT, {@code YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]}) as an instant. Omitted
   * components take their minimum (month and day 1, time 0). With a UTC offset suffix the value is
   * converted to UTC; without one it is read as UTC wall-clock time, which is what the lakehouse
   * session time zone (UTC) displays unchanged.
   */
  public static java.time.Instant dateTime(String dt) {
    if (dt == null) {
      return null;
    }
    Matcher m = DATETIME.matcher(dt.trim());
    if (!m.matches()) {
      return null;
    }
    try {
      int year = Integer.parseInt(m.group(1));
      int month = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
      int day = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
      LocalTime time =
          m.group(4) == null
              ? LocalTime.MIDNIGHT
              : localTime(m.group(4), m.group(5), m.group(6), m.group(7));
      if (time == null) {
        return null;
      }
      LocalDateTime local = LocalDateTime.of(LocalDate.of(year, month, day), time);
      ZoneOffset offset = ZoneOffset.UTC;
      if (m.group(8) != null) {
        String z = m.group(8);
        int hours = Integer.parseInt(z.substring(1, 3));
        int minutes = Integer.parseInt(z.substring(3, 5));
        if (hours > 14 || minutes > 59) {
          return null;
        }
        int sign = z.charAt(0) == '-' ? -1 : 1;
        offset = ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
      }
      return local.toInstant(offset);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static LocalTime localTime(String hh, String mm, String ss, String fraction) {
    int hour = Integer.parseInt(hh);
    int minute = mm == null ? 0 : Integer.parseInt(mm);
    int second = ss == null ? 0 : Integer.parseInt(ss);
    int nanos = 0;
    if (fraction != null) {
      nanos = Integer.parseInt((fraction + "000000").substring(0, 6)) * 1000;
    }
    if (hour > 23 || minute > 59 || second > 60) {
      return null;
    }
    if (second == 60) {
      return LocalTime.of(hour, minute, 59, 999_999_000);
    }
    return LocalTime.of(hour, minute, second, nanos);
  }
}
