package org.imaginglakehouse.transform.ocr;

import java.util.Arrays;

/**
 * Turns a frame of stored pixel values into the 8-bit grey rasters handed to Tesseract, one per
 * {@link OcrPass}, upscaling small images so that text reaches a height Tesseract reads well. Plain
 * Java, no AWT.
 */
public final class OcrPreprocessor {
  /** Adaptive threshold window, as in SMI's IsIdentifiable. */
  public static final int THRESHOLD_WINDOW = 25;

  private OcrPreprocessor() {}

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
}
