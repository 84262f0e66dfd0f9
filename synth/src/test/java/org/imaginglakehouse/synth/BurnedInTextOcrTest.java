package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.display.SourceImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Burned-in text is really in the pixels where the ground truth says: each box is decoded from the
 * DICOM file (PixelMed, incl. JPEG baseline), cropped, normalised to dark-on-light, upscaled and
 * read with the tesseract CLI; the reading must match the recorded text.
 */
class BurnedInTextOcrTest {
  @TempDir static Path dir;
  static GroundTruth gt;

  @BeforeAll
  static void generate() {
    long t0 = System.nanoTime();
    Map<String, Double> mix = new LinkedHashMap<>();
    for (String k : SynthOptions.DEFAULT_MODALITY_MIX.keySet()) {
      mix.put(k, 0.0);
    }
    mix.put("US", 3.0);
    mix.put("SC", 2.0);
    mix.put("CR", 1.0);
    SyntheticPacs.generate(
        dir.resolve("pacs"),
        SynthOptions.builder()
            .patients(4)
            .seed(21)
            .studiesPerPatient(1.5)
            .modalityMix(mix)
            .pixelSize(SynthOptions.PixelSize.FULL)
            .imagesScale(0.3)
            .burnedInRate(1.0)
            .junkRate(0)
            .threads(2)
            .build());
    gt = GroundTruth.read(dir.resolve("pacs"));
    System.out.println("generated in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  @Test
  void burnedInTextIsReadableByTesseractInTheRecordedBoxes() throws Exception {
    List<GroundTruth.FileEntry> files = gt.withBurnedInText();
    assertThat(files).isNotEmpty();
    assertThat(files.stream().map(GroundTruth.FileEntry::modality).distinct()).contains("US", "SC");
    assertThat(
            files.stream()
                .flatMap(f -> f.burnedInText().stream())
                .map(GroundTruth.TextBox::polarity)
                .distinct())
        .hasSize(3);
    // a deterministic sample of readable-size boxes, spread over files
    List<Object[]> sample = new ArrayList<>();
    int stride = Math.max(1, files.size() / 12);
    for (int i = 0; i < files.size() && sample.size() < 30; i += stride) {
      GroundTruth.FileEntry f = files.get(i);
      for (GroundTruth.TextBox b : f.burnedInText()) {
        if (b.textHeight() >= 8 && sample.size() < 30) {
          sample.add(new Object[] {f, b});
        }
      }
    }
    assertThat(sample).hasSizeGreaterThan(10);
    int ok = 0;
    List<String> misses = new ArrayList<>();
    Map<String, SourceImage> cache = new LinkedHashMap<>();
    for (Object[] s : sample) {
      GroundTruth.FileEntry f = (GroundTruth.FileEntry) s[0];
      GroundTruth.TextBox b = (GroundTruth.TextBox) s[1];
      SourceImage img = cache.get(f.path());
      if (img == null) {
        AttributeList l = new AttributeList();
        l.read(gt.resolve(f).toString());
        img = new SourceImage(l);
        cache.clear();
        cache.put(f.path(), img);
      }
      BufferedImage frame = img.getBufferedImage(b.frame());
      Path png = dir.resolve("box.png");
      ImageIO.write(crop(frame, b, 3), "png", png.toFile());
      Tools.Result r = Tools.run(dir, "tesseract", png.toString(), "stdout", "--psm", "7");
      String read = r.output().lines().filter(x -> !x.isBlank()).findFirst().orElse("");
      double sim = similarity(norm(b.text()), norm(read));
      if (sim >= 0.75) {
        ok++;
      } else {
        misses.add(b.text() + " -> " + read + " (" + b.polarity() + ", h=" + b.textHeight() + ")");
      }
    }
    assertThat(ok)
        .as("boxes read correctly; misses: %s", misses)
        .isGreaterThanOrEqualTo((int) Math.ceil(sample.size() * 0.85));
    Files.deleteIfExists(dir.resolve("box.png"));
    System.out.println(
        "OCR of " + sample.size() + " boxes: " + ok + " read correctly; misses " + misses);
  }

  @Test
  void singleFrameBurnInOnlyTouchesThatFrame() {
    boolean found = false;
    for (GroundTruth.FileEntry f : gt.withBurnedInText()) {
      if (f.frames() > 1) {
        long framesWithText =
            f.burnedInText().stream().mapToInt(GroundTruth.TextBox::frame).distinct().count();
        assertThat(framesWithText).isBetween(1L, (long) f.frames());
        found |= framesWithText == 1;
      }
    }
    assertThat(found).as("some cine has text in one frame only").isTrue();
  }

  /** Crop with padding, map to 8-bit grey by min-max, make the text dark on light, upscale. */
  static BufferedImage crop(BufferedImage src, GroundTruth.TextBox b, int scale) {
    int pad = Math.max(4, b.h() / 2);
    int x0 = Math.max(0, b.x() - pad);
    int y0 = Math.max(0, b.y() - pad);
    int x1 = Math.min(src.getWidth(), b.x() + b.w() + pad);
    int y1 = Math.min(src.getHeight(), b.y() + b.h() + pad);
    Raster r = src.getRaster();
    int w = x1 - x0;
    int h = y1 - y0;
    double[] v = new double[w * h];
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sum = 0;
        int bands = Math.min(3, r.getNumBands());
        for (int k = 0; k < bands; k++) {
          sum += r.getSample(x0 + x, y0 + y, k);
        }
        double g = sum / bands;
        v[y * w + x] = g;
        min = Math.min(min, g);
        max = Math.max(max, g);
      }
    }
    double[] sorted = v.clone();
    java.util.Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    boolean lightText = median < (min + max) / 2; // background dark -> text light
    BufferedImage out = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h * scale; y++) {
      for (int x = 0; x < w * scale; x++) {
        double g = (v[(y / scale) * w + x / scale] - min) / Math.max(1, max - min) * 255;
        int p = (int) Math.round(lightText ? 255 - g : g);
        out.getRaster().setSample(x, y, 0, p);
      }
    }
    return out;
  }

  static String norm(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return n.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
  }

  static double similarity(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + c);
      }
    }
    int len = Math.max(1, Math.max(a.length(), b.length()));
    return 1.0 - d[a.length()][b.length()] / (double) len;
  }
}
