package org.imaginglakehouse.extract.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataUrisTest {
  static final FileVerifier VERIFIER =
      new FileVerifier(
          List.of(new IdentifyingValues.Value("PatientName", "MACDONALD")), Set.of(), null);

  static List<Failure> verify(String html) {
    return VERIFIER.verifyOther("report.html", html.getBytes(StandardCharsets.UTF_8)).failures();
  }

  @Test
  void aNameHiddenInsideAPictureIsFound() {
    String payload =
        Base64.getEncoder()
            .encodeToString(
                "\u0089PNG tEXt Author MACDONALD".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(verify("<img src=\"data:image/png;base64," + payload + "\">"))
        .extracting(Failure::check)
        .containsExactly(Failure.Check.RESIDUAL_VALUE);
  }

  @Test
  void base64LettersThatSpellANameByChanceAreNotAFinding() {
    // Valid base64 whose text holds the name; its decoded bytes do not.
    String payload = "AAAAMACDONALDAAA";
    assertThat(new String(Base64.getDecoder().decode(payload), StandardCharsets.ISO_8859_1))
        .doesNotContainIgnoringCase("MACDONALD");
    assertThat(verify("<img src=\"data:image/png;base64," + payload + "\">")).isEmpty();
  }

  @Test
  void theTextAroundThePicturesIsStillScannedAtItsOwnOffsets() {
    String html = "<img src=\"data:image/png;base64,AAAA\"><p>Patient MacDonald</p>";
    List<Failure> failures = verify(html);
    assertThat(failures).extracting(Failure::check).containsExactly(Failure.Check.RESIDUAL_VALUE);
    assertThat(failures.get(0).offset()).isEqualTo(html.indexOf("MacDonald"));
  }

  @Test
  void aPayloadThatIsNotBase64StaysInTheTextAndIsScanned() {
    assertThat(verify("<img src=\"data:image/png;base64,MACDONALD!\">"))
        .extracting(Failure::check)
        .containsExactly(Failure.Check.RESIDUAL_VALUE);
  }
}
