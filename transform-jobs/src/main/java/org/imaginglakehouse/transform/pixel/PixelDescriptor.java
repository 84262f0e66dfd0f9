package org.imaginglakehouse.transform.pixel;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What we need to find and decode the pixels of one instance, taken from {@code
 * identifiable.instances}: the pixel-module facts and the PixelData location recorded by ingest,
 * plus a few header values (window, rescale, planar configuration, overlays) looked up in its
 * {@code header} column. Plain data, so Spark can ship it to executors.
 *
 * @param overlays overlay planes found in the header (group 60xx), with their OverlayData bytes
 *     when stored in (60xx,3000)
 * @param pixelSpacing PixelSpacing (row spacing, column spacing) in mm, or empty
 */
public record PixelDescriptor(
    String sopInstanceUid,
    String filePath,
    String transferSyntaxUid,
    Integer rows,
    Integer columns,
    Integer numberOfFrames,
    Integer samplesPerPixel,
    Integer bitsAllocated,
    Integer bitsStored,
    Integer highBit,
    Integer pixelRepresentation,
    String photometricInterpretation,
    Integer planarConfiguration,
    Long pixelDataOffset,
    Long pixelDataLength,
    String pixelDataVr,
    double[] windowCentre,
    double[] windowWidth,
    double rescaleSlope,
    double rescaleIntercept,
    List<OverlayPlane> overlays,
    double[] pixelSpacing)
    implements Serializable {

  /** Number of frames, treating a missing or non-positive NumberOfFrames as 1. */
  public int frames() {
    return numberOfFrames == null || numberOfFrames < 1 ? 1 : numberOfFrames;
  }

  public int samples() {
    return samplesPerPixel == null || samplesPerPixel < 1 ? 1 : samplesPerPixel;
  }

  /** A descriptor with no extra header values (tests, simple callers). */
  public static PixelDescriptor basic(
      String sop,
      String filePath,
      String ts,
      int rows,
      int columns,
      int frames,
      int samples,
      int bitsAllocated,
      int bitsStored,
      int pixelRepresentation,
      String photometric,
      long offset,
      long length,
      String vr) {
    return new PixelDescriptor(
        sop,
        filePath,
        ts,
        rows,
        columns,
        frames,
        samples,
        bitsAllocated,
        bitsStored,
        bitsStored - 1,
        pixelRepresentation,
        photometric,
        0,
        offset,
        length,
        vr,
        new double[0],
        new double[0],
        1.0,
        0.0,
        List.of(),
        new double[0]);
  }

  /** Header tags (top-level paths) the Spark jobs look up for {@link #fromHeader}. */
  public static final List<String> HEADER_TAGS =
      List.of("00280006", "00281050", "00281051", "00281052", "00281053", "00280030");

  /** Values of the optional header tags, keyed by tag. */
  public static double[] numbers(Map<String, List<String>> header, String tag) {
    List<String> values = header.get(tag);
    if (values == null) {
      return new double[0];
    }
    return values.stream()
        .map(String::trim)
        .filter(v -> !v.isEmpty())
        .mapToDouble(
            v -> {
              try {
                return Double.parseDouble(v);
              } catch (NumberFormatException e) {
                return Double.NaN;
              }
            })
        .filter(d -> !Double.isNaN(d))
        .toArray();
  }
}
