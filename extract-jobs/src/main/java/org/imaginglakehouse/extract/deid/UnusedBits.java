package org.imaginglakehouse.extract.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.imaginglakehouse.extract.deid.SourceRejectedException.Reason;

/**
 * The bits of each native stored pixel value outside BitsStored, where a retired embedded overlay
 * (OverlayBitPosition above HighBit) hides: cleared while {@link ExtractFileWriter} copies the
 * pixel bytes, without decoding anything (bits above HighBit are zeroed, or copies of the sign bit
 * for signed data; bits below HighBit − BitsStored + 1 are zeroed).
 *
 * <p>Encapsulated (compressed) pixel data cannot be masked without decoding it. DICOM allows
 * embedded overlays in native data only, so its unused bits are left as the codec stores them,
 * unless the header declares an embedded overlay there: that image is refused ({@code
 * embedded_overlay}), as is a native image whose declared embedded overlay sits inside the stored
 * bits (clearing it would change the image). Fail closed.
 */
final class UnusedBits {
  private final int bytesPerValue;
  private final long keep;
  private final long above;
  private final int highBit;
  private final boolean signed;

  private UnusedBits(int bytesPerValue, long keep, int highBit, boolean signed) {
    this.bytesPerValue = bytesPerValue;
    this.keep = keep;
    this.highBit = highBit;
    this.signed = signed;
    long all = bytesPerValue == 4 ? 0xFFFFFFFFL : (1L << (8 * bytesPerValue)) - 1;
    this.above = all & ~((1L << (highBit + 1)) - 1);
  }

  /**
   * What to clear in the pixel data of {@code header} (the source's, before any rewrite), or null
   * when nothing is unused (or nothing can hold an overlay: no PixelData, 1-bit data).
   *
   * @throws SourceRejectedException when an embedded overlay is declared where it cannot be cleared
   */
  static UnusedBits of(AttributeList header, boolean encapsulated) throws SourceRejectedException {
    int allocated = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsAllocated, 0);
    int stored = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsStored, 0);
    int high = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.HighBit, stored - 1);
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(header, TagFromName.PixelRepresentation, 0) == 1;
    if (allocated != 8 && allocated != 16 && allocated != 32) {
      return null;
    }
    if (stored <= 0 || stored >= allocated) {
      return null;
    }
    int low = high - stored + 1;
    if (low < 0 || high >= allocated) {
      throw new SourceRejectedException(
          Reason.CORRUPT,
          "BitsStored "
              + stored
              + " / HighBit "
              + high
              + " do not fit in BitsAllocated "
              + allocated
              + ": the unused bits cannot be located");
    }
    int embedded = embeddedOverlayBit(header);
    if (embedded >= 0 && encapsulated) {
      throw new SourceRejectedException(
          Reason.EMBEDDED_OVERLAY,
          "an embedded overlay (OverlayBitPosition "
              + embedded
              + ") in compressed pixel data: its bits cannot be cleared without decoding");
    }
    if (embedded >= low && embedded <= high) {
      throw new SourceRejectedException(
          Reason.EMBEDDED_OVERLAY,
          "an embedded overlay in bit "
              + embedded
              + ", inside the stored bits "
              + low
              + "-"
              + high
              + ": it cannot be removed without changing the image");
    }
    if (encapsulated) {
      return null;
    }
    long keep = ((1L << stored) - 1) << low;
    return new UnusedBits(allocated / 8, keep, high, signed);
  }

  /**
   * The bit of the first overlay group that declares its plane embedded in the pixel data (no
   * OverlayData (60xx,3000)), or -1.
   */
  static int embeddedOverlayBit(AttributeList header) {
    for (int group = 0x6000; group <= 0x601E; group += 2) {
      boolean declared =
          header.get(new AttributeTag(group, 0x0010)) != null
              || header.get(new AttributeTag(group, 0x0102)) != null;
      if (declared && header.get(new AttributeTag(group, 0x3000)) == null) {
        return Attribute.getSingleIntegerValueOrDefault(header, new AttributeTag(group, 0x0102), 0);
      }
    }
    return -1;
  }

  /** Bytes per stored value: copy in multiples of it. */
  int bytesPerValue() {
    return bytesPerValue;
  }

  /**
   * Clears the unused bits of the little-endian values in {@code buffer[0..n)}; a trailing partial
   * value (odd-length padding) is left as it is. Returns how many values changed.
   */
  long apply(byte[] buffer, int n) {
    if (bytesPerValue == 2) {
      return apply16(buffer, n);
    }
    long changed = 0;
    for (int at = 0; at + bytesPerValue <= n; at += bytesPerValue) {
      long v = 0;
      for (int b = 0; b < bytesPerValue; b++) {
        v |= (buffer[at + b] & 0xFFL) << (8 * b);
      }
      long out = v & keep;
      if (signed && ((v >>> highBit) & 1) == 1) {
        out |= above;
      }
      if (out != v) {
        changed++;
        for (int b = 0; b < bytesPerValue; b++) {
          buffer[at + b] = (byte) (out >>> (8 * b));
        }
      }
    }
    return changed;
  }

  /** Eight bytes of a byte array as one little-endian long. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Bit 0 of each of the four 16-bit lanes of a long. */
  private static final long LANE_LOW_BITS = 0x0001_0001_0001_0001L;

  /**
   * {@link #apply} for 16-bit values (most CT and MR): four values at a time in a long, each lane
   * computed as {@link #apply16Scalar} computes one value (the bits kept, and for a negative signed
   * value the bits above HighBit set); only a long whose lanes change is counted value by value.
   */
  private long apply16(byte[] buffer, int n) {
    long keep4 = (keep & 0xFFFF) * LANE_LOW_BITS;
    long above16 = above & 0xFFFF;
    long changed = 0;
    int at = 0;
    for (; at + 8 <= n; at += 8) {
      long v = (long) LONGS.get(buffer, at);
      long out = v & keep4;
      if (signed) {
        // Lane i's bit highBit moved to its bit 0 (highBit < 16: no lane borrows from the next),
        // times the 16-bit mask: the mask in every lane whose value is negative.
        out |= ((v >>> highBit) & LANE_LOW_BITS) * above16;
      }
      if (out != v) {
        LONGS.set(buffer, at, out);
        long diff = out ^ v;
        for (int lane = 0; lane < 4; lane++) {
          if ((diff >>> (16 * lane) & 0xFFFF) != 0) {
            changed++;
          }
        }
      }
    }
    return changed + apply16Scalar(buffer, at, n);
  }

  /** {@link #apply} for the 16-bit values in {@code buffer[from..n)}, one at a time. */
  private long apply16Scalar(byte[] buffer, int from, int n) {
    int keep16 = (int) keep;
    int above16 = (int) above;
    long changed = 0;
    for (int at = from; at + 1 < n; at += 2) {
      int v = (buffer[at] & 0xFF) | (buffer[at + 1] & 0xFF) << 8;
      int out = v & keep16;
      if (signed && ((v >>> highBit) & 1) == 1) {
        out |= above16;
      }
      if (out != v) {
        changed++;
        buffer[at] = (byte) out;
        buffer[at + 1] = (byte) (out >>> 8);
      }
    }
    return changed;
  }
}
