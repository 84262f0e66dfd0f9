package org.imaginglakehouse.extract.deid;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.imaginglakehouse.extract.deid.SourceRejectedException.Reason;

/**
 * Copies a PixelData element byte for byte without decoding it: tag, VR and length, then the value
 * (defined length) or every item up to and including the sequence delimiter (encapsulated).
 */
final class PixelDataCopier {
  private static final Set<String> LONG_LENGTH_VRS =
      Set.of("OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UN", "UT", "UC", "UR", "SV", "UV");
  private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
  private static final int COPY_BUFFER = 65536;

  private PixelDataCopier() {}

  /** Size of the PixelData tag + VR + length, checked against the kept source bytes. */
  static int elementHeaderSize(SourceStream src, long tagStart, boolean explicitVr)
      throws IOException, SourceRejectedException {
    if (tagStart < 0 || tagStart + 12 > SourceStream.RECORD_LIMIT) {
      throw new SourceRejectedException(
          Reason.CORRUPT, "PixelData at byte " + tagStart + " cannot be located");
    }
    src.fill((int) tagStart + 12);
    byte[] b = src.recorded();
    int t = (int) tagStart;
    if (src.recordedCount() < t + 8) {
      throw new SourceRejectedException(
          Reason.TRUNCATED, "file ends inside the PixelData element header at byte " + t);
    }
    if ((b[t] & 0xFF) != 0xE0 || (b[t + 1] & 0xFF) != 0x7F || b[t + 2] != 0x10 || b[t + 3] != 0) {
      throw new SourceRejectedException(
          Reason.CORRUPT, "no PixelData tag at byte " + t + " where the parser found it");
    }
    if (!explicitVr) {
      return 8;
    }
    String vr = new String(b, t + 4, 2, StandardCharsets.US_ASCII);
    return LONG_LENGTH_VRS.contains(vr) ? 12 : 8;
  }

  /**
   * Copies the PixelData element; returns the number of bytes copied. A defined-length (native)
   * value has its {@code unused} bits cleared on the way (null: verbatim); encapsulated items are
   * always copied verbatim.
   */
  static long copy(InputStream in, boolean explicitVr, UnusedBits unused, OutputStream out)
      throws IOException, SourceRejectedException {
    byte[] buffer = new byte[COPY_BUFFER];
    readFully(in, buffer, 8, "PixelData element header");
    long length;
    int headerSize = 8;
    if (explicitVr) {
      String vr = new String(buffer, 4, 2, StandardCharsets.US_ASCII);
      if (LONG_LENGTH_VRS.contains(vr)) {
        readFully(in, buffer, 8, 4, "PixelData element header");
        length = uint32(buffer, 8);
        headerSize = 12;
      } else {
        length = (buffer[6] & 0xFF) | (buffer[7] & 0xFF) << 8;
      }
    } else {
      length = uint32(buffer, 4);
    }
    out.write(buffer, 0, headerSize);
    long copied = headerSize;
    if (length != UNDEFINED_LENGTH) {
      return copied
          + (unused == null
              ? copyValue(in, length, buffer, out, "PixelData value")
              : copyMasked(in, length, buffer, unused, out));
    }
    int items = 0;
    while (true) {
      readFully(in, buffer, 8, "encapsulated pixel data (item " + items + ")");
      int group = (buffer[0] & 0xFF) | (buffer[1] & 0xFF) << 8;
      int element = (buffer[2] & 0xFF) | (buffer[3] & 0xFF) << 8;
      long itemLength = uint32(buffer, 4);
      out.write(buffer, 0, 8);
      copied += 8;
      if (group == 0xFFFE && element == 0xE0DD) {
        return copied;
      }
      if (group != 0xFFFE || element != 0xE000 || itemLength == UNDEFINED_LENGTH) {
        throw new SourceRejectedException(
            Reason.CORRUPT,
            String.format(
                Locale.ROOT,
                "encapsulated pixel data corrupt: item %d has tag (%04X,%04X)",
                items,
                group,
                element));
      }
      copied += copyValue(in, itemLength, buffer, out, "fragment " + items);
      items++;
    }
  }

  private static long copyValue(
      InputStream in, long length, byte[] buffer, OutputStream out, String what)
      throws IOException, SourceRejectedException {
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new SourceRejectedException(
            Reason.TRUNCATED,
            "file ends inside the " + what + ": " + left + " of " + length + " bytes missing");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
    return length;
  }

  /** Copies a native value in whole stored values, clearing their unused bits. */
  private static long copyMasked(
      InputStream in, long length, byte[] buffer, UnusedBits unused, OutputStream out)
      throws IOException, SourceRejectedException {
    int chunk = buffer.length - buffer.length % unused.bytesPerValue();
    long left = length;
    while (left > 0) {
      int want = (int) Math.min(chunk, left);
      int n = in.readNBytes(buffer, 0, want);
      if (n < want) {
        throw new SourceRejectedException(
            Reason.TRUNCATED,
            "file ends inside the PixelData value: "
                + (left - n)
                + " of "
                + length
                + " bytes missing");
      }
      unused.apply(buffer, n);
      out.write(buffer, 0, n);
      left -= n;
    }
    return length;
  }

  private static void readFully(InputStream in, byte[] buffer, int n, String what)
      throws IOException, SourceRejectedException {
    readFully(in, buffer, 0, n, what);
  }

  private static void readFully(InputStream in, byte[] buffer, int off, int n, String what)
      throws IOException, SourceRejectedException {
    int got = in.readNBytes(buffer, off, n);
    if (got < n) {
      throw new SourceRejectedException(Reason.TRUNCATED, "file ends inside the " + what);
    }
  }

  private static long uint32(byte[] b, int off) {
    return (b[off] & 0xFFL)
        | (b[off + 1] & 0xFFL) << 8
        | (b[off + 2] & 0xFFL) << 16
        | (b[off + 3] & 0xFFL) << 24;
  }
}
