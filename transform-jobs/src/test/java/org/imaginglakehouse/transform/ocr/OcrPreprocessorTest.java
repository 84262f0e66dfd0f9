package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OcrPreprocessorTest {
  private static final int W = 200;
  private static final int H = 120;

  private static void fill(int[] grey, int x0, int y0, int w, int h, int value) {
    for (int y = y0; y < y0 + h; y++) {
      Arrays.fill(grey, y * W + x0, y * W + x0 + w, value);
    }
  }

  @Test
  void findsBoxesHoldingDarkTextInReadingOrder() {
    int[] grey = new int[W * H];
    fill(grey, 110, 10, 60, 20, 255); // right box, found second
    fill(grey, 10, 10, 80, 20, 240); // left box
    fill(grey, 20, 15, 4, 10, 0); // a dark "letter" in each box
    fill(grey, 120, 15, 4, 10, 0);
    // a ring letter inside the left box: its bright counter is not a panel of its own
    fill(grey, 40, 14, 14, 14, 0);
    fill(grey, 42, 16, 10, 10, 250);

    List<OcrPreprocessor.Region> panels = OcrPreprocessor.brightPanels(grey, W, H);

    assertThat(panels)
        .containsExactly(
            new OcrPreprocessor.Region(10, 10, 80, 20),
            new OcrPreprocessor.Region(110, 10, 60, 20));
  }

  @Test
  void ignoresPlainRectanglesSpeckleTallShapesAndTinyBoxes() {
    int[] grey = new int[W * H];
    Random random = new Random(3);
    for (int y = 60; y < H; y++) {
      for (int x = 0; x < W; x++) {
        grey[y * W + x] = random.nextInt(256); // speckle: bright pixels, but no box shape
      }
    }
    fill(grey, 10, 10, 60, 20, 255); // plain light rectangle: nothing to read
    fill(grey, 100, 5, 15, 50, 255); // taller than wide
    fill(grey, 100, 5 + 20, 3, 3, 0);
    fill(grey, 150, 10, 30, 8, 255); // under 12 px high
    fill(grey, 155, 12, 3, 3, 0);
    for (int y = 70; y < 96; y++) { // a bright disc in the speckle (a vessel in contrast)
      for (int x = 40; x < 66; x++) {
        if ((x - 52.5) * (x - 52.5) + (y - 82.5) * (y - 82.5) < 13 * 13) {
          grey[y * W + x] = 255;
        }
      }
    }

    assertThat(OcrPreprocessor.brightPanels(grey, W, H)).isEmpty();
  }

  @Test
  void aStackOfLeftAlignedBoxesIsOnePanel() {
    int[] grey = new int[W * H];
    fill(grey, 8, 8, 120, 20, 255);
    fill(grey, 8, 28, 70, 20, 255); // narrower box right below, touching
    fill(grey, 12, 12, 60, 10, 0);
    fill(grey, 12, 32, 40, 10, 0);

    assertThat(OcrPreprocessor.brightPanels(grey, W, H))
        .containsExactly(new OcrPreprocessor.Region(8, 8, 120, 40));
  }

  @Test
  void cropCopiesTheRegionOntoAWhiteCanvas() {
    int[] grey = new int[W * H];
    grey[11 * W + 21] = 7;
    int[] crop = OcrPreprocessor.crop(grey, W, new OcrPreprocessor.Region(20, 10, 5, 3), 2);
    assertThat(crop).hasSize(9 * 7);
    assertThat(crop[(1 + 2) * 9 + 1 + 2]).isEqualTo(7);
    assertThat(crop[2 * 9 + 2]).isZero(); // the region's own pixels
    assertThat(crop[0]).isEqualTo(255); // the margin
    assertThat(crop[9 * 7 - 1]).isEqualTo(255);
  }
}
