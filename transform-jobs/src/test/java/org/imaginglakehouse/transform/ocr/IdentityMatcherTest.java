package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityMatcherTest {
  private final IdentityMatcher matcher =
      IdentityMatcher.of("MACDONALD^FIONA^M", "0101701234", "19700101", "RAD20240001");

  private static Map<String, List<String>> lines(String... lines) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.length; i++) {
      out.put("l" + i, List.of(lines[i].split(" ")));
    }
    return out;
  }

  @Test
  void matchesNamesWithOcrConfusions() {
    assertThat(matcher.match(lines("MACDONALD*FIONA"))).containsExactly("name");
    assertThat(matcher.match(lines("Fi0na"))).containsExactly("name");
    assertThat(matcher.match(lines("MACD0NA1D"))).containsExactly("name");
    assertThat(matcher.match(lines("MACDONLD"))).containsExactly("name"); // one dropped letter
    assertThat(matcher.match(lines("M"))).isEmpty(); // initials are ignored
  }

  @Test
  void matchesChiSplitAcrossWordsAndDatesInCommonSpellings() {
    // A CHI starts with the birth date (DDMMYY), so both match.
    assertThat(matcher.match(lines("CHI: 010170 1234")))
        .containsExactly("birth_date", "patient_id");
    assertThat(matcher.match(lines("DOB 01/01/1970"))).containsExactly("birth_date");
    assertThat(matcher.match(lines("1970-01-01"))).containsExactly("birth_date");
    assertThat(matcher.match(lines("01-Jan-1970"))).containsExactly("birth_date");
    assertThat(matcher.match(lines("1 January 1970"))).containsExactly("birth_date");
    assertThat(matcher.match(lines("Acc RAD2024OOO1"))).containsExactly("accession_number");
  }

  @Test
  void unrelatedTextDoesNotMatch() {
    assertThat(matcher.match(lines("L R 120kV 250mAs", "SMITH JOHN", "02/03/1981"))).isEmpty();
    assertThat(IdentityMatcher.of(null, null, null, null).hasTargets()).isFalse();
  }
}
