package org.imaginglakehouse.transform.pixel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Overlay planes: parsing their header attributes and unpacking OverlayData bits. */
public final class Overlays {
  private Overlays() {}

  /** Header attribute values of one element, as the Spark jobs extract them from {@code header}. */
  public record HeaderValue(List<String> values, byte[] binary) {}

  /**
   * Overlay planes described in a header, keyed by tag ({@code 60000010} …). Planes need
   * OverlayRows/Columns; OverlayData (60xx,3000) makes a separate plane, otherwise the plane is
   * embedded in the pixel data at OverlayBitPosition (60xx,0102).
   */
  public static List<OverlayPlane> fromHeader(Map<String, HeaderValue> header) {
    List<OverlayPlane> planes = new ArrayList<>();
    for (int group = 0x6000; group <= 0x601E; group += 2) {
      String g = String.format("%04X", group);
      Integer rows = intValue(header.get(g + "0010"));
      Integer cols = intValue(header.get(g + "0011"));
      if (rows == null || cols == null || rows <= 0 || cols <= 0) {
        continue;
      }
      int[] origin = intValues(header.get(g + "0050"));
      Integer frames = intValue(header.get(g + "0015"));
      Integer bitsAllocated = intValue(header.get(g + "0100"));
      Integer bitPosition = intValue(header.get(g + "0102"));
      HeaderValue data = header.get(g + "3000");
      byte[] bytes = data == null ? null : data.binary();
      if ((bytes == null || bytes.length == 0) && bitPosition == null) {
        continue;
      }
      planes.add(
          new OverlayPlane(
              group,
              rows,
              cols,
              origin.length > 0 ? origin[0] : 1,
              origin.length > 1 ? origin[1] : 1,
              frames == null || frames < 1 ? 1 : frames,
              bitsAllocated == null ? 1 : bitsAllocated,
              bitPosition == null ? 0 : bitPosition,
              bytes));
    }
    return planes;
  }

  /** The header tags overlay parsing needs, for all 16 overlay groups. */
  public static List<String> headerTags() {
    List<String> tags = new ArrayList<>();
    for (int group = 0x6000; group <= 0x601E; group += 2) {
      String g = String.format("%04X", group);
      for (String e : List.of("0010", "0011", "0015", "0050", "0100", "0102", "3000")) {
        tags.add(g + e);
      }
    }
    return tags;
  }

  /** Unpacks frame {@code frame} of a plane's OverlayData (bits little-endian within bytes). */
  public static boolean[] fromOverlayData(OverlayPlane plane, int frame)
      throws PixelDecodeException {
    int perFrame = plane.rows() * plane.columns();
    int f = plane.frames() <= 1 ? 0 : Math.min(frame, plane.frames() - 1);
    long startBit = (long) perFrame * f;
    byte[] data = plane.data();
    if ((startBit + perFrame + 7) / 8 > data.length) {
      throw new PixelDecodeException(
          plane.label()
              + ": OverlayData has "
              + data.length
              + " bytes, too short for "
              + plane.rows()
              + "x"
              + plane.columns());
    }
    boolean[] mask = new boolean[perFrame];
    for (int i = 0; i < perFrame; i++) {
      long bit = startBit + i;
      mask[i] = ((data[(int) (bit >>> 3)] >>> (bit & 7)) & 1) != 0;
    }
    return mask;
  }

  private static Integer intValue(HeaderValue v) {
    int[] all = intValues(v);
    return all.length == 0 ? null : all[0];
  }

  private static int[] intValues(HeaderValue v) {
    if (v == null || v.values() == null) {
      return new int[0];
    }
    List<Integer> out = new ArrayList<>();
    for (String s : v.values()) {
      if (s == null) {
        continue;
      }
      for (String part : s.split("\\\\")) {
        try {
          out.add((int) Math.round(Double.parseDouble(part.trim())));
        } catch (NumberFormatException e) {
          // not a number: ignore
        }
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
