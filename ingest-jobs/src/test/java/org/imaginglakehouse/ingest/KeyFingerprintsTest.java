package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver-side record of the UIDs a run appended; no Spark needed. */
class KeyFingerprintsTest {
  @Test
  void findsEveryRecordedUidAcrossBatches() {
    KeyFingerprints seen = new KeyFingerprints("SOPInstanceUID");
    seen.add(List.of("1.2.3.1", "1.2.3.2"));
    seen.add(List.of("1.2.4.7"));
    assertThat(seen.candidates(List.of("1.2.3.2", "1.2.4.7", "1.2.5.1")))
        .containsExactly("1.2.3.2", "1.2.4.7");
  }

  @Test
  void nothingRecordedMeansNoCandidates() {
    assertThat(new KeyFingerprints("SOPInstanceUID").candidates(List.of("1.2.3"))).isEmpty();
  }

  @Test
  void aHundredThousandNewUidsGiveNoFalsePositives() {
    KeyFingerprints seen = new KeyFingerprints("SOPInstanceUID");
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      first.add("1.2.826.0.1.3680043.8.498." + i);
      second.add("1.2.826.0.1.3680043.8.499." + i);
    }
    seen.add(first);
    assertThat(seen.candidates(second)).isEmpty();
    assertThat(seen.candidates(first)).hasSize(100_000);
  }
}
