package org.imaginglakehouse.transform.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PixelDecoderTest {
  @TempDir Path dir;

  private TestDicom.Spec spec(int frames) {
    TestDicom.Spec s = new TestDicom.Spec();
    s.rows = 64;
    s.cols = 48;
    s.frames = new java.util.ArrayList<>();
    for (int f = 0; f < frames; f++) {
      s.frames.add(TestDicom.frame(64, 48, 12, f, 4000, List.of()));
    }
    return s;
  }

  @Test
  void decodesNativeMultiFrameAtRecordedOffset() throws Exception {
    TestDicom.Spec s = spec(3);
    PixelDescriptor d = TestDicom.write(dir.resolve("a.dcm"), "1.2.3.1", s);
    DecodedImage image = PixelDecoder.decode(d);
    assertThat(image.frameCount()).isEqualTo(3);
    assertThat(image.rows()).isEqualTo(64);
    for (int f = 0; f < 3; f++) {
      assertThat(image.frame(f)).containsExactly(s.frames.get(f));
    }
  }

  @Test
  void decodesDeflatedFilesWithoutARecordedOffset() throws Exception {
    TestDicom.Spec s = spec(2);
    s.transferSyntax = PixelDecoder.DEFLATED;
    PixelDescriptor d = TestDicom.write(dir.resolve("deflated.dcm"), "1.2.3.9", s);
    assertThat(d.pixelDataOffset()).isNull();
    DecodedImage image = PixelDecoder.decode(d);
    assertThat(image.frameCount()).isEqualTo(2);
    for (int f = 0; f < 2; f++) {
      assertThat(image.frame(f)).containsExactly(s.frames.get(f));
    }
    // A deflated object without pixel data is undecodable with that reason.
    com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
    for (var e :
        java.util.Map.of(
                com.pixelmed.dicom.TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7",
                com.pixelmed.dicom.TagFromName.SOPInstanceUID, "1.2.3.10")
            .entrySet()) {
      com.pixelmed.dicom.Attribute a = new com.pixelmed.dicom.UniqueIdentifierAttribute(e.getKey());
      a.addValue(e.getValue());
      list.put(a);
    }
    com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(
        list, PixelDecoder.DEFLATED, "LAKEHOUSE");
    Path empty = dir.resolve("deflated-no-pixels.dcm");
    list.write(empty.toFile(), PixelDecoder.DEFLATED, true, true);
    PixelDescriptor noPixels =
        PixelDescriptor.basic(
            "1.2.3.10",
            empty.toString(),
            PixelDecoder.DEFLATED,
            64,
            48,
            1,
            1,
            16,
            12,
            0,
            "MONOCHROME2",
            -1, // a deflated file has no PixelData offset: the decoder does not look at it
            -1,
            null);
    assertThatThrownBy(() -> PixelDecoder.decode(noPixels))
        .isInstanceOf(PixelDecodeException.class)
        .hasMessage("no PixelData element");
  }

  @Test
  void decodesSigned8BitAndZipEntries() throws Exception {
    TestDicom.Spec s = spec(1);
    s.bitsAllocated = 16;
    s.bitsStored = 16;
    s.pixelRepresentation = 1;
    int[] values = new int[64 * 48];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 2000) - 1000;
    }
    s.frames = List.of(values);
    Path file = dir.resolve("signed.dcm");
    PixelDescriptor d = TestDicom.write(file, "1.2.3.2", s);
    assertThat(PixelDecoder.decode(d).frame(0)).containsExactly(values);

    Path zip = dir.resolve("archive.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("study/signed.dcm"));
      out.write(Files.readAllBytes(file));
      out.closeEntry();
    }
    PixelDescriptor inZip = withPath(d, zip + "!study/signed.dcm");
    assertThat(PixelDecoder.decode(inZip).frame(0)).containsExactly(values);
  }

  @Test
  void overlayDataIsUnpacked() throws Exception {
    TestDicom.Spec s = spec(1);
    boolean[] mask = new boolean[64 * 48];
    for (int i = 0; i < mask.length; i += 7) {
      mask[i] = true;
    }
    s.overlay = mask;
    PixelDescriptor d = TestDicom.write(dir.resolve("ov.dcm"), "1.2.3.3", s);
    DecodedImage image = PixelDecoder.decode(d);
    assertThat(image.overlays()).hasSize(1);
    assertThat(image.overlay(image.overlays().get(0), 0)).containsExactly(mask);
  }

  @Test
  void embeddedOverlayBitsAreSeparatedFromPixelValues() throws Exception {
    TestDicom.Spec s = spec(1);
    int[] raw = s.frames.get(0).clone();
    boolean[] mask = new boolean[raw.length];
    for (int i = 0; i < raw.length; i += 5) {
      mask[i] = true;
      raw[i] |= 1 << 15;
    }
    s.frames = List.of(raw);
    PixelDescriptor base = TestDicom.write(dir.resolve("emb.dcm"), "1.2.3.4", s);
    OverlayPlane embedded = new OverlayPlane(0x6002, 64, 48, 1, 1, 1, 16, 15, null);
    PixelDescriptor d = withOverlays(base, List.of(embedded));
    DecodedImage image = PixelDecoder.decode(d);
    int[] values = image.frame(0);
    for (int i = 0; i < raw.length; i++) {
      assertThat(values[i]).isEqualTo(raw[i] & 0x0fff);
    }
    assertThat(image.overlay(image.overlays().get(0), 0)).containsExactly(mask);
  }

  @Test
  void cutShortAndUnsupportedDataAreUndecodableWithReason() throws Exception {
    PixelDescriptor d = TestDicom.write(dir.resolve("cut.dcm"), "1.2.3.5", spec(2));
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("cut.dcm").toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    assertThatThrownBy(() -> PixelDecoder.decode(d))
        .isInstanceOf(PixelDecodeException.class)
        .hasMessageContaining("cut short");

    PixelDescriptor jpegLs =
        PixelDescriptor.basic(
            "1.2.3.6",
            d.filePath(),
            "1.2.840.10008.1.2.4.80",
            64,
            48,
            1,
            1,
            16,
            12,
            0,
            "MONOCHROME2",
            300,
            -1,
            "OB");
    assertThatThrownBy(() -> PixelDecoder.decode(jpegLs)).hasMessageContaining("JPEG-LS");
    PixelDescriptor float32 =
        PixelDescriptor.basic(
            "1.2.3.7",
            d.filePath(),
            "1.2.840.10008.1.2.1",
            4,
            4,
            1,
            1,
            32,
            32,
            0,
            "MONOCHROME2",
            300,
            64,
            "OW");
    assertThatThrownBy(() -> PixelDecoder.decode(float32)).hasMessageContaining("32-bit greyscale");
    PixelDescriptor missing = withPath(d, dir.resolve("nope.dcm").toString());
    assertThatThrownBy(() -> PixelDecoder.decode(missing)).hasMessageContaining("cannot open");
  }

  @Test
  void sampledFramesIncludeFirstAndLast() {
    assertThat(DecodedImage.sampleFrames(5, 16)).containsExactly(0, 1, 2, 3, 4);
    int[] picked = DecodedImage.sampleFrames(1000, 16);
    assertThat(picked).hasSize(16).startsWith(0).endsWith(999);
    assertThat(picked).isSorted().doesNotHaveDuplicates();
  }

  static PixelDescriptor withPath(PixelDescriptor d, String path) {
    return new PixelDescriptor(
        d.sopInstanceUid(),
        path,
        d.transferSyntaxUid(),
        d.rows(),
        d.columns(),
        d.numberOfFrames(),
        d.samplesPerPixel(),
        d.bitsAllocated(),
        d.bitsStored(),
        d.highBit(),
        d.pixelRepresentation(),
        d.photometricInterpretation(),
        d.planarConfiguration(),
        d.pixelDataOffset(),
        d.pixelDataLength(),
        d.pixelDataVr(),
        d.windowCentre(),
        d.windowWidth(),
        d.rescaleSlope(),
        d.rescaleIntercept(),
        d.overlays(),
        d.pixelSpacing());
  }

  static PixelDescriptor withOverlays(PixelDescriptor d, List<OverlayPlane> overlays) {
    return new PixelDescriptor(
        d.sopInstanceUid(),
        d.filePath(),
        d.transferSyntaxUid(),
        d.rows(),
        d.columns(),
        d.numberOfFrames(),
        d.samplesPerPixel(),
        d.bitsAllocated(),
        d.bitsStored(),
        d.highBit(),
        d.pixelRepresentation(),
        d.photometricInterpretation(),
        d.planarConfiguration(),
        d.pixelDataOffset(),
        d.pixelDataLength(),
        d.pixelDataVr(),
        d.windowCentre(),
        d.windowWidth(),
        d.rescaleSlope(),
        d.rescaleIntercept(),
        overlays,
        d.pixelSpacing());
  }
}
