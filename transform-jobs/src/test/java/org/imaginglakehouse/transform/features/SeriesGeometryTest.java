package org.imaginglakehouse.transform.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesGeometryTest {
  static final double[] AXIAL = {1, 0, 0, 0, 1, 0};
  static final double[] SAGITTAL = {0, 1, 0, 0, 0, -1};

  static List<SeriesGeometry.Slice> slices(double[] orientation, String agent, double... z) {
    List<SeriesGeometry.Slice> out = new ArrayList<>();
    for (double p : z) {
      double[] pos =
          orientation == AXIAL ? new double[] {-100, -100, p} : new double[] {p, -100, 100};
      out.add(new SeriesGeometry.Slice(pos, orientation, agent, 1));
    }
    return out;
  }

  @Test
  void regularAxialVolume() {
    SeriesGeometry.Result r = SeriesGeometry.compute(slices(AXIAL, null, 0, 2.5, 5, 7.5, 10));
    assertThat(r.orientation()).isEqualTo("AXIAL");
    assertThat(r.spacingMean()).isEqualTo(2.5);
    assertThat(r.spacingRegular()).isTrue();
    assertThat(r.volumeInterpretation()).isEqualTo("single_volume");
  }

  @Test
  void gapMakesSpacingIrregularAndSagittalIsRecognised() {
    SeriesGeometry.Result r = SeriesGeometry.compute(slices(SAGITTAL, null, 0, 3, 6, 12));
    assertThat(r.orientation()).isEqualTo("SAGITTAL");
    assertThat(r.spacingRegular()).isFalse();
    assertThat(r.spacingMax()).isEqualTo(6.0);
  }

  @Test
  void repeatedPositionsAreRepeatedVolumesAndContrastDisambiguates() {
    SeriesGeometry.Result plain = SeriesGeometry.compute(slices(AXIAL, "", 0, 5, 10, 0, 5, 10));
    assertThat(plain.repeatedVolume()).isTrue();
    assertThat(plain.maxRepeats()).isEqualTo(2);
    assertThat(plain.distinctPositions()).isEqualTo(3);
    assertThat(plain.volumeInterpretation()).isEqualTo("repeated_volume");
    SeriesGeometry.Result bolus =
        SeriesGeometry.compute(slices(AXIAL, "OMNIPAQUE", 0, 5, 10, 0, 5, 10, 0, 5, 10));
    assertThat(bolus.volumeInterpretation()).isEqualTo("repeated_volume_with_contrast");
    assertThat(bolus.maxRepeats()).isEqualTo(3);
    assertThat(SeriesGeometry.compute(slices(AXIAL, null, 0)).volumeInterpretation())
        .isEqualTo("single_slice");
    assertThat(
            SeriesGeometry.compute(List.of(new SeriesGeometry.Slice(null, null, null, 1)))
                .volumeInterpretation())
        .isEqualTo("no_geometry");
  }
}
