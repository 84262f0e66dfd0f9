package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The stable samples of verify's external checks (no Spark). */
class VerifySamplingTest {
  @Test
  void aSampleIsStableAndAboutTheFractionAsked() {
    long picked =
        IntStream.range(0, 10_000).filter(i -> VerifyJob.sampled("p/" + i + ".dcm", 0.1)).count();
    assertThat(picked).isBetween(850L, 1150L);
    for (int i = 0; i < 100; i++) {
      assertThat(VerifyJob.sampled("p/" + i + ".dcm", 0.1))
          .isEqualTo(VerifyJob.sampled("p/" + i + ".dcm", 0.1));
    }
    assertThat(IntStream.range(0, 100).allMatch(i -> VerifyJob.sampled("x" + i, 1))).isTrue();
    assertThat(IntStream.range(0, 100).noneMatch(i -> VerifyJob.sampled("x" + i, 0))).isTrue();
  }
}
