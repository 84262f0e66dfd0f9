package org.imaginglakehouse.transform.features;

import java.io.Serializable;
import java.util.Map;

/**
 * Per-instance pixel features (one row of {@code identifiable.pixel_features}). Statistics are in
 * modality units (after Rescale Slope/Intercept) over the sampled frames.
 *
 * @param decodeStatus {@code decoded} or {@code undecodable}
 * @param histogram counts in {@link #HISTOGRAM_BINS} equal bins from {@code pixelMin} to {@code
 *     pixelMax}
 * @param backgroundFraction fraction of pixels within 2% of the value range above the minimum (air,
 *     padding, blank border)
 */
public record InstanceFeatures(
    String decodeStatus,
    String decodeReason,
    Integer frames,
    Integer framesSampled,
    Double pixelMin,
    Double pixelMax,
    Double pixelMean,
    Double pixelStd,
    long[] histogram,
    Double backgroundFraction,
    Integer overlayCount,
    Map<String, Double> extra,
    long millis)
    implements Serializable {
  public static final int HISTOGRAM_BINS = 16;
  public static final String DECODED = "decoded";
  public static final String UNDECODABLE = "undecodable";
}
