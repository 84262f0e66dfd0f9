package org.imaginglakehouse.extract.pixel;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;

/**
 * Native (uncompressed, little-endian) pixel data as stored values, one int array of interleaved
 * samples per frame, and back. Values are read unsigned; {@link PixelRedactor} sign-extends.
 */
final class NativePixels {
  private NativePixels() {}

  static int[][] read(
      Attribute pixelData,
      int rows,
      int columns,
      int frames,
      int samples,
      int bitsAllocated,
      int planar)
      throws RedactionException {
    byte[] raw = bytes(pixelData);
    int bytesPerSample = bitsAllocated / 8;
    long frameSamples = (long) rows * columns * samples;
    long needed = frameSamples * bytesPerSample * frames;
    if (raw.length < needed) {
      throw new RedactionException(
          RedactionException.Reason.REDACTION_UNSUPPORTED,
          "PixelData holds "
              + raw.length
              + " bytes, Rows x Columns x samples x frames needs "
              + needed);
    }
    if (frameSamples > Integer.MAX_VALUE / 2) {
      throw new RedactionException(
          RedactionException.Reason.REDACTION_UNSUPPORTED, "frames too large");
    }
    int n = (int) frameSamples;
    int plane = rows * columns;
    int[][] out = new int[frames][n];
    for (int f = 0; f < frames; f++) {
      int base = f * n * bytesPerSample;
      int[] frame = out[f];
      for (int i = 0; i < n; i++) {
        int at = base + i * bytesPerSample;
        int v = bytesPerSample == 1 ? raw[at] & 0xff : (raw[at] & 0xff) | (raw[at + 1] & 0xff) << 8;
        // Planar configuration 1 stores R...R G...G B...B: interleave.
        int target = samples == 3 && planar == 1 ? (i % plane) * 3 + i / plane : i;
        frame[target] = v;
      }
    }
    return out;
  }

  /** The value bytes of a native OB/OW attribute (PixelData, OverlayData), little endian. */
  static byte[] bytes(Attribute pixelData) throws RedactionException {
    try {
      if (pixelData instanceof OtherWordAttribute) {
        short[] words = pixelData.getShortValues();
        byte[] out = new byte[words.length * 2];
        for (int i = 0; i < words.length; i++) {
          out[2 * i] = (byte) words[i];
          out[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        return out;
      }
      if (pixelData instanceof OtherByteAttribute) {
        return pixelData.getByteValues();
      }
    } catch (DicomException e) {
      throw new RedactionException(
          RedactionException.Reason.REDACTION_UNSUPPORTED, "PixelData values cannot be read");
    }
    throw new RedactionException(
        RedactionException.Reason.REDACTION_UNSUPPORTED,
        "PixelData of type " + pixelData.getClass().getSimpleName() + " is not native");
  }

  /** Frames of interleaved samples as a PixelData attribute (OB for 8 bits, OW for 16). */
  static Attribute write(int[][] frames, int bitsAllocated) throws DicomException {
    int n = frames.length == 0 ? 0 : frames[0].length;
    if (bitsAllocated == 8) {
      byte[] out = new byte[n * frames.length + (n * frames.length) % 2];
      int i = 0;
      for (int[] frame : frames) {
        for (int v : frame) {
          out[i++] = (byte) v;
        }
      }
      OtherByteAttribute a = new OtherByteAttribute(TagFromName.PixelData);
      a.setValues(out);
      return a;
    }
    short[] out = new short[n * frames.length];
    int i = 0;
    for (int[] frame : frames) {
      for (int v : frame) {
        out[i++] = (short) v;
      }
    }
    OtherWordAttribute a = new OtherWordAttribute(TagFromName.PixelData);
    a.setValues(out);
    return a;
  }
}
