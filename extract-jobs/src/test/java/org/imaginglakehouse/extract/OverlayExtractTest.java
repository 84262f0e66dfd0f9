package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.extract.deid.HmacProjectPseudonyms;
import org.imaginglakehouse.extract.deid.ProjectKeys;
import org.imaginglakehouse.extract.pixel.OverlayScreen;
import org.imaginglakehouse.extract.testing.OverlayDicom;
import org.imaginglakehouse.extract.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlays through the executor's write path ({@link InstanceExtractor}, no Spark) on files made
 * with PixelMed: a text overlay (a name and a number drawn with java.awt into the overlay bit
 * plane), an overlay without text (a drawn rectangle) and an overlay embedded in bit 15 of the
 * pixel data. Default ({@code remove}): every 60xx group goes and bit 15 is cleared. With {@code
 * pixel.overlays: keep}: the overlay without text is released bit for bit (without its free-text
 * label), the text overlay and the embedded one are removed, and bit 15 is cleared.
 */
class OverlayExtractTest {
  @TempDir Path dir;

  static final String TEXT = "JOHN SMITH 1234";
  static final String KEY = "3f1c9a7e5b2d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f";

  /** Stored values in 12 bits; bit 15 carries an embedded overlay (a checkerboard). */
  static int value(int x, int y) {
    return (x * 5 + y * 11) % 4096 | ((x / 10 + y / 10) % 2 == 0 ? 0x8000 : 0);
  }

  record Extracted(InstanceExtractor.Outcome outcome, byte[] file, AttributeList list) {}

  Extracted extract(String yaml, Path source) throws Exception {
    ProjectConfig project =
        ProjectConfig.parse(yaml.getBytes(StandardCharsets.UTF_8), "overlays.yaml");
    HmacProjectPseudonyms pseudonyms =
        HmacProjectPseudonyms.of(
            ProjectKeys.resolve(
                LakehouseConfig.defaults(), "ov", Map.of("LAKEHOUSE_PROJECT_OV_KEY", KEY)),
            "ov");
    Path root = dir.resolve("extraction-" + project.keepOverlays());
    InstanceExtractor extractor =
        InstanceExtractor.open(
            new InstanceExtractor.Settings(project, pseudonyms, root.toString()));
    InstanceExtractor.Outcome o =
        extractor.extract(
            source.toString(),
            null,
            "EUPI0001",
            "1.2.3.50.1",
            "1.2.3.50.2",
            "1.2.3.50",
            false,
            null,
            "test");
    assertThat(o.reason()).as(o.message()).isNull();
    Path out = root.resolve(o.relativePath());
    AttributeList list = new AttributeList();
    list.read(out.toString());
    return new Extracted(o, Files.readAllBytes(out), list);
  }

  /** 6000: the text overlay; 6002: the rectangle; 6004: embedded in bit 15. */
  Path source() throws Exception {
    AttributeList list = OverlayDicom.image("1.2.3.50", false, OverlayExtractTest::value);
    OverlayDicom.separate(list, 0x6000, OverlayDicom.text(TEXT));
    OverlayDicom.separate(list, 0x6002, OverlayDicom.shape());
    OverlayDicom.embedded(list, 0x6004, 15);
    return TestDicom.write(list, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("src.dcm"));
  }

  @Test
  void overlaysAreRemovedByDefaultAndKeptOnlyWithoutText() throws Exception {
    byte[] textPlane = OverlayDicom.pack(OverlayDicom.text(TEXT));
    byte[] shapePlane = OverlayDicom.pack(OverlayDicom.shape());
    Path source = source();
    byte[] expectedPixels = new byte[OverlayDicom.ROWS * OverlayDicom.COLUMNS * 2];
    for (int i = 0; i < expectedPixels.length / 2; i++) {
      int v = value(i % OverlayDicom.COLUMNS, i / OverlayDicom.COLUMNS) & 0x0FFF;
      expectedPixels[2 * i] = (byte) v;
      expectedPixels[2 * i + 1] = (byte) (v >>> 8);
    }

    Extracted removed = extract("project: ov\n", source);
    assertThat(removed.list().keySet()).noneMatch(t -> (t.getGroup() & 0xFF00) == 0x6000);
    assertThat(removed.file()).endsWith(expectedPixels);
    assertThat(removed.outcome().overlays()).isEqualTo(OverlayScreen.Result.NONE);

    Extracted kept =
        extract(
            "project: ov\npixel: {overlays: keep}\n"
                + "profile: {options: [retain-longitudinal-modified-dates, clean-graphics]}\n",
            source);
    assertThat(kept.outcome().overlays()).isEqualTo(new OverlayScreen.Result(1, 1, 1, 0));
    AttributeList out = kept.list();
    assertThat(out.keySet())
        .filteredOn(t -> (t.getGroup() & 0xFF00) == 0x6000)
        .allMatch(t -> t.getGroup() == 0x6002)
        .contains(new AttributeTag(0x6002, 0x3000), new AttributeTag(0x6002, 0x0010))
        .doesNotContain(new AttributeTag(0x6002, 0x0022), new AttributeTag(0x6002, 0x1500));
    assertThat(out.get(new AttributeTag(0x6002, 0x3000)).getByteValues()).isEqualTo(shapePlane);
    assertThat(kept.file()).endsWith(expectedPixels);
    // Byte-wise: the kept plane's bits are in the released file, the text plane's are not.
    assertThat(indexOf(kept.file(), shapePlane)).isPositive();
    assertThat(indexOf(kept.file(), textPlane)).isNegative();
    assertThat(new String(kept.file(), StandardCharsets.ISO_8859_1)).doesNotContain("OVERLAY");
  }

  @Test
  void keepingOverlaysNeedsTheCleanGraphicsOption() {
    assertThatThrownBy(
            () ->
                ProjectConfig.parse(
                    "project: ov\npixel: {overlays: keep}\n".getBytes(StandardCharsets.UTF_8),
                    "p.yaml"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("clean-graphics");
    assertThatThrownBy(
            () ->
                ProjectConfig.parse(
                    "project: ov\npixel: {overlays: maybe}\n".getBytes(StandardCharsets.UTF_8),
                    "p.yaml"))
        .hasMessageContaining("pixel.overlays 'maybe' is not known");
    assertThat(
            ProjectConfig.parse("project: ov\n".getBytes(StandardCharsets.UTF_8), "p.yaml")
                .keepOverlays())
        .isFalse();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
