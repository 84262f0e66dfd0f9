package org.imaginglakehouse.core.identity;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The Scottish Community Health Index number (CHI): ten digits {@code DDMMYYNNSC} where {@code
 * DDMMYY} is the birth date, {@code S} (the ninth digit) is odd for males and even for females and
 * {@code C} is a modulus-11 check digit over the first nine digits with weights 10..2.
 *
 * <p>A remainder giving check value 10 is never issued, so such a nine-digit prefix has no valid
 * CHI; check value 11 is written as 0. The century is not encoded: {@link #birthDate(String, int)}
 * resolves it against a reference year.
 *
 * <p>All methods are static and thread-safe. Inputs are normalised by {@link #normalise(String)}
 * (spaces and hyphens removed, e.g. {@code "010180 1234"}), so callers may pass raw header values.
 */
public final class Chi {
  /** Biological sex as encoded by the ninth digit. */
  public enum Sex {
    MALE,
    FEMALE;

    /** The DICOM PatientSex code (M/F). */
    public String dicomCode() {
      return this == MALE ? "M" : "F";
    }
  }

  private Chi() {}

  /** Removes spaces and hyphens and trims; returns null for null. Does not check anything else. */
  public static String normalise(String raw) {
    if (raw == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != ' ' && c != '-' && c != '\t') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * Modulus-11 check digit for the first nine digits of {@code digits} (at least nine ASCII
   * digits), or -1 when no valid check digit exists (remainder gives 10).
   */
  public static int checkDigit(CharSequence digits) {
    if (digits == null || digits.length() < 9) {
      throw new IllegalArgumentException("CHI check digit needs nine digits, got: " + digits);
    }
    int sum = 0;
    for (int i = 0; i < 9; i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("CHI check digit needs nine digits, got: " + digits);
      }
      sum += (c - '0') * (10 - i);
    }
    int check = 11 - (sum % 11);
    if (check == 11) {
      return 0;
    }
    return check == 10 ? -1 : check;
  }

  /**
   * True when {@code raw} (after {@link #normalise}) is ten digits, starts with a real calendar
   * date DDMMYY (any century) and has the correct modulus-11 check digit.
   */
  public static boolean isValid(String raw) {
    String s = normalise(raw);
    if (s == null || s.length() != 10) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    if (!isCalendarDate(s)) {
      return false;
    }
    int check = checkDigit(s);
    return check >= 0 && check == s.charAt(9) - '0';
  }

  /** Like {@link #isValid} but ignores the birth-date part (only format and check digit). */
  public static boolean hasValidCheckDigit(String raw) {
    String s = normalise(raw);
    if (s == null || s.length() != 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    int check = checkDigit(s);
    return check >= 0 && check == s.charAt(9) - '0';
  }

  /** The sex encoded by the ninth digit (odd = male), or empty when {@code raw} is not valid. */
  public static Optional<Sex> sex(String raw) {
    if (!isValid(raw)) {
      return Optional.empty();
    }
    int d = normalise(raw).charAt(8) - '0';
    return Optional.of(d % 2 == 1 ? Sex.MALE : Sex.FEMALE);
  }

  /**
   * The birth date encoded by a valid CHI, choosing the century so that the date is not after
   * {@code referenceYear}'s 31 December (e.g. with reference 2026, "01 01 30" is 1930, "01 01 20"
   * is 2020). Empty when {@code raw} is not valid.
   */
  public static Optional<LocalDate> birthDate(String raw, int referenceYear) {
    if (!isValid(raw)) {
      return Optional.empty();
    }
    String s = normalise(raw);
    int dd = Integer.parseInt(s.substring(0, 2));
    int mm = Integer.parseInt(s.substring(2, 4));
    int yy = Integer.parseInt(s.substring(4, 6));
    int century = (referenceYear / 100) * 100;
    int year = century + yy;
    if (year > referenceYear) {
      year -= 100;
    }
    try {
      return Optional.of(LocalDate.of(year, mm, dd));
    } catch (DateTimeException e) {
      // 29 Feb in a non-leap year of the chosen century: try the previous century.
      try {
        return Optional.of(LocalDate.of(year - 100, mm, dd));
      } catch (DateTimeException e2) {
        return Optional.empty();
      }
    }
  }

  /** The DDMMYY birth-date part of a normalised CHI as DICOM DA (YYYYMMDD) for a reference year. */
  public static Optional<String> birthDateDicom(String raw, int referenceYear) {
    return birthDate(raw, referenceYear)
        .map(d -> String.format("%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth()));
  }

  /** True when {@code raw} is valid and encodes {@code birthDate} (day, month, two-digit year). */
  public static boolean matchesBirthDate(String raw, LocalDate birthDate) {
    if (!isValid(raw) || birthDate == null) {
      return false;
    }
    return normalise(raw).substring(0, 6).equals(datePart(birthDate));
  }

  /**
   * Generates a valid CHI for {@code birthDate} and {@code sex}, drawing the serial digits from
   * {@code random} (deterministic for a seeded generator).
   */
  public static String generate(LocalDate birthDate, Sex sex, RandomGenerator random) {
    String date = datePart(birthDate);
    while (true) {
      int serial = random.nextInt(100);
      int sexDigit = random.nextInt(5) * 2 + (sex == Sex.MALE ? 1 : 0);
      String nine = date + String.format("%02d", serial) + sexDigit;
      int check = checkDigit(nine);
      if (check >= 0) {
        return nine + check;
      }
    }
  }

  /**
   * Turns a valid CHI into one that fails validation only by its check digit (for test data with
   * deliberately wrong identifiers).
   */
  public static String withWrongCheckDigit(String chi) {
    String s = normalise(chi);
    int good = s.charAt(9) - '0';
    int bad = (good + 1) % 10;
    return s.substring(0, 9) + bad;
  }

  private static String datePart(LocalDate d) {
    return String.format("%02d%02d%02d", d.getDayOfMonth(), d.getMonthValue(), d.getYear() % 100);
  }

  private static boolean isCalendarDate(String s) {
    int dd = Integer.parseInt(s.substring(0, 2));
    int mm = Integer.parseInt(s.substring(2, 4));
    int yy = Integer.parseInt(s.substring(4, 6));
    if (mm < 1 || mm > 12 || dd < 1) {
      return false;
    }
    // Any century: 29 Feb is fine when the two-digit year is a leap year in some century (yy % 4).
    int max =
        switch (mm) {
          case 2 -> yy % 4 == 0 ? 29 : 28;
          case 4, 6, 9, 11 -> 30;
          default -> 31;
        };
    return dd <= max;
  }
}
