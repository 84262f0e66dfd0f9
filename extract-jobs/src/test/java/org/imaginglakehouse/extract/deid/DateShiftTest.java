package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DateShiftTest {

  @Test
  void fullDatesShiftAcrossMonthYearAndLeapDay() {
    assertThat(DateShift.shiftDate("20140301", -1)).isEqualTo("20140228");
    assertThat(DateShift.shiftDate("20160228", 1)).isEqualTo("20160229");
    assertThat(DateShift.shiftDate("20141231", 1)).isEqualTo("20150101");
    assertThat(DateShift.shiftDate("20140315", 0)).isEqualTo("20140315");
    assertThat(DateShift.shiftDate(" 20140315 ", 10)).isEqualTo("20140325");
    // Years below 1000 keep their four digits (and year 0 does not exist in DICOM's dates).
    assertThat(DateShift.shiftDate("00010105", 1)).isEqualTo("00010106");
    assertThat(DateShift.shiftDate("09991231", 1)).isEqualTo("10000101");
    assertThat(DateShift.shiftDate("0999", 365)).isEqualTo("1000");
    assertThat(DateShift.shiftDate("00010101", -1)).isNull();
  }

  @Test
  void acrNemaDotsAreWrittenAsDicomDates() {
    assertThat(DateShift.shiftDate("2014.03.15", 10)).isEqualTo("20140325");
  }

  @Test
  void partialDatesKeepTheirPrecisionAnchoredOnThePeriodStart() {
    assertThat(DateShift.shiftDate("201403", 10)).isEqualTo("201403");
    assertThat(DateShift.shiftDate("201403", 31)).isEqualTo("201404");
    assertThat(DateShift.shiftDate("201403", -1)).isEqualTo("201402");
    assertThat(DateShift.shiftDate("2014", 364)).isEqualTo("2014");
    assertThat(DateShift.shiftDate("2014", 365)).isEqualTo("2015");
    assertThat(DateShift.shiftDate("2014", -1)).isEqualTo("2013");
  }

  @Test
  void rangesShiftBothEndsAndKeepOpenEnds() {
    assertThat(DateShift.shiftDate("20140101-20140131", 5)).isEqualTo("20140106-20140205");
    assertThat(DateShift.shiftDate("20140101-", 5)).isEqualTo("20140106-");
    assertThat(DateShift.shiftDate("-20140131", 5)).isEqualTo("-20140205");
    assertThat(DateShift.shiftDateTime("2014-2015", 365)).isEqualTo("2015-2016");
    assertThat(DateShift.shiftDateTime("20140101120000-20140102", 1))
        .isEqualTo("20140102120000-20140103");
  }

  @Test
  void dateTimesShiftTheDateAndKeepTimeFractionAndUtcOffset() {
    assertThat(DateShift.shiftDateTime("20140331235959.123456+0100", 1))
        .isEqualTo("20140401235959.123456+0100");
    assertThat(DateShift.shiftDateTime("20140331-0500", -31)).isEqualTo("20140228-0500");
    assertThat(DateShift.shiftDateTime("2014033112", 1)).isEqualTo("2014040112");
    assertThat(DateShift.shiftDateTime("201403", 31)).isEqualTo("201404");
    assertThat(DateShift.shiftDateTime("2014", -1)).isEqualTo("2013");
    // a range whose first end carries a negative UTC offset
    assertThat(DateShift.shiftDateTime("20140101-0500-20140102-0500", 1))
        .isEqualTo("20140102-0500-20140103-0500");
  }

  @Test
  void valuesThatAreNotDatesAreRefused() {
    assertThat(DateShift.shiftDate("15/03/2014", 1)).isNull();
    assertThat(DateShift.shiftDate("20140230", 1)).isNull();
    assertThat(DateShift.shiftDate("UNKNOWN", 1)).isNull();
    assertThat(DateShift.shiftDate("-", 1)).isNull();
    assertThat(DateShift.shiftDateTime("2014x", 1)).isNull();
    assertThat(DateShift.shiftDate("", 1)).isEmpty();
  }

  @Test
  void intervalsArePreservedForAnyShift() {
    for (int shift = -400; shift <= 400; shift += 37) {
      java.time.LocalDate a =
          java.time.LocalDate.parse(
              DateShift.shiftDate("20120228", shift),
              java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
      java.time.LocalDate b =
          java.time.LocalDate.parse(
              DateShift.shiftDate("20150701", shift),
              java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
      assertThat(java.time.temporal.ChronoUnit.DAYS.between(a, b)).isEqualTo(1219);
    }
  }
}
