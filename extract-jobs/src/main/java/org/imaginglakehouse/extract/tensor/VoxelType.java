package org.imaginglakehouse.extract.tensor;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The element type of a volume: the smallest that holds every value in modality units. Integer
 * types when every frame's RescaleSlope and RescaleIntercept are integers (the values then are
 * exact integers), float32 otherwise.
 */
public enum VoxelType {
  UINT8(new ArrowType.Int(8, false), 1, 0, 255),
  INT16(new ArrowType.Int(16, true), 2, Short.MIN_VALUE, Short.MAX_VALUE),
  UINT16(new ArrowType.Int(16, false), 2, 0, 65535),
  INT32(new ArrowType.Int(32, true), 4, Integer.MIN_VALUE, Integer.MAX_VALUE),
  FLOAT32(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), 4, 0, 0);

  private final ArrowType arrow;
  private final int bytes;
  private final long min;
  private final long max;

  VoxelType(ArrowType arrow, int bytes, long min, long max) {
    this.arrow = arrow;
    this.bytes = bytes;
    this.min = min;
    this.max = max;
  }

  public ArrowType arrow() {
    return arrow;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The NumPy name ({@code uint8}, {@code int16}, ...), as in {@code project_<P>.volumes}. */
  public String numpy() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The smallest type holding {@code [lo, hi]}; float32 when the values are not integers. */
  public static VoxelType choose(double lo, double hi, boolean integral) {
    if (integral) {
      for (VoxelType t : values()) {
        if (t != FLOAT32 && lo >= t.min && hi <= t.max) {
          return t;
        }
      }
    }
    return FLOAT32;
  }
}
