package org.imaginglakehouse.extract.pixel;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Blacks out burned-in text (plain Java, PixelMed): decodes the pixels of one image, blacks out the
 * OCR boxes (grown by a margin) and the rectangles of the matching {@link SignatureRules} on every
 * frame, masks the unused high bits (where overlays hide), and drops the overlays (60xx) and the
 * icon image. The result ({@link RedactedImage}) is checked by {@link RedactionCheck} and then
 * written uncompressed (explicit VR little endian).
 *
 * <p>Fail closed: only pixels that can be decoded and written back exactly are redacted: native
 * little-endian data and RLE (lossless), 8 or 16 bits, MONOCHROME1/2, RGB or native YBR_FULL; JPEG
 * baseline only when the project allows decoding lossy data ({@code pixel.redact_lossy}). JPEG-LS,
 * JPEG 2000, JPEG lossless, video, big-endian and deflated data, palette colour and any other
 * photometric interpretation raise {@link RedactionException} with the reason. Stateless and
 * thread-safe.
 */
public final class PixelRedactor {
  static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  static final String RLE = "1.2.840.10008.1.2.5";
  static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

  private static final Map<String, String> NAMES =
      Map.ofEntries(
          Map.entry("1.2.840.10008.1.2.2", "explicit VR big endian"),
          Map.entry("1.2.840.10008.1.2.1.99", "deflated explicit VR little endian"),
          Map.entry("1.2.840.10008.1.2.4.51", "JPEG extended (lossy)"),
          Map.entry("1.2.840.10008.1.2.4.57", "JPEG lossless"),
          Map.entry("1.2.840.10008.1.2.4.70", "JPEG lossless SV1"),
          Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS lossless"),
          Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless"),
          Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 lossless"),
          Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
          Map.entry("1.2.840.10008.1.2.4.100", "MPEG2"),
          Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4"),
          Map.entry("1.2.840.10008.1.2.4.201", "HTJ2K lossless"));

  private static final Set<String> REDACTABLE =
      Set.of(IMPLICIT_LE, EXPLICIT_LE, RLE, JPEG_BASELINE);

  private static final Set<String> PHOTOMETRICS =
      Set.of("MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL");

  /** How to redact. */
  public record Options(SignatureRules rules, int margin, boolean allowLossy)
      implements Serializable {
    public static final int DEFAULT_MARGIN = 6;
  }

  private final Options options;

  public PixelRedactor(Options options) {
    this.options = options;
  }

  /** Parses a whole DICOM file (header and pixel data) held in memory. */
  public static AttributeList parse(byte[] file) throws RedactionException {
    // Refuse what cannot be redacted before PixelMed tries to decompress it.
    String ts = transferSyntax(file);
    if (!REDACTABLE.contains(ts)) {
      throw unsupported(
          NAMES.getOrDefault(ts, "an unknown transfer syntax")
              + " ("
              + ts
              + "): cannot be decoded and written back without loss here");
    }
    AttributeList list = new AttributeList();
    try {
      list.read(new DicomInputStream(new ByteArrayInputStream(file)));
    } catch (IOException | DicomException | RuntimeException e) {
      throw new RedactionException(
          RedactionException.Reason.REDACTION_UNSUPPORTED,
          "the file cannot be parsed for redaction: " + e.getClass().getSimpleName());
    }
    return list;
  }

  /**
   * TransferSyntaxUID of the file meta information (explicit VR little endian after the preamble),
   * read without PixelMed, which refuses some syntaxes (JPEG-LS) before it returns anything.
   */
  static String transferSyntax(byte[] file) throws RedactionException {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    if (file.length < 132
        || file[128] != 'D'
        || file[129] != 'I'
        || file[130] != 'C'
        || file[131] != 'M') {
      throw unsupported("no DICOM preamble and file meta information");
    }
    int at = 132;
    while (at + 8 <= file.length && b.getShort(at) == 0x0002) {
      int element = b.getShort(at + 2) & 0xffff;
      String vr = new String(file, at + 4, 2, StandardCharsets.US_ASCII);
      boolean longForm = Set.of("OB", "OW", "OF", "SQ", "UT", "UN", "UC", "UR").contains(vr);
      long length = longForm ? b.getInt(at + 8) & 0xffffffffL : b.getShort(at + 6) & 0xffff;
      int value = at + (longForm ? 12 : 8);
      if (value + length > file.length) {
        break;
      }
      if (element == 0x0010) {
        return new String(file, value, (int) length, StandardCharsets.US_ASCII)
            .replace("\0", "")
            .trim();
      }
      at = (int) (value + length);
    }
    throw unsupported("no TransferSyntaxUID in the file meta information");
  }

