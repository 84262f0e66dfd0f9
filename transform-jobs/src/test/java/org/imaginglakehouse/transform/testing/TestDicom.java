package org.imaginglakehouse.transform.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.imaginglakehouse.transform.pixel.OverlayPlane;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * Test images made with PixelMed: greyscale frames with text drawn by java.awt, written as real
 * DICOM files, and the {@link PixelDescriptor} ingest would record for them.
 */
public final class TestDicom {
  private TestDicom() {}

  /** A text box to draw: top-left corner, pixel height, text. */
  public record Text(String text, int x, int y, int px) {}

  /**
   * A CT-like frame: noisy background, a bright ellipse "body", and the texts drawn with value
   * {@code textValue}. Values fit {@code bits} bits.
   */
  public static int[] frame(
      int rows, int cols, int bits, long seed, int textValue, List<Text> texts) {
    Random random = new Random(seed);
    int max = (1 << bits) - 1;
    int[] v = new int[rows * cols];
    double cx = cols / 2.0;
    double cy = rows / 2.0;
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        double dx = (x - cx) / (cols * 0.35);
        double dy = (y - cy) / (rows * 0.3);
        double base = dx * dx + dy * dy < 1 ? max * 0.45 : max * 0.02;
        double n = random.nextGaussian() * max * 0.03;
        v[y * cols + x] = (int) Math.max(0, Math.min(max, base + n));
      }
    }
    if (!texts.isEmpty()) {
      boolean[] mask = textMask(rows, cols, texts);
      for (int i = 0; i < v.length; i++) {
        if (mask[i]) {
          v[i] = textValue;
        }
      }
    }
    return v;
  }

  /** Pixels covered by the texts drawn with java.awt (no anti-aliasing). */
  public static boolean[] textMask(int rows, int cols, List<Text> texts) {
    BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.BLACK);
    g.fillRect(0, 0, cols, rows);
    g.setColor(Color.WHITE);
    for (Text t : texts) {
      // font size so that capitals are about px high
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) Math.round(t.px() / 0.72)));
      g.drawString(t.text(), t.x(), t.y() + t.px());
    }
    g.dispose();
    boolean[] mask = new boolean[rows * cols];
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        mask[y * cols + x] = (img.getRaster().getSample(x, y, 0) & 0xff) > 127;
      }
    }
    return mask;
  }

  /** Options for {@link #write}. */
  public static final class Spec {
    public int rows = 256;
    public int cols = 256;
    public int bitsAllocated = 16;
    public int bitsStored = 12;
    public int pixelRepresentation = 0;
    public String photometric = "MONOCHROME2";
    public String transferSyntax = "1.2.840.10008.1.2.1";
    public String modality = "CT";
    public String sopClass = "1.2.840.10008.5.1.4.1.1.2";
    public String windowCentre;
    public String windowWidth;
    public boolean[] overlay; // rows x cols overlay in 6000,3000
    public List<int[]> frames;
  }

  /** Writes a DICOM file with PixelMed and returns the descriptor ingest would record. */
  /** A single-frame {@code size}×{@code size} 12-bit spec with {@code texts} burned in. */
  public static Spec square(int size, List<Text> texts, long seed) {
    Spec s = new Spec();
    s.rows = size;
    s.cols = size;
    s.frames = List.of(frame(size, size, 12, seed, 4095, texts));
    return s;
  }

  public static PixelDescriptor write(Path file, String sopUid, Spec s) throws Exception {
    AttributeList list = new AttributeList();
    put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), s.sopClass);
    put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopUid);
    put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), sopUid + ".1");
    put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), sopUid + ".2");
    put(list, new CodeStringAttribute(TagFromName.Modality), s.modality);
    putInt(list, TagFromName.Rows, s.rows);
    putInt(list, TagFromName.Columns, s.cols);
    putInt(list, TagFromName.BitsAllocated, s.bitsAllocated);
    putInt(list, TagFromName.BitsStored, s.bitsStored);
    putInt(list, TagFromName.HighBit, s.bitsStored - 1);
    putInt(list, TagFromName.PixelRepresentation, s.pixelRepresentation);
    putInt(list, TagFromName.SamplesPerPixel, 1);
    put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), s.photometric);
    int frames = s.frames.size();
    put(list, new IntegerStringAttribute(TagFromName.NumberOfFrames), Integer.toString(frames));
    if (s.windowCentre != null) {
      put(list, new DecimalStringAttribute(TagFromName.WindowCenter), s.windowCentre);
      put(list, new DecimalStringAttribute(TagFromName.WindowWidth), s.windowWidth);
    }
    int n = s.rows * s.cols;
    if (s.bitsAllocated == 8) {
      byte[] data = new byte[n * frames];
      for (int f = 0; f < frames; f++) {
        int[] v = s.frames.get(f);
        for (int i = 0; i < n; i++) {
          data[f * n + i] = (byte) v[i];
        }
      }
      Attribute a = new OtherByteAttribute(TagFromName.PixelData);
      a.setValues(data);
      list.put(a);
    } else {
      short[] data = new short[n * frames];
      for (int f = 0; f < frames; f++) {
        int[] v = s.frames.get(f);
        for (int i = 0; i < n; i++) {
          data[f * n + i] = (short) v[i];
        }
      }
      Attribute a = new OtherWordAttribute(TagFromName.PixelData);
      a.setValues(data);
      list.put(a);
    }
    byte[] overlayBytes = null;
    if (s.overlay != null) {
      putInt(list, new AttributeTag(0x6000, 0x0010), s.rows);
      putInt(list, new AttributeTag(0x6000, 0x0011), s.cols);
      put(list, new CodeStringAttribute(new AttributeTag(0x6000, 0x0040)), "G");
      Attribute origin =
          new com.pixelmed.dicom.SignedShortAttribute(new AttributeTag(0x6000, 0x0050));
      origin.addValue(1);
      origin.addValue(1);
      list.put(origin);
      putInt(list, new AttributeTag(0x6000, 0x0100), 1);
      putInt(list, new AttributeTag(0x6000, 0x0102), 0);
      overlayBytes = new byte[(n + 7) / 8 + ((n + 7) / 8) % 2];
      for (int i = 0; i < n; i++) {
        if (s.overlay[i]) {
          overlayBytes[i >>> 3] |= (byte) (1 << (i & 7));
        }
      }
      Attribute data = new OtherWordAttribute(new AttributeTag(0x6000, 0x3000));
      data.setValues(overlayBytes, false);
      list.put(data);
    }
    FileMetaInformation.addFileMetaInformation(list, s.transferSyntax, "LAKEHOUSE");
    list.write(file.toFile(), s.transferSyntax, true, true);
    // As ingest records it: a deflated file has no PixelData offset.
    boolean deflated = s.transferSyntax.equals("1.2.840.10008.1.2.1.99");
    Long offset = deflated ? null : pixelDataValueOffset(file);
    List<OverlayPlane> overlays =
        overlayBytes == null
            ? List.of()
            : List.of(new OverlayPlane(0x6000, s.rows, s.cols, 1, 1, 1, 1, 0, overlayBytes));
    return new PixelDescriptor(
        sopUid,
        file.toString(),
        s.transferSyntax,
        s.rows,
        s.cols,
        frames,
        1,
        s.bitsAllocated,
        s.bitsStored,
        s.bitsStored - 1,
        s.pixelRepresentation,
        s.photometric,
        0,
        offset,
        deflated ? null : Files.size(file) - offset,
        deflated ? null : s.bitsAllocated == 8 ? "OB" : "OW",
        s.windowCentre == null ? new double[0] : new double[] {Double.parseDouble(s.windowCentre)},
        s.windowWidth == null ? new double[0] : new double[] {Double.parseDouble(s.windowWidth)},
        1.0,
        0.0,
        overlays,
        new double[] {0.7, 0.7});
  }

  /** Offset of the PixelData value in an explicit VR little endian file (last (7FE0,0010)). */
  public static long pixelDataValueOffset(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = bytes.length - 12; i >= 0; i--) {
      if ((bytes[i] & 0xff) == 0xE0
          && bytes[i + 1] == 0x7F
          && bytes[i + 2] == 0x10
          && bytes[i + 3] == 0x00
          && bytes[i + 4] == 'O'
          && (bytes[i + 5] == 'W' || bytes[i + 5] == 'B')) {
        return i + 12;
      }
    }
    throw new IOException("no PixelData in " + file);
  }

  private static void put(AttributeList list, Attribute a, String value) throws Exception {
    a.addValue(value);
    list.put(a);
  }

  private static void putInt(AttributeList list, AttributeTag tag, int value) throws Exception {
    Attribute a = new UnsignedShortAttribute(tag);
    a.addValue(value);
    list.put(a);
  }
}
