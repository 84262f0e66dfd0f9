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
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser;
import org.imaginglakehouse.ingest.dicom.ParseOutcome;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * Builds the {@link PixelDescriptor} of a synthetic PACS file the way ingest records it (PixelData
 * value offset, length and VR, from ingest's own parser), for tests that decode files without
 * Spark.
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
    // The PixelData location exactly as ingest records it.
    ParseOutcome outcome =
        new DicomHeaderParser(DicomHeaderParser.ChecksumMode.HEADER)
            .parse(
                new ByteArrayInputStream(bytes),
                bytes.length,
                Path.of(path).getFileName().toString());
    if (!(outcome instanceof ParseOutcome.Instance parsed)) {
      throw new IllegalArgumentException("ingest would not accept " + path + ": " + outcome);
    }
    ParsedHeader header = parsed.header();
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
        header.pixelDataOffset(),
        header.pixelDataLength(),
        header.pixelDataVr(),
        d(list, TagFromName.WindowCenter),
        d(list, TagFromName.WindowWidth),
        Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0),
        Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0),
        List.of(),
        d(list, TagFromName.PixelSpacing));
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
