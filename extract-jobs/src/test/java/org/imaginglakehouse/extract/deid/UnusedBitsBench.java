package org.imaginglakehouse.extract.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writer throughput on one native 16-bit file of 512×512×200 frames (105 MB): BitsStored 16 (the
 * pixel bytes copied verbatim) against BitsStored 12 with bits set above HighBit (cleared on the
 * way by {@link UnusedBits}), four rounds each, one thread. Run: see docs/benchmarks.md
 * ("Extract").
 */
public final class UnusedBitsBench {
  private UnusedBitsBench() {}

  public static void main(String[] a) throws Exception {
    Path dir = Files.createTempDirectory("maskbench");
    int rows = 512, cols = 512, frames = 200;
    short[] px = new short[rows * cols * frames];
    for (int i = 0; i < px.length; i++)
      px[i] = (short) ((i * 7) & 0x0FFF | ((i & 64) != 0 ? 0x8000 : 0));
    for (int stored : new int[] {16, 12}) {
      AttributeList l = new AttributeList();
      put(
          l,
          new UniqueIdentifierAttribute(TagFromName.SOPClassUID),
          SOPClass.SecondaryCaptureImageStorage);
      put(l, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), "1.2.3." + stored);
      put(l, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), "1");
      put(l, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
      put(l, new UnsignedShortAttribute(TagFromName.Rows), "" + rows);
      put(l, new UnsignedShortAttribute(TagFromName.Columns), "" + cols);
      put(l, new IntegerStringAttribute(TagFromName.NumberOfFrames), "" + frames);
      put(l, new UnsignedShortAttribute(TagFromName.BitsAllocated), "16");
      put(l, new UnsignedShortAttribute(TagFromName.BitsStored), "" + stored);
      put(l, new UnsignedShortAttribute(TagFromName.HighBit), "" + (stored - 1));
      put(l, new UnsignedShortAttribute(TagFromName.PixelRepresentation), "0");
      OtherWordAttribute p = new OtherWordAttribute(TagFromName.PixelData);
      p.setValues(px);
      l.put(p);
      FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "B");
      Path in = dir.resolve("in" + stored + ".dcm");
      l.write(in.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    }
    ExtractFileWriter w = new ExtractFileWriter();
    for (int round = 0; round < 4; round++) {
      for (int stored : new int[] {16, 12}) {
        Path in = dir.resolve("in" + stored + ".dcm");
        long t = System.nanoTime();
        w.write(in, null, h -> h, dir.resolve("out" + stored + ".dcm"));
        double s = (System.nanoTime() - t) / 1e9;
        double mb = Files.size(in) / 1e6;
        System.out.printf(
            "round %d BitsStored %d: %.1f MB in %.3f s = %.0f MB/s%n",
            round, stored, mb, s, mb / s);
      }
    }
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  static void put(AttributeList l, Attribute x, String v) throws Exception {
    x.addValue(v);
    l.put(x);
  }
}
