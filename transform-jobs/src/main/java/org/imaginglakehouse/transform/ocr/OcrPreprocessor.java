package org.imaginglakehouse.transform.ocr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a frame of stored pixel values into the 8-bit grey rasters handed to Tesseract, one per
 * {@link OcrPass}, upscaling small images so that text reaches a height Tesseract reads well. Plain
 * Java, no AWT.
 */
public final class OcrPreprocessor {
  /** Adaptive threshold window, as in SMI's IsIdentifiable. */
  public static final int THRESHOLD_WINDOW = 25;

  private OcrPreprocessor() {}

  /** Grey level (0-255) from which a pixel counts as part of a bright panel. */
  public static final int PANEL_LEVEL = 200;

  /** Panels read per frame at most (largest first), bounding the cost on busy images. */
  public static final int MAX_PANELS = 16;

  /** A rectangle of a frame, in pixels. */
  public record Region(int x, int y, int width, int height) {}

  /** An 8-bit raster ready for Tesseract, and the factor it was upscaled by. */
  public record Raster8(byte[] pixels, int width, int height, double scale) {}

  /**
   * Maps stored values to 0-255 through a window. When {@code centre}/{@code width} are absent (NaN
   * or width ≤ 0) the 0.5th-99.5th percentiles of the frame are used. {@code slope}/{@code
   * intercept} convert stored values to the units the window is expressed in.
   */
  public static int[] window(
      int[] values, double centre, double width, double slope, double intercept, boolean invert) {
    double lo;
    double hi;
    if (Double.isNaN(centre) || Double.isNaN(width) || width <= 1) {
      int[] p = percentiles(values, 0.005, 0.995);
      lo = p[0];
      hi = p[1];
    } else {
      // window in output units: convert back to stored values
      double s = slope == 0 ? 1 : slope;
      double a = (centre - 0.5 - (width - 1) / 2 - intercept) / s;
      double b = (centre - 0.5 + (width - 1) / 2 - intercept) / s;
      lo = Math.min(a, b);
      hi = Math.max(a, b);
    }
    return linear(values, lo, hi, invert);
  }

