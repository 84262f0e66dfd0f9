package org.imaginglakehouse.extract.pixel;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rectangle of a frame in pixel coordinates (x = column, y = row of the top-left corner), as
 * blacked out by the redaction and outlined in the report's thumbnails.
 */
public record Region(int x, int y, int width, int height) implements Serializable {

  /** This region grown by {@code margin} pixels on every side and clipped to the frame. */
  public Region grow(int margin, int columns, int rows) {
    return new Region(x - margin, y - margin, width + 2 * margin, height + 2 * margin)
        .clip(columns, rows);
  }

  /** The part inside a frame of {@code columns} × {@code rows}; null when nothing is left. */
  public Region clip(int columns, int rows) {
    int x0 = Math.max(0, x);
    int y0 = Math.max(0, y);
    int x1 = Math.min(columns, x + width);
    int y1 = Math.min(rows, y + height);
    return x1 <= x0 || y1 <= y0 ? null : new Region(x0, y0, x1 - x0, y1 - y0);
  }

  /** Pixels shared with {@code other}. */
  public long overlap(Region other) {
    long w = Math.min(x + width, other.x + other.width) - (long) Math.max(x, other.x);
    long h = Math.min(y + height, other.y + other.height) - (long) Math.max(y, other.y);
    return w <= 0 || h <= 0 ? 0 : w * h;
  }

  public long area() {
    return (long) width * height;
  }

  /** {@code x,y,width,height} regions joined by {@code ;} (as stored in the redactions table). */
  public static String format(List<Region> regions) {
    StringBuilder out = new StringBuilder();
    for (Region r : regions) {
      if (out.length() > 0) {
        out.append(';');
      }
      out.append(String.format(Locale.ROOT, "%d,%d,%d,%d", r.x, r.y, r.width, r.height));
    }
    return out.toString();
  }

  /** The inverse of {@link #format}; an empty or null text gives no region. */
  public static List<Region> parse(String text) {
    List<Region> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(";")) {
      String[] v = part.trim().split(",");
      if (v.length != 4) {
        throw new IllegalArgumentException("a region is x,y,width,height, not '" + part + "'");
      }
      out.add(
          new Region(
              Integer.parseInt(v[0].trim()),
              Integer.parseInt(v[1].trim()),
              Integer.parseInt(v[2].trim()),
              Integer.parseInt(v[3].trim())));
    }
    return out;
  }
}
