package org.imaginglakehouse.transform.pixel;

import java.io.IOException;
import java.util.List;
import org.imaginglakehouse.core.io.SourceFiles;

/** Uncompressed pixel data read in place at the offset recorded by ingest. */
final class NativeDecoder {
  private NativeDecoder() {}

  static DecodedImage decode(PixelDescriptor d, long fileLength, boolean bigEndian)
      throws PixelDecodeException {
    int rows = d.rows();
    int cols = d.columns();
    int samples = d.samples();
    int bitsAllocated = d.bitsAllocated();
    if (bitsAllocated != 1 && bitsAllocated != 8 && bitsAllocated != 16) {
      throw new PixelDecodeException("BitsAllocated " + bitsAllocated + " is not supported");
    }
    if (samples != 1 && samples != 3) {
      throw new PixelDecodeException("SamplesPerPixel " + samples + " is not supported");
    }
    if (bitsAllocated == 1 && samples != 1) {
      throw new PixelDecodeException("1-bit colour pixel data is not valid DICOM");
    }
    int bitsStored = Math.min(PixelDecoder.bitsStored(d), bitsAllocated);
    int highBit = d.highBit() == null ? bitsStored - 1 : d.highBit();
    if (highBit < bitsStored - 1 || highBit >= bitsAllocated) {
      throw new PixelDecodeException(
          "HighBit " + highBit + " inconsistent with BitsStored " + bitsStored);
    }
    boolean signed = d.pixelRepresentation() != null && d.pixelRepresentation() == 1;
    int frames = d.frames();
    long pixelsPerFrame = (long) rows * cols;
    long frameBits = pixelsPerFrame * samples * bitsAllocated;
    long needed = (frameBits * frames + 7) / 8;
    long declared = d.pixelDataLength() == null ? -1 : d.pixelDataLength();
    if (declared >= 0 && declared < needed) {
      throw new PixelDecodeException(
          "PixelData has "
              + declared
              + " bytes but Rows x Columns x SamplesPerPixel x BitsAllocated x frames needs "
              + needed);
    }
    long available = fileLength - d.pixelDataOffset();
    if (available < needed) {
      throw new PixelDecodeException(
          "pixel data cut short: file ends after "
              + Math.max(available, 0)
              + " of "
              + needed
              + " pixel bytes");
    }
    if (frameBits / 8 > Integer.MAX_VALUE - 16) {
      throw new PixelDecodeException("frame larger than 2 GB");
    }
    boolean colour = samples == 3;
    String photometric = d.photometricInterpretation() == null ? "" : d.photometricInterpretation();
    boolean ybr = photometric.startsWith("YBR");
    boolean planar = d.planarConfiguration() != null && d.planarConfiguration() == 1;
    int valueShift = highBit + 1 - bitsStored;
    int valueMask = bitsStored >= 32 ? -1 : (1 << bitsStored) - 1;

    RawFrames raw = new RawFrames(d, frameBits, bitsAllocated, bigEndian);
    DecodedImage.FrameLoader loader =
        frame -> {
          int[] words = raw.words(frame);
          int n = (int) pixelsPerFrame;
          int[] out = new int[n];
          if (!colour) {
            for (int i = 0; i < n; i++) {
              int v = (words[i] >>> valueShift) & valueMask;
              if (signed && bitsStored < 32 && (v & (1 << (bitsStored - 1))) != 0) {
                v -= 1 << bitsStored;
              }
              out[i] = v;
            }
            return out;
          }
          int scaleShift = Math.max(0, bitsStored - 8);
          for (int i = 0; i < n; i++) {
            int a;
            int b;
            int c;
            if (planar) {
              a = words[i];
              b = words[n + i];
              c = words[2 * n + i];
            } else {
              a = words[3 * i];
              b = words[3 * i + 1];
              c = words[3 * i + 2];
            }
            a = (a & valueMask) >>> scaleShift;
            b = (b & valueMask) >>> scaleShift;
            c = (c & valueMask) >>> scaleShift;
            double luminance = ybr ? a : 0.299 * a + 0.587 * b + 0.114 * c;
            out[i] = (int) Math.round(luminance);
          }
          return out;
        };
    List<OverlayPlane> overlays =
        d.overlays().stream()
            .filter(
                o -> !o.embedded() || (bitsAllocated > 1 && !colour && o.bitPosition() > highBit))
            .toList();
    DecodedImage.OverlayLoader overlayLoader =
        (plane, frame) -> {
          if (!plane.embedded()) {
            return Overlays.fromOverlayData(plane, frame);
          }
          int[] words = raw.words(frame);
          boolean[] mask = new boolean[(int) pixelsPerFrame];
          int bit = plane.bitPosition();
          for (int i = 0; i < mask.length; i++) {
            mask[i] = ((words[i] >>> bit) & 1) != 0;
          }
          return mask;
        };
    return new DecodedImage(
        rows,
        cols,
        frames,
        colour ? 8 : bitsStored,
        signed && !colour,
        "MONOCHROME1".equals(photometric),
        colour,
        loader,
        overlays,
        overlayLoader);
  }

  /** Reads frames as raw words (unmasked), caching the last one for overlay extraction. */
  private static final class RawFrames {
    private final PixelDescriptor d;
    private final long frameBits;
    private final int bitsAllocated;
    private final boolean bigEndian;
    private int cachedFrame = -1;
    private int[] cached;

    RawFrames(PixelDescriptor d, long frameBits, int bitsAllocated, boolean bigEndian) {
      this.d = d;
      this.frameBits = frameBits;
      this.bitsAllocated = bitsAllocated;
      this.bigEndian = bigEndian;
    }

    synchronized int[] words(int frame) throws PixelDecodeException {
      if (frame == cachedFrame) {
        return cached;
      }
      long startBit = frameBits * frame;
      long startByte = startBit / 8;
      int bitOffset = (int) (startBit % 8);
      int length = (int) ((bitOffset + frameBits + 7) / 8);
      byte[] bytes;
      try {
        bytes = SourceFiles.readRange(d.filePath(), d.pixelDataOffset() + startByte, length);
      } catch (IOException e) {
        throw new PixelDecodeException(
            "reading frame " + frame + " failed: " + PixelDecoder.message(e), e);
      }
      int n = (int) (frameBits / bitsAllocated);
      int[] words = new int[n];
      switch (bitsAllocated) {
        case 1 -> {
          for (int i = 0; i < n; i++) {
            int bit = bitOffset + i;
            words[i] = (bytes[bit >>> 3] >>> (bit & 7)) & 1;
          }
        }
        case 8 -> {
          for (int i = 0; i < n; i++) {
            words[i] = bytes[i] & 0xff;
          }
        }
        default -> {
          for (int i = 0; i < n; i++) {
            int lo = bytes[2 * i] & 0xff;
            int hi = bytes[2 * i + 1] & 0xff;
            words[i] = bigEndian ? (lo << 8) | hi : (hi << 8) | lo;
          }
        }
      }
      cachedFrame = frame;
      cached = words;
      return words;
    }
  }
}
