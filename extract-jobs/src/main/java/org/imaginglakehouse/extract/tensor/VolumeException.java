package org.imaginglakehouse.extract.tensor;

/**
 * Why a series is not written as a volume: a {@code not_a_volume} reason of {@code
 * project_<P>.volumes} and a message that names structure only, never a value.
 */
public final class VolumeException extends Exception {
  public static final String UNDECODABLE = "undecodable";
  public static final String UNSUPPORTED_PIXELS = "unsupported_pixels";
  public static final String MIXED_SIZE = "mixed_size";
  public static final String MIXED_ORIENTATION = "mixed_orientation";
  public static final String MIXED_SPACING = "mixed_pixel_spacing";
  public static final String PARTIAL_GEOMETRY = "partial_geometry";
  public static final String NO_GEOMETRY = "no_geometry";
  public static final String REPEATED_POSITIONS = "repeated_positions";
  public static final String NOT_ALONG_NORMAL = "not_along_normal";
  public static final String TOO_LARGE = "too_large";

  private final String reason;

  public VolumeException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
