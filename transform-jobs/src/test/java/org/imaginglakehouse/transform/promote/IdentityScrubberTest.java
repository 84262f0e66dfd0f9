package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentityScrubberTest {
  private static String scrub(String text) {
    return IdentityScrubber.scrub(text, "O'Brien^Mary Ann", "010170 1234", "19700101", "ACC-991");
  }

  @Test
  void removesNamePartsIdsAccessionAndBirthDateAsWholeWords() {
    assertThat(scrub("MRI head Mrs O'BRIEN follow-up"))
        .isEqualTo("MRI head Mrs [removed] follow-up");
    assertThat(scrub("pt OBRIEN MARY 0101701234 moved"))
        .isEqualTo("pt [removed] [removed] [removed] moved");
    assertThat(scrub("ref acc991, dob 01/01/1970 and 1970-01-01"))
        .isEqualTo("ref [removed], dob [removed] and [removed]");
    assertThat(scrub("id 010170-1234")).isEqualTo("id [removed]");
    assertThat(scrub("mary ann")).isEqualTo("[removed] [removed]");
  }

  @Test
  void leavesOtherWordsAndPartialMatchesAlone() {
    String text = "CT Annular BRIENZ 19700102 ACC-9911 rosemary";
    assertThat(scrub(text)).isSameAs(text);
    assertThat(IdentityScrubber.scrub("Churchill", "Hill^J", null, null, null))
        .isEqualTo("Churchill");
    // a one-letter initial is not a word to remove
    assertThat(IdentityScrubber.scrub("J wire", "Hill^J", null, null, null)).isEqualTo("J wire");
    assertThat(scrub(null)).isNull();
    assertThat(IdentityScrubber.scrub("Head CT", null, null, null, null)).isEqualTo("Head CT");
  }

  @Test
  void unicodeNamesAndOverlappingMatches() {
    assertThat(IdentityScrubber.scrub("Dr Müller report", "Müller^Jörg", null, null, null))
        .isEqualTo("Dr [removed] report");
    // the accession contains the ID: one removal, not two
    assertThat(IdentityScrubber.scrub("x AB12345 y", null, "AB12345", null, "AB12345"))
        .isEqualTo("x [removed] y");
  }
}
