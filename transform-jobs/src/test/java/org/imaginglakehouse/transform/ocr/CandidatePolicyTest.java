package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CandidatePolicyTest {
  private final CandidatePolicy policy = CandidatePolicy.defaults();

  private CandidatePolicy.Decision decide(
      String modality, String sop, List<String> type, String burned) {
    return policy.decide(new CandidatePolicy.Candidate(modality, sop, type, burned));
  }

  @Test
  void defaultsFollowTheIssue() {
    assertThat(decide("US", "1.2.3", List.of("ORIGINAL", "PRIMARY"), null).ocr()).isTrue();
    assertThat(decide("OT", null, List.of(), null).ocr()).isTrue();
    assertThat(decide("XA", null, List.of(), null).ocr()).isTrue();
    assertThat(decide("DX", null, List.of("DERIVED", "PRIMARY"), null).ocr()).isTrue();
    assertThat(decide("CR", null, List.of("ORIGINAL", "PRIMARY"), null).ocr()).isFalse();
    CandidatePolicy.Decision ct =
        decide("CT", "1.2.840.10008.5.1.4.1.1.2", List.of("ORIGINAL", "PRIMARY", "AXIAL"), "NO");
    assertThat(ct.ocr()).isFalse();
    assertThat(ct.rule()).isEqualTo("original-primary-ct-mr");
    assertThat(decide("CT", null, List.of("ORIGINAL", "PRIMARY"), "YES").ocr()).isTrue();
    assertThat(
            decide("MR", "1.2.840.10008.5.1.4.1.1.7", List.of("DERIVED", "SECONDARY"), null).ocr())
        .isTrue();
    assertThat(
            CandidatePolicy.everything()
                .decide(
                    new CandidatePolicy.Candidate("CT", null, List.of("ORIGINAL", "PRIMARY"), null))
                .ocr())
        .isTrue();
  }

  @Test
  void customPolicyFileAndErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(
        file, "default: ocr\nrules:\n  - name: no-mg\n    modalities: [mg]\n    action: skip\n");
    CandidatePolicy custom = CandidatePolicy.load(file);
    assertThat(custom.decide(new CandidatePolicy.Candidate("MG", null, null, null)).ocr())
        .isFalse();
    assertThat(custom.decide(new CandidatePolicy.Candidate("CT", null, null, null)).ocr()).isTrue();
    Files.writeString(file, "rules:\n  - modality: [CT]\n    action: skip\n");
    assertThatThrownBy(() -> CandidatePolicy.load(file))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("unknown field 'modality'");
    Files.writeString(file, "rules:\n  - modalities: [CT]\n    action: maybe\n");
    assertThatThrownBy(() -> CandidatePolicy.load(file)).hasMessageContaining("'ocr' or 'skip'");
  }
}
