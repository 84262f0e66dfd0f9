package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.extract.verify.IdentifyingValues;
import org.junit.jupiter.api.Test;

/** The verifier an executor shares between the tasks of one scan (no Spark). */
class VerifySharedTest {
  static byte[] settings(String name) {
    return VerifyExecutor.serialise(
        new VerifyJob.Settings(
            "/root",
            List.of(new IdentifyingValues.Value("PatientName", name)),
            Set.of("2.25.1"),
            0,
            0,
            "dcmdump",
            "dciodvfy",
            Map.of(),
            0));
  }

  @Test
  void theTasksOfOneScanShareAVerifierAndAnotherScanNeverGetsIt() throws Exception {
    byte[] first = settings("DOE^JANE");
    VerifyExecutor.Shared one = VerifyExecutor.shared(first);
    // The same broadcast, and an equal copy of it (a re-fetched block): the same verifier.
    assertThat(VerifyExecutor.shared(first)).isSameAs(one);
    assertThat(VerifyExecutor.shared(first.clone()).verifier()).isSameAs(one.verifier());
    // Another extraction's values: a verifier of its own, with its values.
    VerifyExecutor.Shared other = VerifyExecutor.shared(settings("ROE^RICHARD"));
    assertThat(other.verifier()).isNotSameAs(one.verifier());
    assertThat(other.settings().values())
        .containsExactly(new IdentifyingValues.Value("PatientName", "ROE^RICHARD"));
    assertThat(VerifyExecutor.shared(first).settings().values())
        .containsExactly(new IdentifyingValues.Value("PatientName", "DOE^JANE"));
  }
}
