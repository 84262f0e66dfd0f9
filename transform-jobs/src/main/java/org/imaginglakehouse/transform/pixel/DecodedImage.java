package org.imaginglakehouse.transform.pixel;

import java.util.List;

/**
 * Decoded pixels of one instance. Frames are produced on demand (a long cine is never held in
 * memory at once): {@link #frame(int)} returns one frame as stored pixel values, one int per pixel
 * (colour images as luminance 0-255), row-major. Overlays are separate 1-bit planes.
 */
public final class DecodedImage {
  /** Loads one frame's pixel values. */
  @FunctionalInterface
  public interface FrameLoader {
    int[] load(int frame) throws PixelDecodeException;
  }

  /** Loads the 1-bit mask of one overlay plane for one frame (rows × columns of the overlay). */
  @FunctionalInterface
  public interface OverlayLoader {
    boolean[] load(OverlayPlane plane, int frame) throws PixelDecodeException;
  }

  private final int rows;
  private final int columns;
  private final int frameCount;
  private final int bitsStored;
  private final boolean signed;
  private final boolean monochrome1;
  private final boolean colour;
  private final FrameLoader frames;
  private final List<OverlayPlane> overlays;
  private final OverlayLoader overlayLoader;

  public DecodedImage(
      int rows,
      int columns,
      int frameCount,
      int bitsStored,
      boolean signed,
      boolean monochrome1,
      boolean colour,
      FrameLoader frames,
      List<OverlayPlane> overlays,
      OverlayLoader overlayLoader) {
    this.rows = rows;
    this.columns = columns;
    this.frameCount = frameCount;
    this.bitsStored = bitsStored;
    this.signed = signed;
    this.monochrome1 = monochrome1;
    this.colour = colour;
    this.frames = frames;
    this.overlays = List.copyOf(overlays);
    this.overlayLoader = overlayLoader;
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  public int frameCount() {
    return frameCount;
  }

  /** Bits per stored value (8 for colour luminance). */
  public int bitsStored() {
    return bitsStored;
  }

  public boolean signed() {
    return signed;
  }

  /** MONOCHROME1: low values display white. */
  public boolean monochrome1() {
    return monochrome1;
  }

  /** Pixels were colour and are given as luminance. */
  public boolean colour() {
    return colour;
  }

  public int[] frame(int index) throws PixelDecodeException {
    if (index < 0 || index >= frameCount) {
      throw new IndexOutOfBoundsException("frame " + index + " of " + frameCount);
    }
    return frames.load(index);
  }

  public List<OverlayPlane> overlays() {
    return overlays;
  }

  /** The overlay's mask for {@code frame} (overlays with one frame apply to every frame). */
  public boolean[] overlay(OverlayPlane plane, int frame) throws PixelDecodeException {
    return overlayLoader.load(plane, frame);
  }

  /**
   * Frame indices to process when at most {@code max} may be: all frames when there are few enough,
   * otherwise {@code max} evenly spaced frames always including the first and last.
   */
  public static int[] sampleFrames(int frameCount, int max) {
    if (max <= 0 || frameCount <= max) {
      int[] all = new int[frameCount];
      for (int i = 0; i < frameCount; i++) {
        all[i] = i;
      }
      return all;
    }
    if (max == 1) {
      return new int[] {0};
    }
    int[] picked = new int[max];
    for (int i = 0; i < max; i++) {
      picked[i] = (int) Math.round(i * (frameCount - 1) / (double) (max - 1));
    }
    return picked;
  }
}