  /** Full range of the frame mapped to 0-255. */
  public static int[] fullRange(int[] values, boolean invert) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return linear(values, min, max, invert);
  }

  static int[] linear(int[] values, double lo, double hi, boolean invert) {
    int[] out = new int[values.length];
    double range = hi - lo;
    if (range <= 0) {
      Arrays.fill(out, invert ? 255 : 0);
      return out;
    }
    for (int i = 0; i < values.length; i++) {
      double t = (values[i] - lo) / range;
      int v = t <= 0 ? 0 : t >= 1 ? 255 : (int) Math.round(t * 255);
      out[i] = invert ? 255 - v : v;
    }
    return out;
  }

  /** Value percentiles of a frame (sorting a sample for large frames). */
  public static int[] percentiles(int[] values, double low, double high) {
    int step = Math.max(1, values.length / 65536);
    int[] sample = new int[(values.length + step - 1) / step];
    for (int i = 0, j = 0; i < values.length; i += step, j++) {
      sample[j] = values[i];
    }
    Arrays.sort(sample);
    int a = (int) Math.floor(low * (sample.length - 1));
    int b = (int) Math.ceil(high * (sample.length - 1));
    return new int[] {sample[a], sample[b]};
  }

  /**
   * Adaptive threshold of an 8-bit image: a pixel brighter than the mean of its window by more than
   * {@code offset} is foreground (text) and becomes black, everything else white.
   */
  public static int[] adaptiveThreshold(int[] grey, int width, int height, int window, int offset) {
    long[] integral = new long[(width + 1) * (height + 1)];
    for (int y = 0; y < height; y++) {
      long rowSum = 0;
      for (int x = 0; x < width; x++) {
        rowSum += grey[y * width + x];
        integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + rowSum;
      }
    }
    int half = window / 2;
    int[] out = new int[grey.length];
    for (int y = 0; y < height; y++) {
      int y0 = Math.max(0, y - half);
      int y1 = Math.min(height, y + half + 1);
      for (int x = 0; x < width; x++) {
        int x0 = Math.max(0, x - half);
        int x1 = Math.min(width, x + half + 1);
        long sum =
            integral[y1 * (width + 1) + x1]
                - integral[y0 * (width + 1) + x1]
                - integral[y1 * (width + 1) + x0]
                + integral[y0 * (width + 1) + x0];
        double mean = sum / (double) ((x1 - x0) * (y1 - y0));
        out[y * width + x] = grey[y * width + x] > mean + offset ? 0 : 255;
      }
    }
    return out;
  }

  /** Overlay mask: set bits black on white. */
  public static int[] overlay(boolean[] mask) {
    int[] out = new int[mask.length];
    for (int i = 0; i < mask.length; i++) {
      out[i] = mask[i] ? 0 : 255;
    }
    return out;
  }

  /** Upscale factor so the shorter side reaches {@code minSide} pixels (1 = none, at most 4). */
  public static int upscaleFactor(int width, int height, int minSide) {
    int shorter = Math.min(width, height);
    if (shorter <= 0 || shorter >= minSide) {
      return 1;
    }
    return Math.min(4, (int) Math.ceil(minSide / (double) shorter));
  }

  /** Packs 0-255 ints into bytes, upscaling by an integer factor with bilinear interpolation. */
  public static Raster8 toRaster(int[] grey, int width, int height, int factor) {
    if (factor <= 1) {
      byte[] out = new byte[grey.length];
      for (int i = 0; i < grey.length; i++) {
        out[i] = (byte) grey[i];
      }
      return new Raster8(out, width, height, 1.0);
    }
    int w = width * factor;
    int h = height * factor;
    byte[] out = new byte[w * h];
    for (int y = 0; y < h; y++) {
      double sy = Math.max(0, (y + 0.5) / factor - 0.5);
      int y0 = Math.min((int) sy, height - 1);
      int y1 = Math.min(y0 + 1, height - 1);
      double fy = sy - y0;
      for (int x = 0; x < w; x++) {
        double sx = Math.max(0, (x + 0.5) / factor - 0.5);
        int x0 = Math.min((int) sx, width - 1);
        int x1 = Math.min(x0 + 1, width - 1);
        double fx = sx - x0;
        double top = grey[y0 * width + x0] * (1 - fx) + grey[y0 * width + x1] * fx;
        double bottom = grey[y1 * width + x0] * (1 - fx) + grey[y1 * width + x1] * fx;
        out[y * w + x] = (byte) (int) Math.round(top * (1 - fy) + bottom * fy);
      }
    }
    return new Raster8(out, w, h, factor);
  }

  /**
   * Finds bright panels in an 8-bit frame: 4-connected regions of pixels at or above {@link
   * #PANEL_LEVEL} that are box-shaped (at least 55% of their bounding box is bright, at least 80%
   * of each side of it, at most 15% of it mid-grey), at least as wide as high, between 12 px and a
   * third of the frame high, and hold some dark pixels (the text). Regions inside an accepted panel
   * (the counters of letters) are dropped. Returned in reading order (top to bottom, left to right)
   * as bounding boxes.
   */
  public static List<Region> brightPanels(int[] grey, int width, int height) {
    int[] label = new int[grey.length];
    int[] stack = new int[grey.length];
    List<int[]> candidates = new ArrayList<>(); // {x0, y0, x1, y1, count}
    int next = 0;
    for (int start = 0; start < grey.length; start++) {
      if (label[start] != 0 || grey[start] < PANEL_LEVEL) {
        continue;
      }
      next++;
      int x0 = width;
      int y0 = height;
      int x1 = -1;
      int y1 = -1;
      int count = 0;
      int top = 0;
      stack[top++] = start;
      label[start] = next;
      while (top > 0) {
        int p = stack[--top];
        int x = p % width;
        int y = p / width;
        count++;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
        if (x > 0 && label[p - 1] == 0 && grey[p - 1] >= PANEL_LEVEL) {
          label[p - 1] = next;
          stack[top++] = p - 1;
        }
        if (x < width - 1 && label[p + 1] == 0 && grey[p + 1] >= PANEL_LEVEL) {
          label[p + 1] = next;
          stack[top++] = p + 1;
        }
        if (y > 0 && label[p - width] == 0 && grey[p - width] >= PANEL_LEVEL) {
          label[p - width] = next;
          stack[top++] = p - width;
        }
        if (y < height - 1 && label[p + width] == 0 && grey[p + width] >= PANEL_LEVEL) {
          label[p + width] = next;
          stack[top++] = p + width;
        }
      }
      int w = x1 - x0 + 1;
      int h = y1 - y0 + 1;
      if (h < 12 || h > height / 3 || w < h || count < 0.55 * w * h) {
        continue;
      }
      if (!straightEdges(grey, width, x0, y0, x1, y1)) {
        continue; // a bright blob (a vessel, bone), not a box
      }
      int dark = 0;
      int mid = 0;
      for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
          int v = grey[y * width + x];
          if (v < 128) {
            dark++;
          } else if (v < PANEL_LEVEL) {
            mid++;
          }
        }
      }
      if (dark < 0.02 * w * h) {
        continue; // a plain light rectangle: nothing to read
      }
      if (mid > 0.15 * w * h) {
        continue; // shaded like anatomy; a label box holds light background and dark text only
      }
      candidates.add(new int[] {x0, y0, x1, y1, count});
    }
    candidates.sort((a, b) -> Integer.compare(b[4], a[4]));
    List<int[]> accepted = new ArrayList<>();
    for (int[] c : candidates) {
      if (accepted.size() == MAX_PANELS) {
        break;
      }
      boolean inside = false;
      for (int[] a : accepted) {
        inside |= c[0] >= a[0] && c[1] >= a[1] && c[2] <= a[2] && c[3] <= a[3];
      }
      if (!inside) {
        accepted.add(c);
      }
    }
    accepted.sort(
        (a, b) -> a[1] != b[1] ? Integer.compare(a[1], b[1]) : Integer.compare(a[0], b[0]));
    List<Region> panels = new ArrayList<>(accepted.size());
    for (int[] a : accepted) {
      panels.add(new Region(a[0], a[1], a[2] - a[0] + 1, a[3] - a[1] + 1));
    }
    return panels;
  }

  /**
   * Whether the box x0..x1, y0..y1 has a straight bright top or bottom side and a straight bright
   * left or right side (at least 80% bright): true of a label box and of a stack of label boxes
   * aligned left or right, not of the round or ragged bright blobs of anatomy.
   */
  private static boolean straightEdges(int[] grey, int width, int x0, int y0, int x1, int y1) {
    int top = 0;
    int bottom = 0;
    for (int x = x0; x <= x1; x++) {
      top += grey[y0 * width + x] >= PANEL_LEVEL ? 1 : 0;
      bottom += grey[y1 * width + x] >= PANEL_LEVEL ? 1 : 0;
    }
    int left = 0;
    int right = 0;
    for (int y = y0; y <= y1; y++) {
      left += grey[y * width + x0] >= PANEL_LEVEL ? 1 : 0;
      right += grey[y * width + x1] >= PANEL_LEVEL ? 1 : 0;
    }
    double w = x1 - x0 + 1;
    double h = y1 - y0 + 1;
    return (top >= 0.8 * w || bottom >= 0.8 * w) && (left >= 0.8 * h || right >= 0.8 * h);
  }

  /**
   * Copies a region out of a row-major frame onto a white canvas with a {@code margin} on every
   * side: the clean page Tesseract reads best (dark text on white, away from the edges). The result
   * is {@code region.width() + 2 * margin} pixels wide.
   */
  public static int[] crop(int[] grey, int width, Region region, int margin) {
    int outWidth = region.width() + 2 * margin;
    int[] out = new int[outWidth * (region.height() + 2 * margin)];
    Arrays.fill(out, 255);
    for (int y = 0; y < region.height(); y++) {
      System.arraycopy(
          grey,
          (region.y() + y) * width + region.x(),
          out,
          (y + margin) * outWidth + margin,
          region.width());
    }
    return out;
  }
}
