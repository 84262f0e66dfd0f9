package org.imaginglakehouse.extract.tensor;

import java.util.List;

/**
 * How a series becomes one volume: its frames in slice order and what the volume file records about
 * them. Voxel {@code [k, r, c]} (and channel {@code ch} for colour) lies at {@code origin + k *
 * sliceSpacing * normal + c * pixelSpacing[1] * rowDirection + r * pixelSpacing[0] *
 * columnDirection} in patient coordinates (LPS, mm), where the directions are the two halves of
 * {@code orientation} and {@code normal} their cross product.
 *
 * @param frames in slice order (ascending along the normal; file and frame order without geometry)
 * @param slicePositions each frame's distance along the normal (mm), or null without geometry
 * @param acquisitionIndex each frame's rank by InstanceNumber, then frame number
 * @param orientation ImageOrientationPatient shared by every frame, or null
 * @param pixelSpacing PixelSpacing (row spacing, column spacing; mm), or null
 * @param sliceSpacing distance between consecutive slices (mm), or null (one slice, no geometry)
 * @param origin ImagePositionPatient of the first slice, or null
 * @param geometry {@code volume} (positioned slices) or {@code frames} (one image's frames, or a
 *     single image, without a position)
 */
public record VolumePlan(
    List<FrameInfo> frames,
    double[] slicePositions,
    int[] acquisitionIndex,
    VoxelType type,
    int rows,
    int columns,
    int channels,
    double[] orientation,
    double[] pixelSpacing,
    Double sliceSpacing,
    double[] origin,
    String geometry) {

  public static final String VOLUME = "volume";
  public static final String FRAMES = "frames";

  /** The tensor shape of one slice: rows, columns (and channels for colour). */
  public int[] sliceShape() {
    return channels == 1 ? new int[] {rows, columns} : new int[] {rows, columns, channels};
  }

  /** Images (SOP instances) the volume's frames come from. */
  public int instances() {
    return (int) frames.stream().map(FrameInfo::sopInstanceUid).distinct().count();
  }

  /** Elements of one slice. */
  public int sliceElements() {
    return rows * columns * channels;
  }
}
