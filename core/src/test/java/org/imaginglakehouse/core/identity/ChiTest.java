package org.imaginglakehouse.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChiTest {

  @Test
  void checkDigitMatchesHandComputation() {
    // 0*10 + 1*9 + 0*8 + 1*7 + 0*6 + 1*5 + 1*4 + 2*3 + 3*2 = 37; 37 mod 11 = 4; 11 - 4 = 7
    assertThat(Chi.checkDigit("010101123")).isEqualTo(7);
    assertThat(Chi.isValid("0101011237")).isTrue();
    assertThat(Chi.isValid("0101011238")).isFalse();
    // 3*10 + 1*9 + 1*8 + 2*7 + 8*6 + 5*5 + 0*4 + 0*3 + 4*2 = 142 = 12*11 + 10 -> 1
    assertThat(Chi.checkDigit("311285004")).isEqualTo(1);
    assertThat(Chi.isValid("3112850041")).isTrue();
  }

  @Test
  void remainderOneMeansNoValidCheckDigitAndZeroRemainderGivesZero() {
    // 1*10 + 0 ... + 1*2 = 12 -> 12 mod 11 = 1 -> 10: not issuable
    assertThat(Chi.checkDigit("100000001")).isEqualTo(-1);
    assertThat(Chi.hasValidCheckDigit("1000000010")).isFalse();
    // 1*10 + 1*9 ... : 110000000 -> 19 -> 8 -> 3 ; build remainder 0: 0 + ... 11 = 1*9+1*2
    assertThat(Chi.checkDigit("010000001")).isEqualTo(0);
    assertThat(Chi.hasValidCheckDigit("0100000010")).isTrue();
  }

  @Test
  void normalisesSpacesAndHyphens() {
    assertThat(Chi.isValid("010101 1237")).isTrue();
    assertThat(Chi.isValid(" 010101-1237 ")).isTrue();
    assertThat(Chi.normalise(null)).isNull();
  }

  @Test
  void rejectsWrongLengthLettersAndImpossibleDates() {
    assertThat(Chi.isValid(null)).isFalse();
    assertThat(Chi.isValid("")).isFalse();
    assertThat(Chi.isValid("010101123")).isFalse();
    assertThat(Chi.isValid("01010112370")).isFalse();
    assertThat(Chi.isValid("01010A1237")).isFalse();
    // 32nd of January, 13th month, 30 Feb: check digits computed so only the date is wrong
    for (String prefix : new String[] {"320101123", "011301123", "300201123"}) {
      int c = Chi.checkDigit(prefix);
      if (c >= 0) {
        assertThat(Chi.hasValidCheckDigit(prefix + c)).isTrue();
        assertThat(Chi.isValid(prefix + c)).as(prefix).isFalse();
      }
    }
  }

  @Test
  void extractsSexAndBirthDate() {
    // ninth digit 3 (odd) -> male
    assertThat(Chi.sex("0101011237")).contains(Chi.Sex.MALE);
    assertThat(Chi.birthDate("0101011237", 2026)).contains(LocalDate.of(2001, 1, 1));
    assertThat(Chi.birthDate("3112850041", 2026)).contains(LocalDate.of(1985, 12, 31));
    assertThat(Chi.birthDateDicom("3112850041", 2026)).contains("19851231");
    // ninth digit 4 (even) -> female
    assertThat(Chi.sex("3112850041")).contains(Chi.Sex.FEMALE);
    assertThat(Chi.sex("3112850042")).isEmpty();
    assertThat(Chi.matchesBirthDate("3112850041", LocalDate.of(1985, 12, 31))).isTrue();
    assertThat(Chi.matchesBirthDate("3112850041", LocalDate.of(1985, 12, 30))).isFalse();
  }

  @Test
  void generatesValidChisEncodingDateAndSexDeterministically() {
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < 2000; i++) {
      LocalDate d = LocalDate.of(1920, 1, 1).plusDays(r.nextInt(36000));
      Chi.Sex sex = r.nextBoolean() ? Chi.Sex.MALE : Chi.Sex.FEMALE;
      String chi = Chi.generate(d, sex, r);
      assertThat(Chi.isValid(chi)).as(chi).isTrue();
      assertThat(Chi.sex(chi)).contains(sex);
      assertThat(Chi.birthDate(chi, d.getYear())).contains(d);
      assertThat(Chi.matchesBirthDate(chi, d)).isTrue();
      String wrong = Chi.withWrongCheckDigit(chi);
      assertThat(Chi.isValid(wrong)).isFalse();
      assertThat(Chi.sex(wrong)).isEmpty();
    }
    String a = Chi.generate(LocalDate.of(1970, 5, 6), Chi.Sex.FEMALE, new SplittableRandom(7));
    String b = Chi.generate(LocalDate.of(1970, 5, 6), Chi.Sex.FEMALE, new SplittableRandom(7));
    assertThat(a).isEqualTo(b).startsWith("060570");
  }

  @Test
  void checkDigitRejectsShortOrNonDigitInput() {
    assertThatThrownBy(() -> Chi.checkDigit("12345")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Chi.checkDigit("12345678x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
