package org.imaginglakehouse.extract.tensor;

import java.io.Serializable;

/**
 * One frame of a released image, as a volume needs it: where it is (ImagePositionPatient,
 * ImageOrientationPatient, PixelSpacing; null when the file has none), how stored values become
 * modality units (RescaleSlope, RescaleIntercept; 1 and 0 when absent), its size, and the range of
 * its stored values.
 *
 * @param frameNumber 1-based frame of the file
 * @param instanceNumber InstanceNumber, or null
 */
public record FrameInfo(
    String sopInstanceUid,
    int frameNumber,
    Integer instanceNumber,
    double[] position,
    double[] orientation,
    double[] pixelSpacing,
    double slope,
    double intercept,
    int rows,
    int columns,
    int channels,
    long minStored,
    long maxStored)
    implements Serializable {

  /** Whether the frame has a position and an orientation. */
  public boolean positioned() {
    return position != null
        && position.length == 3
        && orientation != null
        && orientation.length == 6;
  }
}
