package org.imaginglakehouse.transform.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * Builds the {@link PixelDescriptor} of a synthetic PACS file the way ingest records it (PixelData
 * value offset and length), for accuracy tests that run before ingest is merged.
 */
public final class FileDescriptors {
  private FileDescriptors() {}

  /** {@code path} relative to {@code root}; zip entries as {@code a.zip!entry}. */
  public static PixelDescriptor of(Path root, String path) throws Exception {
    int bang = path.indexOf('!');
    byte[] bytes;
    String filePath;
    if (bang < 0) {
      bytes = Files.readAllBytes(root.resolve(path));
      filePath = root.resolve(path).toString();
    } else {
      Path zip = root.resolve(path.substring(0, bang));
      try (ZipFile z = new ZipFile(zip.toFile());
          InputStream in = z.getInputStream(z.getEntry(path.substring(bang + 1)))) {
        bytes = in.readAllBytes();
      }
      filePath = zip + "!" + path.substring(bang + 1);
    }
    AttributeList list = new AttributeList();
    list.read(new DicomInputStream(new ByteArrayInputStream(bytes)), TagFromName.PixelData);
    String ts = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
    boolean implicit = ts.equals("1.2.840.10008.1.2");
    long offset = -1;
    long length = -1;
    for (int i = bytes.length - 8; i >= 132; i--) {
      if ((bytes[i] & 0xff) == 0xE0
          && bytes[i + 1] == 0x7F
          && bytes[i + 2] == 0x10
          && bytes[i + 3] == 0) {
        if (implicit) {
          offset = i + 8;
          length = readInt(bytes, i + 4);
          break;
        }
        if (bytes[i + 4] == 'O' && (bytes[i + 5] == 'W' || bytes[i + 5] == 'B')) {
          offset = i + 12;
          length = readInt(bytes, i + 8);
          break;
        }
      }
    }
    if (length == 0xFFFFFFFFL) {
      length = -1;
    }
    return new PixelDescriptor(
        Attribute.getSingleStringValueOrNull(list, TagFromName.SOPInstanceUID),
        filePath,
        ts,
        i(list, TagFromName.Rows),
        i(list, TagFromName.Columns),
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1),
        i(list, TagFromName.SamplesPerPixel),
        i(list, TagFromName.BitsAllocated),
        i(list, TagFromName.BitsStored),
        i(list, TagFromName.HighBit),
        i(list, TagFromName.PixelRepresentation),
        Attribute.getSingleStringValueOrNull(list, TagFromName.PhotometricInterpretation),
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PlanarConfiguration, 0),
        offset,
        length,
        "OW",
        d(list, TagFromName.WindowCenter),
        d(list, TagFromName.WindowWidth),
        Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0),
        Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0),
        List.of(),
        d(list, TagFromName.PixelSpacing));
  }

  private static long readInt(byte[] b, int at) {
    return (b[at] & 0xffL)
        | (b[at + 1] & 0xffL) << 8
        | (b[at + 2] & 0xffL) << 16
        | (b[at + 3] & 0xffL) << 24;
  }

  private static Integer i(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
    int v = Attribute.getSingleIntegerValueOrDefault(list, tag, -1);
    return v < 0 ? null : v;
  }

  private static double[] d(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
    double[] v = Attribute.getDoubleValues(list, tag);
    return v == null ? new double[0] : v;
  }
}
