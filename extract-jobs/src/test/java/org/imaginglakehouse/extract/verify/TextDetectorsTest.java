package org.imaginglakehouse.extract.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import org.imaginglakehouse.core.identity.Chi;
import org.junit.jupiter.api.Test;

class TextDetectorsTest {
  static List<String> detectors(String text) {
    return TextDetectors.scan(text).stream().map(TextDetectors.Finding::detector).toList();
  }

  @Test
  void findsValidChiNumbersInTextAndNothingElse() {
    String chi = Chi.generate(LocalDate.of(1980, 1, 1), Chi.Sex.FEMALE, new Random(3));
    assertThat(TextDetectors.scan("Patient " + chi + " seen"))
        .singleElement()
        .satisfies(f -> assertThat(f.detector()).isEqualTo("chi"))
        .satisfies(f -> assertThat(f.match()).isEqualTo(chi))
        .satisfies(f -> assertThat(f.index()).isEqualTo(8));
    assertThat(detectors("CHI " + chi.substring(0, 6) + " " + chi.substring(6)))
        .containsExactly("chi");
    // Wrong check digit, impossible date, part of a longer number, a UID component: not a CHI.
    assertThat(detectors("x " + Chi.withWrongCheckDigit(chi) + " y")).doesNotContain("chi");
    assertThat(detectors("3213801234")).doesNotContain("chi");
    assertThat(detectors("9" + chi)).isEmpty();
    assertThat(detectors("2.25." + chi + ".7")).isEmpty();
  }

  @Test
  void findsPostcodesPhonesAndEmailAddresses() {
    assertThat(detectors("12 High Street, Edinburgh EH1 1YZ")).containsExactly("postcode");
    assertThat(detectors("lives at eh16 4sa now")).containsExactly("postcode");
    assertThat(detectors("G2 3AB")).containsExactly("postcode");
    assertThat(detectors("Tel 0131 496 0000")).containsExactly("phone");
    assertThat(detectors("call +44 7700 900123")).containsExactly("phone");
    assertThat(detectors("(0131) 4960000")).containsExactly("phone");
    assertThat(detectors("mail jane.doe@example.nhs.uk please")).containsExactly("email");
  }

  @Test
  void leavesOrdinaryImagingTextAlone() {
    for (String text :
        List.of(
            "AX T1 POST GAD",
            "T2 FLAIR 3D",
            "CT HEAD WITHOUT CONTRAST",
            "DERIVED\\SECONDARY\\MPR",
            "Series 1001 slice 5mm 120 kVp",
            "ZZ123 99LOCAL",
            "SIEMENS SOMATOM Definition AS+",
            "GBM-K7QX3M2ZP4TA6RYB",
            "1.25 mm 512 x 512",
            "W 400 L 40",
            "MR BRAIN WITH CONTRAST",
            "DR CHEST PA",
            "Dr",
            "ProtocolName T1^SAG",
            "Report by the radiologist",
            "name: unknown")) {
      assertThat(TextDetectors.scan(text)).as(text).isEmpty();
    }
  }

  @Test
  void findsPersonNamesByTheirShape() {
    assertThat(TextDetectors.scan("Reported by Dr Lef\u00e8vre today"))
        .singleElement()
        .satisfies(f -> assertThat(f.detector()).isEqualTo("person_name"))
        .satisfies(f -> assertThat(f.match()).isEqualTo("Lef\u00e8vre"))
        .satisfies(f -> assertThat(f.index()).isEqualTo(15));
    assertThat(detectors("seen with Mrs. O'Neil")).containsExactly("person_name");
    assertThat(detectors("copy to MacDonald^Ann")).containsExactly("person_name");
    assertThat(TextDetectors.scan("Patient name: Ann Smith, ward 4"))
        .extracting(TextDetectors.Finding::match)
        .containsExactly("Ann Smith");
    assertThat(detectors("NAME=Smith, Ann")).containsExactly("person_name");
  }
}
