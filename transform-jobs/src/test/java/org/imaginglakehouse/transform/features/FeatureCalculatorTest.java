package org.imaginglakehouse.transform.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCalculatorTest {
  @TempDir Path dir;

  @Test
  void statisticsHistogramAndBackgroundOfAKnownImage() throws Exception {
    // Left half 0, right half 1000: mean 500, std 500, background fraction 0.5.
    int[] v = new int[32 * 32];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 32) < 16 ? 0 : 1000;
    }
    TestDicom.Spec s = new TestDicom.Spec();
    s.rows = 32;
    s.cols = 32;
    s.frames = List.of(v, v);
    PixelDescriptor d = TestDicom.write(dir.resolve("k.dcm"), "1.5.1", s);
    InstanceFeatures f = new FeatureCalculator(8, FeatureRegistry.all()).compute(d);
    assertThat(f.decodeStatus()).isEqualTo("decoded");
    assertThat(f.frames()).isEqualTo(2);
    assertThat(f.pixelMin()).isEqualTo(0.0);
    assertThat(f.pixelMax()).isEqualTo(1000.0);
    assertThat(f.pixelMean()).isCloseTo(500.0, within(1e-9));
    assertThat(f.pixelStd()).isCloseTo(500.0, within(1e-9));
    assertThat(f.backgroundFraction()).isCloseTo(0.5, within(1e-9));
    assertThat(f.histogram()[0]).isEqualTo(1024);
    assertThat(f.histogram()[15]).isEqualTo(1024);
    Map<String, Double> extra = f.extra();
    assertThat(extra.get("texture.entropy")).isCloseTo(1.0, within(1e-9));
    assertThat(extra.get("texture.foreground_width_fraction")).isCloseTo(0.5, within(1e-9));
    assertThat(extra.get("texture.foreground_width_mm")).isCloseTo(16 * 0.7, within(1e-9));
  }

  @Test
  void registryFindsTheShippedExampleAndUndecodableHasReason() {
    assertThat(FeatureRegistry.all()).extracting(FeatureExtractor::name).contains("texture");
    PixelDescriptor missing =
        PixelDescriptor.basic(
            "1.5.2",
            dir.resolve("missing.dcm").toString(),
            "1.2.840.10008.1.2.1",
            8,
            8,
            1,
            1,
            16,
            12,
            0,
            "MONOCHROME2",
            100,
            128,
            "OW");
    InstanceFeatures f = new FeatureCalculator(8, FeatureRegistry.all()).compute(missing);
    assertThat(f.decodeStatus()).isEqualTo("undecodable");
    assertThat(f.decodeReason()).contains("cannot open");
  }
}
