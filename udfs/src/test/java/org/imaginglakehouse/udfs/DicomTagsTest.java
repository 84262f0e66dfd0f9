package org.imaginglakehouse.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DicomTagsTest {
  @Test
  void keywordOfEverySpelling() {
    for (String spelling :
        new String[] {
          "00100010", "(0010,0010)", "0010,0010", "0x00100010", "0010 0010", "(0010, 0010)"
        }) {
      assertThat(DicomTags.keyword(spelling)).as(spelling).isEqualTo("PatientName");
    }
    assertThat(DicomTags.keyword("0018,0087")).isEqualTo("MagneticFieldStrength");
  }

  @Test
  void tagOfKeywordRoundTrips() {
    assertThat(DicomTags.tag("PatientName")).isEqualTo("00100010");
    assertThat(DicomTags.tag("StudyInstanceUID")).isEqualTo("0020000D");
    for (String keyword : new String[] {"Modality", "ImageType", "BodyPartExamined", "PixelData"}) {
      assertThat(DicomTags.keyword(DicomTags.tag(keyword))).isEqualTo(keyword);
    }
  }

  @Test
  void valueRepresentations() {
    assertThat(DicomTags.vr("PatientAge")).isEqualTo("AS");
    assertThat(DicomTags.vr("(0008,0020)")).isEqualTo("DA");
    assertThat(DicomTags.vr("RequestAttributesSequence")).isEqualTo("SQ");
  }

  @Test
  void unknownPrivateAndMalformedAreNull() {
    assertThat(DicomTags.keyword("00091010")).isNull(); // private
    assertThat(DicomTags.keyword("zz")).isNull();
    assertThat(DicomTags.keyword("001000100")).isNull();
    assertThat(DicomTags.keyword(null)).isNull();
    assertThat(DicomTags.tag("patientname")).isNull();
    assertThat(DicomTags.tag("NoSuchKeyword")).isNull();
    assertThat(DicomTags.tag("Patient Name")).isNull();
    assertThat(DicomTags.tag(null)).isNull();
    assertThat(DicomTags.vr("NoSuchKeyword")).isNull();
    assertThat(DicomTags.vr("")).isNull();
  }
}
