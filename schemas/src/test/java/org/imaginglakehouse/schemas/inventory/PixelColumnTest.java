package org.imaginglakehouse.schemas.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PixelColumnTest {

  @Test
  void thePixelTablesKeysAreRefusedUnderTheirCurrentAndLegacyNames() {
    for (String key :
        new String[] {
          "SOPInstanceUID",
          "SeriesInstanceUID",
          "StudyInstanceUID",
          "sop_instance_uid",
          "series_instance_uid",
          "study_instance_uid"
        }) {
      assertThat(PixelColumn.refusal(key))
          .isEqualTo(key + " identifies the instance or its file and is never promoted");
    }
    assertThat(PixelColumn.refusal("pixel_mean")).isNull();
  }
}