  /** The signature rules that apply to {@code header}. */
  public List<SignatureRules.Rule> rulesFor(AttributeList header) {
    return options.rules().matching(header);
  }

  /**
   * Redacts {@code list} (a whole file, see {@link #parse}); {@code ocrBoxes} are the boxes of the
   * words {@code lakehouse ocr} read (any frame; all are blacked out on every frame).
   *
   * @throws RedactionException when the pixels cannot be redacted without loss, or when there is
   *     nothing to black out (no OCR box and no signature rule: the text cannot be located)
   */
  public RedactedImage redact(AttributeList list, List<Region> ocrBoxes) throws RedactionException {
    RedactedImage image = decode(list, options.allowLossy());
    int rows = image.rows();
    int columns = image.columns();
    List<Region> regions = new ArrayList<>();
    List<String> ruleNames = new ArrayList<>();
    for (SignatureRules.Rule rule : rulesFor(list)) {
      ruleNames.add(rule.name());
      for (Region r : rule.regions()) {
        Region c = r.clip(columns, rows);
        if (c != null) {
          regions.add(c);
        }
      }
    }
    for (Region box : ocrBoxes) {
      Region c = box.grow(options.margin(), columns, rows);
      if (c != null) {
        regions.add(c);
      }
    }
    if (regions.isEmpty()) {
      throw new RedactionException(
          RedactionException.Reason.REDACTION_FAILED,
          "nothing to black out: no OCR box and no signature rule locates the burned-in text");
    }
    int samples = image.samples();
    int[] black = black(image.photometric(), samples, image.bitsStored(), image.signed());
    for (int f = 0; f < image.frameCount(); f++) {
      int[] frame = image.frame(f);
      for (Region r : regions) {
        for (int y = r.y(); y < r.y() + r.height(); y++) {
          for (int x = r.x(); x < r.x() + r.width(); x++) {
            int at = (y * columns + x) * samples;
            for (int s = 0; s < samples; s++) {
              frame[at + s] = black[s];
            }
          }
        }
      }
    }
    return image.withRegions(List.copyOf(regions), List.copyOf(ruleNames));
  }

