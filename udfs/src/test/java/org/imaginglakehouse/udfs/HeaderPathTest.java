package org.imaginglakehouse.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderPathTest {
  private static final List<String> PATHS =
      List.of(
          "00080008",
          "00100010",
          "00400275",
          "00400275[0].00400009",
          "00400275[1].00400009",
          "00091010",
          "00280030");
  private static final List<List<String>> VALUES =
      Arrays.asList(
          List.of("ORIGINAL", "PRIMARY"),
          List.of("Doe^Jane"),
          List.of("2"),
          List.of("SPS1"),
          List.of("SPS2"),
          null,
          List.of());

  @Test
  void byKeywordTagAndPath() {
    assertThat(HeaderPath.value(PATHS, VALUES, "PatientName")).isEqualTo("Doe^Jane");
    assertThat(HeaderPath.value(PATHS, VALUES, "(0010,0010)")).isEqualTo("Doe^Jane");
    assertThat(HeaderPath.value(PATHS, VALUES, "ImageType")).isEqualTo("ORIGINAL\\PRIMARY");
    assertThat(
            HeaderPath.value(
                PATHS, VALUES, "RequestAttributesSequence[1].ScheduledProcedureStepID"))
        .isEqualTo("SPS2");
    assertThat(HeaderPath.value(PATHS, VALUES, "00400275[0].00400009")).isEqualTo("SPS1");
    assertThat(
            HeaderPath.values(
                PATHS, VALUES, "RequestAttributesSequence[*].ScheduledProcedureStepID"))
        .containsExactly("SPS1", "SPS2");
    assertThat(HeaderPath.values(PATHS, VALUES, "00400275.00400009"))
        .containsExactly("SPS1", "SPS2");
    assertThat(HeaderPath.values(PATHS, VALUES, "RequestAttributesSequence")).containsExactly("2");
  }

  @Test
  void absentEmptyBinaryAndMalformed() {
    assertThat(HeaderPath.value(PATHS, VALUES, "PatientID")).isNull();
    assertThat(HeaderPath.values(PATHS, VALUES, "PatientID")).isNull();
    assertThat(HeaderPath.value(PATHS, VALUES, "PixelSpacing")).isNull();
    assertThat(HeaderPath.values(PATHS, VALUES, "PixelSpacing")).isEmpty();
    assertThat(HeaderPath.values(PATHS, VALUES, "00091010")).isEmpty();
    assertThat(HeaderPath.value(PATHS, VALUES, "ScheduledProcedureStepID")).isNull();
    for (String bad :
        new String[] {
          null, "", "NoSuchKeyword", "PatientName[0]", "00400275[x].00400009", "..", "[0]"
        }) {
      assertThat(HeaderPath.value(PATHS, VALUES, bad)).as(bad).isNull();
      assertThat(HeaderPath.values(PATHS, VALUES, bad)).as(bad).isNull();
    }
    assertThat(HeaderPath.value(null, null, "PatientName")).isNull();
  }
}
