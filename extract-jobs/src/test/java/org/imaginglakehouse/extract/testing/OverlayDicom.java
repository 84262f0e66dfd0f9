package org.imaginglakehouse.extract.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SignedShortAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.function.IntBinaryOperator;

/**
 * Images with overlays for overlay tests, built on {@link TestDicom#ct}: a 16-bit image of {@link
 * #ROWS} × {@link #COLUMNS} (BitsStored 12), overlay planes drawn with java.awt (text or a
 * rectangle) and packed into OverlayData (60xx,3000), and retired embedded overlays (bits above
 * HighBit of the stored values, declared by a 60xx group without OverlayData).
 */
public final class OverlayDicom {
  public static final int ROWS = 120;
  public static final int COLUMNS = 400;

  private OverlayDicom() {}

  /** The CT image resized, its stored values from {@code value(x, y)} (all 16 bits written). */
  public static AttributeList image(String sop, boolean signed, IntBinaryOperator value)
      throws DicomException {
    AttributeList list = TestDicom.ct(sop);
    us(list, TagFromName.Rows, ROWS);
    us(list, TagFromName.Columns, COLUMNS);
    us(list, TagFromName.PixelRepresentation, signed ? 1 : 0);
    short[] pixels = new short[ROWS * COLUMNS];
    for (int y = 0; y < ROWS; y++) {
      for (int x = 0; x < COLUMNS; x++) {
        pixels[y * COLUMNS + x] = (short) value.applyAsInt(x, y);
      }
    }
    OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
    px.setValues(pixels);
    list.put(px);
    return list;
  }

  /** {@code text} drawn in white, large, on black: the mask of a text overlay. */
  public static boolean[] text(String text) {
    return draw(g -> g.drawString(text, 12, 80));
  }

  /** A rectangle outline with a cross inside (an annotation without any text). */
  public static boolean[] shape() {
    return draw(
        g -> {
          g.drawRect(40, 20, 300, 80);
          g.drawLine(40, 20, 340, 100);
          g.drawLine(40, 100, 340, 20);
        });
  }

  private static boolean[] draw(java.util.function.Consumer<Graphics2D> painter) {
    BufferedImage img = new BufferedImage(COLUMNS, ROWS, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
    g.setColor(Color.BLACK);
    g.fillRect(0, 0, COLUMNS, ROWS);
    g.setColor(Color.WHITE);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 44));
    painter.accept(g);
    g.dispose();
    boolean[] mask = new boolean[ROWS * COLUMNS];
    for (int y = 0; y < ROWS; y++) {
      for (int x = 0; x < COLUMNS; x++) {
        mask[y * COLUMNS + x] = (img.getRaster().getSample(x, y, 0) & 0xff) > 127;
      }
    }
    return mask;
  }

  /** Packs a mask into OverlayData bytes (row by row, least significant bit first). */
  public static byte[] pack(boolean[] mask) {
    byte[] out = new byte[(mask.length + 15) / 16 * 2];
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        out[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    return out;
  }

  /**
   * Adds overlay group {@code group} with its own OverlayData, a description and a label (free text
   * a kept overlay must lose).
   */
  public static void separate(AttributeList list, int group, boolean[] mask) throws DicomException {
    geometry(list, group, 1, 0);
    Attribute data = new OtherByteAttribute(new AttributeTag(group, 0x3000));
    data.setValues(pack(mask));
    list.put(data);
    Attribute description = new LongStringAttribute(new AttributeTag(group, 0x0022));
    description.addValue("OVERLAY DESCRIPTION");
    list.put(description);
    Attribute label = new LongStringAttribute(new AttributeTag(group, 0x1500));
    label.addValue("OVERLAY LABEL");
    list.put(label);
  }

  /** Declares group {@code group} as an overlay embedded in bit {@code bit} of the pixel data. */
  public static void embedded(AttributeList list, int group, int bit) throws DicomException {
    geometry(list, group, 16, bit);
  }

  private static void geometry(AttributeList list, int group, int bitsAllocated, int bit)
      throws DicomException {
    us(list, new AttributeTag(group, 0x0010), ROWS);
    us(list, new AttributeTag(group, 0x0011), COLUMNS);
    Attribute type = new CodeStringAttribute(new AttributeTag(group, 0x0040));
    type.addValue("G");
    list.put(type);
    Attribute origin = new SignedShortAttribute(new AttributeTag(group, 0x0050));
    origin.addValue(1);
    origin.addValue(1);
    list.put(origin);
    us(list, new AttributeTag(group, 0x0100), bitsAllocated);
    us(list, new AttributeTag(group, 0x0102), bit);
  }

  private static void us(AttributeList list, AttributeTag tag, int value) throws DicomException {
    Attribute a = new UnsignedShortAttribute(tag);
    a.addValue(value);
    list.put(a);
  }
}
