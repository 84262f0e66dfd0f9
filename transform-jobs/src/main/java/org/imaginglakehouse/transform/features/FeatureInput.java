package org.imaginglakehouse.transform.features;

import java.util.List;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * What a {@link FeatureExtractor} sees: the sampled frames of one instance (stored values, one int
 * per pixel, row-major; colour as luminance), the frame indices they came from, and the pixel
 * descriptor (rescale, window, photometric interpretation …).
 */
public record FeatureInput(
    PixelDescriptor descriptor, int rows, int columns, int[] frameIndices, List<int[]> frames) {

  /** Stored value to modality units (Rescale Slope/Intercept). */
  public double rescale(int stored) {
    double slope = descriptor.rescaleSlope() == 0 ? 1 : descriptor.rescaleSlope();
    return stored * slope + descriptor.rescaleIntercept();
  }
}
