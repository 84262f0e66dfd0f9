package org.imaginglakehouse.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DicomValuesTest {
  @Test
  void ageStringsInYears() {
    assertThat(DicomValues.ageYears("045Y")).isEqualTo(45.0);
    assertThat(DicomValues.ageYears("006M")).isEqualTo(0.5);
    assertThat(DicomValues.ageYears("052W")).isCloseTo(364 / 365.2425, within(1e-12));
    assertThat(DicomValues.ageYears("003D")).isCloseTo(3 / 365.2425, within(1e-12));
    assertThat(DicomValues.ageYears(" 45y ")).isEqualTo(45.0);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "45", "Y", "045X", "-45Y", "1045Y", "4.5Y", "045Y045Y"})
  void malformedAgesAreNull(String as) {
    assertThat(DicomValues.ageYears(as)).isNull();
  }

  @Test
  void dates() {
    assertThat(DicomValues.date("20200131")).isEqualTo(LocalDate.of(2020, 1, 31));
    assertThat(DicomValues.date("1993.02.28 ")).isEqualTo(LocalDate.of(1993, 2, 28));
    assertThat(DicomValues.date("20000229")).isEqualTo(LocalDate.of(2000, 2, 29));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {"", "2020013", "20200230", "20201301", "19000229", "2020-01-31x", "abcdefgh"})
  void malformedDatesAreNull(String da) {
    assertThat(DicomValues.date(da)).isNull();
  }

  @Test
  void times() {
    assertThat(DicomValues.time("0930")).isEqualTo(LocalTime.of(9, 30));
    assertThat(DicomValues.time("07")).isEqualTo(LocalTime.of(7, 0));
    assertThat(DicomValues.time("235959.123")).isEqualTo(LocalTime.of(23, 59, 59, 123_000_000));
    assertThat(DicomValues.time("10:11:12")).isEqualTo(LocalTime.of(10, 11, 12));
    assertThat(DicomValues.time("235960")).isEqualTo(LocalTime.of(23, 59, 59, 999_999_000));
    assertThat(DicomValues.timeIso("0930")).isEqualTo("09:30:00");
    assertThat(DicomValues.timeIso("093000.5")).isEqualTo("09:30:00.500000");
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "9", "2400", "1260", "126061", "12:3", "093000.1234567", "ab"})
  void malformedTimesAreNull(String tm) {
    assertThat(DicomValues.time(tm)).isNull();
    assertThat(DicomValues.timeIso(tm)).isNull();
  }

  @Test
  void dateTimes() {
    assertThat(DicomValues.dateTime("20200131093000.5+0100"))
        .isEqualTo(Instant.parse("2020-01-31T08:30:00.500Z"));
    assertThat(DicomValues.dateTime("20200131093000"))
        .isEqualTo(Instant.parse("2020-01-31T09:30:00Z"));
    assertThat(DicomValues.dateTime("2020")).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(DicomValues.dateTime("202002-0330"))
        .isEqualTo(Instant.parse("2020-02-01T03:30:00Z"));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "20", "20201", "20200230", "2020013125", "20200131+2500", "x2020"})
  void malformedDateTimesAreNull(String dt) {
    assertThat(DicomValues.dateTime(dt)).isNull();
  }
}
