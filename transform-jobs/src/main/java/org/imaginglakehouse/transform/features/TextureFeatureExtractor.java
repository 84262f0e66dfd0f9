package org.imaginglakehouse.transform.features;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Example extractor shipped with the lakehouse (registered through ServiceLoader like a site's
 * own): image texture and body extent, useful to tell scout/localiser and blank images from
 * diagnostic ones and as a crude size measure.
 *
 * <ul>
 *   <li>{@code texture.entropy}: Shannon entropy (bits) of a 256-bin histogram over the frame's
 *       0.5-99.5 percentile range;
 *   <li>{@code texture.edge_density}: fraction of pixels whose gradient magnitude exceeds 10% of
 *       that range;
 *   <li>{@code texture.foreground_width_fraction} / {@code foreground_height_fraction}: extent of
 *       the bounding box of non-background pixels relative to the image;
 *   <li>{@code texture.foreground_width_mm} / {@code foreground_height_mm}: the same in mm when
 *       PixelSpacing is known.
 * </ul>
 *
 * Values are averaged over the sampled frames.
 */
public final class TextureFeatureExtractor implements FeatureExtractor {
  @Override
  public String name() {
    return "texture";
  }

  @Override
  public Map<String, Double> extract(FeatureInput input) {
    int w = input.columns();
    int h = input.rows();
    double entropy = 0;
    double edges = 0;
    double fgW = 0;
    double fgH = 0;
    for (int[] frame : input.frames()) {
      int[] p = percentiles(frame);
      double lo = p[0];
      double range = Math.max(1, p[1] - p[0]);
      long[] hist = new long[256];
      for (int v : frame) {
        int bin = (int) Math.max(0, Math.min(255, (v - lo) / range * 255));
        hist[bin]++;
      }
      double e = 0;
      for (long c : hist) {
        if (c > 0) {
          double q = c / (double) frame.length;
          e -= q * Math.log(q) / Math.log(2);
        }
      }
      entropy += e;
      long strong = 0;
      double threshold = 0.1 * range;
      int minX = w;
      int minY = h;
      int maxX = -1;
      int maxY = -1;
      double background = lo + 0.05 * range;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int v = frame[y * w + x];
          if (x + 1 < w && y + 1 < h) {
            double gx = frame[y * w + x + 1] - v;
            double gy = frame[(y + 1) * w + x] - v;
            if (Math.sqrt(gx * gx + gy * gy) > threshold) {
              strong++;
            }
          }
          if (v > background) {
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
          }
        }
      }
      edges += strong / (double) frame.length;
      if (maxX >= 0) {
        fgW += (maxX - minX + 1) / (double) w;
        fgH += (maxY - minY + 1) / (double) h;
      }
    }
    int n = Math.max(1, input.frames().size());
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("entropy", entropy / n);
    out.put("edge_density", edges / n);
    out.put("foreground_width_fraction", fgW / n);
    out.put("foreground_height_fraction", fgH / n);
    double[] spacing = input.descriptor().pixelSpacing();
    if (spacing != null && spacing.length >= 2 && spacing[0] > 0 && spacing[1] > 0) {
      // PixelSpacing = row spacing (between rows, i.e. vertical), column spacing (horizontal)
      out.put("foreground_width_mm", fgW / n * w * spacing[1]);
      out.put("foreground_height_mm", fgH / n * h * spacing[0]);
    }
    return out;
  }

  private static int[] percentiles(int[] values) {
    int step = Math.max(1, values.length / 65536);
    int[] sample = new int[(values.length + step - 1) / step];
    for (int i = 0, j = 0; i < values.length; i += step, j++) {
      sample[j] = values[i];
    }
    java.util.Arrays.sort(sample);
    return new int[] {
      sample[(int) Math.floor(0.005 * (sample.length - 1))],
      sample[(int) Math.ceil(0.995 * (sample.length - 1))]
    };
  }
}
