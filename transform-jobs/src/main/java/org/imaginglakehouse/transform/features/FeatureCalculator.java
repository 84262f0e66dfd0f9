package org.imaginglakehouse.transform.features;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.transform.pixel.DecodedImage;
import org.imaginglakehouse.transform.pixel.PixelDecodeException;
import org.imaginglakehouse.transform.pixel.PixelDecoder;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/** Decodes one instance and computes its basic features plus the selected extractors'. */
public final class FeatureCalculator {
  private final int maxFrames;
  private final List<FeatureExtractor> extractors;

  public FeatureCalculator(int maxFrames, List<FeatureExtractor> extractors) {
    this.maxFrames = maxFrames;
    this.extractors = List.copyOf(extractors);
  }

  public InstanceFeatures compute(PixelDescriptor d) {
    long start = System.nanoTime();
    DecodedImage image;
    int[] picked;
    List<int[]> frames = new ArrayList<>();
    try {
      image = PixelDecoder.decode(d);
      picked = DecodedImage.sampleFrames(image.frameCount(), maxFrames);
      for (int f : picked) {
        frames.add(image.frame(f));
      }
    } catch (PixelDecodeException e) {
      return undecodable(d, e.getMessage(), start);
    } catch (RuntimeException e) {
      return undecodable(
          d, "decoder failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), start);
    }
    double slope = d.rescaleSlope() == 0 ? 1 : d.rescaleSlope();
    double intercept = d.rescaleIntercept();
    int storedMin = Integer.MAX_VALUE;
    int storedMax = Integer.MIN_VALUE;
    double sum = 0;
    double sumSq = 0;
    long n = 0;
    for (int[] frame : frames) {
      for (int v : frame) {
        storedMin = Math.min(storedMin, v);
        storedMax = Math.max(storedMax, v);
        double r = v * slope + intercept;
        sum += r;
        sumSq += r * r;
        n++;
      }
    }
    double mean = sum / n;
    double std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    long[] hist = new long[InstanceFeatures.HISTOGRAM_BINS];
    double range = storedMax - storedMin;
    double backgroundLimit = storedMin + 0.02 * range;
    long background = 0;
    for (int[] frame : frames) {
      for (int v : frame) {
        int bin =
            range == 0 ? 0 : (int) Math.min(hist.length - 1, (v - storedMin) / range * hist.length);
        hist[bin]++;
        if (v <= backgroundLimit) {
          background++;
        }
      }
    }
    double lo = storedMin * slope + intercept;
    double hi = storedMax * slope + intercept;
    Map<String, Double> extra = new LinkedHashMap<>();
    FeatureInput input = new FeatureInput(d, image.rows(), image.columns(), picked, frames);
    for (FeatureExtractor extractor : extractors) {
      try {
        extractor
            .extract(input)
            .forEach(
                (k, v) -> {
                  if (v != null && !v.isNaN() && !v.isInfinite()) {
                    extra.put(extractor.name() + "." + k, v);
                  }
                });
      } catch (RuntimeException e) {
        extra.put(extractor.name() + ".failed", 1.0);
      }
    }
    return new InstanceFeatures(
        InstanceFeatures.DECODED,
        null,
        image.frameCount(),
        picked.length,
        Math.min(lo, hi),
        Math.max(lo, hi),
        mean,
        std,
        slope < 0 ? reverse(hist) : hist,
        background / (double) n,
        image.overlays().size(),
        extra,
        (System.nanoTime() - start) / 1_000_000);
  }

  private static long[] reverse(long[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[a.length - 1 - i];
    }
    return out;
  }

  private static InstanceFeatures undecodable(PixelDescriptor d, String reason, long start) {
    return new InstanceFeatures(
        InstanceFeatures.UNDECODABLE,
        reason,
        d.frames(),
        0,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of(),
        (System.nanoTime() - start) / 1_000_000);
  }
}
