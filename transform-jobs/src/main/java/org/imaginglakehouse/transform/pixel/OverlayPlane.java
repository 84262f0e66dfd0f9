package org.imaginglakehouse.transform.pixel;

import java.io.Serializable;

/**
 * One overlay plane (group 60xx). Either {@code data} holds the packed 1-bit OverlayData
 * (60xx,3000), or {@code bitPosition} names the unused high bit of the pixel data that carries it
 * (retired embedded overlays, OverlayBitsAllocated = BitsAllocated).
 */
public record OverlayPlane(
    int group,
    int rows,
    int columns,
    int originRow,
    int originColumn,
    int frames,
    int bitsAllocated,
    int bitPosition,
    byte[] data)
    implements Serializable {

  /** Overlay bits live in the pixel data rather than in OverlayData. */
  public boolean embedded() {
    return data == null || data.length == 0;
  }

  /** Label used in output tables: {@code overlay_6000}. */
  public String label() {
    return String.format("overlay_%04x", group);
  }
}