  /**
   * Decodes the pixels of {@code list} (a whole file) as stored values, with the unused high bits
   * (where overlays hide) cleared; no region yet. Lossy JPEG baseline only when {@code
   * lossyAllowed}; anything else that cannot be written back exactly is refused.
   */
  public static RedactedImage decode(AttributeList list, boolean lossyAllowed)
      throws RedactionException {
    String ts = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
    int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
    int frames =
        Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1));
    int samples = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
    int bitsAllocated =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 0);
    int bitsStored =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, bitsAllocated);
    int highBit =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.HighBit, bitsStored - 1);
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
    String photometric =
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation)
            .trim();
    Attribute pixelData = list.get(TagFromName.PixelData);
    if (pixelData == null) {
      throw unsupported("no PixelData");
    }
    if (rows <= 0 || columns <= 0) {
      throw unsupported("Rows/Columns missing or zero");
    }
    if (bitsAllocated != 8 && bitsAllocated != 16) {
      throw unsupported(bitsAllocated + "-bit pixel data (8 and 16 bits are redacted)");
    }
    if (samples != 1 && samples != 3 || samples == 3 && bitsAllocated != 8) {
      throw unsupported(samples + " samples of " + bitsAllocated + " bits per pixel");
    }
    if (bitsStored < 1 || bitsStored > bitsAllocated || highBit != bitsStored - 1) {
      throw unsupported("BitsStored " + bitsStored + " / HighBit " + highBit + " layout");
    }
    int[][] pixels;
    boolean decodedColour;
    if (ts.equals(IMPLICIT_LE) || ts.equals(EXPLICIT_LE)) {
      checkPhotometric(photometric, samples);
      pixels =
          NativePixels.read(pixelData, rows, columns, frames, samples, bitsAllocated, planar(list));
      decodedColour = false;
    } else if (ts.equals(RLE) || ts.equals(JPEG_BASELINE)) {
      if (ts.equals(JPEG_BASELINE) && !lossyAllowed) {
        throw unsupported(
            "JPEG baseline (lossy, "
                + ts
                + "): the project does not allow redacting lossy pixel data (pixel.redact_lossy)");
      }
      if (ts.equals(RLE)) {
        checkPhotometric(photometric, samples);
        if (photometric.equals("YBR_FULL")) {
          throw unsupported("RLE YBR_FULL pixel data");
        }
      } else if (bitsAllocated != 8) {
        throw unsupported("JPEG baseline with " + bitsAllocated + " bits");
      }
      pixels = decodeCompressed(list, ts, rows, columns, samples);
      decodedColour = samples == 3;
      frames = pixels.length;
    } else {
      throw unsupported(
          NAMES.getOrDefault(ts, "an unknown transfer syntax")
              + " ("
              + ts
              + "): cannot be decoded and written back without loss here");
    }
    String outPhotometric = decodedColour ? "RGB" : photometric;
    int mask = (1 << bitsStored) - 1;
    if (samples == 1 && bitsStored < bitsAllocated) {
      // Unused high bits can hold an overlay (OverlayBitPosition > HighBit): keep the stored bits.
      for (int[] frame : pixels) {
        for (int i = 0; i < frame.length; i++) {
          frame[i] =
              signed ? (frame[i] << (32 - bitsStored)) >> (32 - bitsStored) : frame[i] & mask;
        }
      }
    }
    return new RedactedImage(
        list,
        pixels,
        rows,
        columns,
        samples,
        bitsAllocated,
        decodedColour ? 8 : bitsStored,
        signed,
        outPhotometric,
        List.of(),
        List.of());
  }

  private static int planar(AttributeList list) {
    return Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PlanarConfiguration, 0);
  }

  private static void checkPhotometric(String photometric, int samples) throws RedactionException {
    if (!PHOTOMETRICS.contains(photometric)) {
      throw unsupported(
          "photometric interpretation "
              + (photometric.isEmpty() ? "(none)" : photometric)
              + " (redacted: MONOCHROME1, MONOCHROME2, RGB, YBR_FULL)");
    }
    boolean colour = photometric.equals("RGB") || photometric.equals("YBR_FULL");
    if (colour != (samples == 3)) {
      throw unsupported(photometric + " with " + samples + " samples per pixel");
    }
  }

  /** What displays black, per sample. */
  static int[] black(String photometric, int samples, int bitsStored, boolean signed) {
    return switch (photometric) {
      case "MONOCHROME1" ->
          new int[] {signed ? (1 << (bitsStored - 1)) - 1 : (1 << bitsStored) - 1};
      case "YBR_FULL" -> new int[] {0, 128, 128};
      case "RGB" -> new int[] {0, 0, 0};
      default -> new int[] {signed ? -(1 << (bitsStored - 1)) : 0};
    };
  }

  /** Frames of RLE or JPEG baseline data, decoded through PixelMed (interleaved samples). */
  private static int[][] decodeCompressed(
      AttributeList list, String ts, int rows, int columns, int samples) throws RedactionException {
    SourceImage source;
    try {
      source = new SourceImage(list);
    } catch (Exception | Error e) {
      throw unsupported(ts + " pixel data cannot be decoded: " + e.getClass().getSimpleName());
    }
    int n = source.getNumberOfBufferedImages();
    if (n <= 0 || source.getWidth() != columns || source.getHeight() != rows) {
      throw unsupported(ts + " pixel data decodes to no frame of Columns x Rows");
    }
    int[][] out = new int[n][];
    for (int f = 0; f < n; f++) {
      BufferedImage image;
      try {
        image = source.getBufferedImage(f);
      } catch (Exception | Error e) {
        throw unsupported("frame " + f + " of " + ts + " cannot be decoded");
      }
      if (image == null) {
        throw unsupported("frame " + f + " of " + ts + " cannot be decoded");
      }
      Raster raster = image.getRaster();
      if (raster.getNumBands() != samples) {
        throw unsupported(
            ts + " decodes to " + raster.getNumBands() + " bands for " + samples + " samples");
      }
      out[f] = raster.getPixels(0, 0, columns, rows, (int[]) null);
    }
    return out;
  }

  private static RedactionException unsupported(String message) {
    return new RedactionException(RedactionException.Reason.REDACTION_UNSUPPORTED, message);
  }

  /** Tags removed from a redacted image: the icon (a small copy of the pixels). */
  static final List<AttributeTag> DROPPED = List.of(TagFromName.IconImageSequence);
}
