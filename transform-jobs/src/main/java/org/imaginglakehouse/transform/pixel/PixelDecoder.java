package org.imaginglakehouse.transform.pixel;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import org.imaginglakehouse.core.io.SourceFiles;

/**
 * Decodes the pixel data of one instance described by a {@link PixelDescriptor}.
 *
 * <ul>
 *   <li>Native (uncompressed) transfer syntaxes: the bytes are read directly at the {@code
 *       pixel_data_offset} recorded by ingest, one frame at a time; the header is not parsed again.
 *   <li>Encapsulated (compressed) and deflated syntaxes: the file is parsed by PixelMed and frames
 *       are decompressed through ImageIO (JDK baseline JPEG, PixelMed's JPEG lossless, jai-imageio
 *       JPEG 2000, PixelMed's RLE).
 * </ul>
 *
 * <p>Anything that cannot be decoded fails with a {@link PixelDecodeException} whose message is the
 * reason stored in the output tables: JPEG-LS (no decoder), 12-bit JPEG, 32-bit greyscale, data cut
 * short, a PixelData length that does not match Rows × Columns × frames, a missing file, …
 */
public final class PixelDecoder {
  public static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  public static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
  public static final String DEFLATED = "1.2.840.10008.1.2.1.99";

  private static final Map<String, String> NO_DECODER =
      Map.of(
          "1.2.840.10008.1.2.4.80", "JPEG-LS lossless: no JPEG-LS decoder available",
          "1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless: no JPEG-LS decoder available",
          "1.2.840.10008.1.2.4.100", "MPEG2 video is not decoded",
          "1.2.840.10008.1.2.4.101", "MPEG2 video is not decoded",
          "1.2.840.10008.1.2.4.102", "MPEG-4 video is not decoded",
          "1.2.840.10008.1.2.4.103", "MPEG-4 video is not decoded",
          "1.2.840.10008.1.2.4.110", "MPEG-4 video is not decoded",
          "1.2.840.10008.1.2.4.201", "HTJ2K: no decoder available",
          "1.2.840.10008.1.2.4.202", "HTJ2K: no decoder available",
          "1.2.840.10008.1.2.4.203", "HTJ2K: no decoder available");

  private PixelDecoder() {}

  public static boolean isNative(String transferSyntax) {
    return transferSyntax == null
        || transferSyntax.isBlank()
        || transferSyntax.equals(IMPLICIT_LE)
        || transferSyntax.equals(EXPLICIT_LE)
        || transferSyntax.equals(EXPLICIT_BE);
  }

  /** Decodes {@code d}; throws with the reason when it cannot. */
  public static DecodedImage decode(PixelDescriptor d) throws PixelDecodeException {
    String ts = d.transferSyntaxUid() == null ? "" : d.transferSyntaxUid().trim();
    // A deflated data set is one zlib stream: PixelData has no file offset (ingest records NULL).
    boolean deflated = ts.equals(DEFLATED);
    if (!deflated && (d.pixelDataOffset() == null || d.pixelDataOffset() < 0)) {
      throw new PixelDecodeException("no PixelData element");
    }
    if (d.rows() == null || d.columns() == null || d.rows() <= 0 || d.columns() <= 0) {
      throw new PixelDecodeException("Rows/Columns missing or zero");
    }
    if (d.bitsAllocated() == null) {
      throw new PixelDecodeException("BitsAllocated missing");
    }
    String noDecoder = NO_DECODER.get(ts);
    if (noDecoder != null) {
      throw new PixelDecodeException(noDecoder + " (" + ts + ")");
    }
    if (ts.equals("1.2.840.10008.1.2.4.51") && bitsStored(d) > 8) {
      throw new PixelDecodeException(
          "12-bit JPEG (extended, 1.2.840.10008.1.2.4.51): the JDK JPEG decoder reads 8-bit only");
    }
    if (d.bitsAllocated() == 32 || d.bitsAllocated() == 64) {
      throw new PixelDecodeException(
          d.bitsAllocated()
              + "-bit "
              + (d.samples() == 1 ? "greyscale" : "colour")
              + " pixel data is not supported");
    }
    long fileLength;
    try {
      fileLength = SourceFiles.length(d.filePath());
    } catch (IOException e) {
      throw new PixelDecodeException("cannot open " + d.filePath() + ": " + e.getMessage(), e);
    }
    if (deflated) {
      return decodeWithPixelMed(d, ts);
    }
    if (d.pixelDataOffset() > fileLength) {
      throw new PixelDecodeException(
          "file cut short: " + fileLength + " bytes, PixelData starts at " + d.pixelDataOffset());
    }
    boolean encapsulated = d.pixelDataLength() != null && d.pixelDataLength() < 0;
    if (isNative(ts) && !encapsulated) {
      return NativeDecoder.decode(d, fileLength, ts.equals(EXPLICIT_BE));
    }
    return decodeWithPixelMed(d, ts);
  }

