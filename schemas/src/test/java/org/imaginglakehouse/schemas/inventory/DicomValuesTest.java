package org.imaginglakehouse.schemas.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DicomValuesTest {
  @Test
  void dates() {
    assertThat(DicomValues.parseDate("19970424")).isEqualTo(LocalDate.of(1997, 4, 24));
    assertThat(DicomValues.parseDate(" 19970424 ")).isEqualTo(LocalDate.of(1997, 4, 24));
    assertThat(DicomValues.parseDate("1997.04.24")).isNull();
    assertThat(DicomValues.parseDate("19970231")).isNull();
    assertThat(DicomValues.parseDate("")).isNull();
    assertThat(DicomValues.isBlank("\0 ")).isTrue();
  }

  @Test
  void times() {
    assertThat(DicomValues.parseTime("070907.0705")).isEqualTo("07:09:07.070500");
    assertThat(DicomValues.parseTime("1010")).isEqualTo("10:10:00.000000");
    assertThat(DicomValues.parseTime("10")).isEqualTo("10:00:00.000000");
    assertThat(DicomValues.parseTime("10:10:10")).isEqualTo("10:10:10.000000");
    assertThat(DicomValues.parseTime("235960")).isEqualTo("23:59:59.000000");
    assertThat(DicomValues.parseTime("2561")).isNull();
    assertThat(DicomValues.parseTime("noon")).isNull();
  }

  @Test
  void dateTimes() {
    assertThat(DicomValues.parseDateTime("20200102030405.123"))
        .isEqualTo(LocalDateTime.of(2020, 1, 2, 3, 4, 5, 123_000_000));
    assertThat(DicomValues.parseDateTime("2020")).isEqualTo(LocalDateTime.of(2020, 1, 1, 0, 0));
    assertThat(DicomValues.parseDateTime("20200102030405+0100"))
        .isEqualTo(LocalDateTime.of(2020, 1, 2, 2, 4, 5));
    assertThat(DicomValues.parseDateTime("2020-01-02")).isNull();
  }

  @Test
  void numbers() {
    assertThat(DicomValues.parseDouble(" 1.5 ")).isEqualTo(1.5);
    assertThat(DicomValues.parseDouble("-.5e2")).isEqualTo(-50.0);
    assertThat(DicomValues.parseDouble("abc")).isNull();
    assertThat(DicomValues.parseDouble("NaN")).isNull();
    assertThat(DicomValues.parseDouble("1,5")).isNull();
    assertThat(DicomValues.parseInt("+42")).isEqualTo(42);
    assertThat(DicomValues.parseInt("42.0")).isNull();
    assertThat(DicomValues.parseInt("99999999999")).isNull();
    assertThat(DicomValues.parseLong("4294967295")).isEqualTo(4294967295L);
  }

  @Test
  void ages() {
    assertThat(DicomValues.parseAge("075Y")).isEqualTo(new DicomValues.Age(75, 'Y'));
    assertThat(DicomValues.parseAge("075Y").years()).isEqualTo(75.0);
    assertThat(DicomValues.parseAge("006M").years()).isEqualTo(0.5);
    assertThat(DicomValues.parseAge("002W").years()).isCloseTo(14 / 365.25, within(1e-9));
    assertThat(DicomValues.parseAge("010D").years()).isCloseTo(10 / 365.25, within(1e-9));
    assertThat(DicomValues.parseAge("010D").unitName()).isEqualTo("days");
    assertThat(DicomValues.parseAge("75y")).isEqualTo(new DicomValues.Age(75, 'Y'));
    assertThat(DicomValues.parseAge("75 years")).isNull();
    assertThat(DicomValues.ageAtStudy(LocalDate.of(1950, 6, 15), LocalDate.of(2020, 6, 14)))
        .isEqualTo(69);
    assertThat(DicomValues.ageAtStudy(LocalDate.of(1950, 6, 15), LocalDate.of(2020, 6, 15)))
        .isEqualTo(70);
    assertThat(DicomValues.ageAtStudy(LocalDate.of(2021, 1, 1), LocalDate.of(2020, 1, 1))).isNull();
  }

  @Test
  void vrTypes() {
    assertThat(ValueType.forVr("DA")).isEqualTo(ValueType.DATE);
    assertThat(ValueType.forVr("DS")).isEqualTo(ValueType.DOUBLE);
    assertThat(ValueType.forVr("IS")).isEqualTo(ValueType.INT);
    assertThat(ValueType.forVr("UL")).isEqualTo(ValueType.BIGINT);
    assertThat(ValueType.forVr("FD")).isEqualTo(ValueType.DOUBLE);
    assertThat(ValueType.forVr("DT")).isEqualTo(ValueType.TIMESTAMP);
    assertThat(ValueType.forVr("OB")).isNull();
    assertThat(ValueType.forVr("SQ")).isNull();
  }

  @Test
  void tokens() {
    Tokens tokens = PromotionSpec.builtIn().tokens();
    assertThat(tokens.normalise("  Brian ")).isEqualTo("BRAIN");
    assertThat(tokens.normalise("CT-  HAED +C")).isEqualTo("CT HEAD CONTRAST");
    assertThat(tokens.normalise("mri  Brain W/CONT")).isEqualTo("MR BRAIN WITH CONTRAST");
    assertThat(tokens.normalise(" / ")).isNull();
    assertThat(new Tokens(Map.of("x", "")).normalise("a x b")).isEqualTo("A B");
  }

  @Test
  void tokensAreRunsOfUnicodeLettersNumbersAndPlus() {
    Tokens tokens = new Tokens(Map.of("HAED", "HEAD"));
    assertThat(tokens.normalise("séance\tⅫ² ½-haed")).isEqualTo("SÉANCE Ⅻ² ½ HEAD");
    assertThat(tokens.normalise("\uD835\uDC00b\u2014straße")).isEqualTo("\uD835\uDC00B STRASSE");
    // Against the regular expression that defines a separator, on varied text.
    Pattern separators = Pattern.compile("[^\\p{L}\\p{N}+]+");
    String alphabet = "aZ09+ -/.,\t\nÉßⅫ²½\u00A0\u2014\uD835\uDC00\uD83D\uDE00";
    int[] points = alphabet.codePoints().toArray();
    Random random = new Random(7);
    for (int n = 0; n < 2_000; n++) {
      StringBuilder text = new StringBuilder();
      for (int k = random.nextInt(12); k > 0; k--) {
        text.appendCodePoint(points[random.nextInt(points.length)]);
      }
      String expected =
          Arrays.stream(separators.split(text.toString().toUpperCase(Locale.ROOT)))
              .filter(t -> !t.isEmpty())
              .collect(Collectors.joining(" "));
      assertThat(tokens.normalise(text.toString()))
          .as("tokens of %s", text)
          .isEqualTo(expected.isEmpty() ? null : expected);
    }
  }
}