  static int bitsStored(PixelDescriptor d) {
    return d.bitsStored() == null ? d.bitsAllocated() : d.bitsStored();
  }

  private static DecodedImage decodeWithPixelMed(PixelDescriptor d, String ts)
      throws PixelDecodeException {
    SourceImage source;
    try (InputStream in = new BufferedInputStream(SourceFiles.open(d.filePath()), 1 << 16)) {
      AttributeList list = new AttributeList();
      list.read(new DicomInputStream(in));
      if (list.get(TagFromName.PixelData) == null) {
        throw new PixelDecodeException("no PixelData element");
      }
      source = new SourceImage(list);
    } catch (PixelDecodeException e) {
      throw e;
    } catch (Exception | Error e) {
      throw new PixelDecodeException(
          "PixelMed could not read the " + describe(ts) + " pixel data: " + message(e), e);
    }
    int frames = source.getNumberOfBufferedImages();
    if (frames <= 0 || !source.isImage()) {
      throw new PixelDecodeException("PixelMed found no decodable frame in " + describe(ts));
    }
    if (source.getWidth() != d.columns() || source.getHeight() != d.rows()) {
      throw new PixelDecodeException(
          "decoded size "
              + source.getWidth()
              + "x"
              + source.getHeight()
              + " differs from Columns x Rows "
              + d.columns()
              + "x"
              + d.rows());
    }
    boolean colour = d.samples() > 1;
    boolean signed = d.pixelRepresentation() != null && d.pixelRepresentation() == 1;
    int bits = colour ? 8 : Math.min(bitsStored(d), 16);
    DecodedImage.FrameLoader loader =
        frame -> {
          BufferedImage image;
          try {
            image = source.getBufferedImage(frame);
          } catch (Exception | Error e) {
            throw new PixelDecodeException(
                "frame " + frame + " of " + describe(ts) + " failed to decode: " + message(e), e);
          }
          if (image == null) {
            throw new PixelDecodeException(
                "frame " + frame + " of " + describe(ts) + " failed to decode");
          }
          return fromRaster(image.getRaster(), colour, signed, bits);
        };
    // Validate the first frame now, so a broken stream is reported as undecodable up front.
    loader.load(0);
    return new DecodedImage(
        d.rows(),
        d.columns(),
        frames,
        bits,
        signed && !colour,
        "MONOCHROME1".equals(d.photometricInterpretation()),
        colour,
        loader,
        d.overlays().stream().filter(o -> !o.embedded()).toList(),
        Overlays::fromOverlayData);
  }

  static int[] fromRaster(Raster raster, boolean colour, boolean signed, int bits) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int[] out = new int[w * h];
    if (colour && raster.getNumBands() >= 3) {
      int[] px = new int[raster.getNumBands()];
      int i = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          raster.getPixel(x, y, px);
          out[i++] = (int) Math.round(0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]);
        }
      }
      return out;
    }
    raster.getSamples(0, 0, w, h, 0, out);
    if (signed) {
      int shift = 32 - bits;
      for (int i = 0; i < out.length; i++) {
        out[i] = (out[i] << shift) >> shift;
      }
    }
    return out;
  }

  private static String describe(String ts) {
    return ts.isEmpty() ? "(no transfer syntax)" : ts;
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.strip());
  }

  static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
