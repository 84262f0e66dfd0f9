package org.imaginglakehouse.extract.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imaginglakehouse.extract.testing.OverlayDicom;
import org.imaginglakehouse.extract.testing.TestDicom;
import org.imaginglakehouse.extract.testing.UltrasoundPacs;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.ocr.OcrSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redaction of real synthetic ultrasound files (SMALL pixels, burned-in names, CHIs, birth dates):
 * the shipped signature rules black out every ground-truth text box, the pixels outside the regions
 * are unchanged, the file is written uncompressed with BurnedInAnnotation NO and no overlay, and a
 * re-OCR with {@code lakehouse ocr}'s engine finds no identity; an incomplete redaction is caught
 * by the same re-OCR; lossy and JPEG-LS data are refused (fail closed).
 */
class PixelRedactorTest {
  @TempDir static Path dir;
  static GroundTruth truth;
  static final PixelRedactor RULES =
      new PixelRedactor(
          new PixelRedactor.Options(
              SignatureRules.builtIn(), PixelRedactor.Options.DEFAULT_MARGIN, false));
  static final RedactionCheck CHECK = new RedactionCheck(OcrSettings.defaults());

  @BeforeAll
  static void generate() {
    SyntheticPacs.generate(dir.resolve("pacs"), UltrasoundPacs.options(4, 0.3).build());
    truth = GroundTruth.read(dir.resolve("pacs"));
  }

  /** Single-frame files with readable burned-in text in {@code syntax}, largest text first. */
  static List<GroundTruth.FileEntry> withText(String... syntaxes) {
    return truth.withBurnedInText().stream()
        .filter(f -> f.frames() == 1 && List.of(syntaxes).contains(f.transferSyntaxUid()))
        .filter(f -> f.burnedInText().stream().allMatch(b -> b.textHeight() >= 8))
        .sorted(
            (a, b) ->
                Integer.compare(
                    b.burnedInText().get(0).textHeight(), a.burnedInText().get(0).textHeight()))
        .toList();
  }

  static final java.util.function.Supplier<List<GroundTruth.FileEntry>> NATIVE =
      () -> withText(PixelRedactor.EXPLICIT_LE, PixelRedactor.IMPLICIT_LE);

  static AttributeList read(GroundTruth.FileEntry f) throws Exception {
    return PixelRedactor.parse(Files.readAllBytes(truth.resolve(f)));
  }

  @Test
  void signatureRulesBlackOutEveryBurnedInLineAndReOcrFindsNoIdentity() throws Exception {
    List<GroundTruth.FileEntry> files = NATIVE.get();
    assertThat(files).hasSizeGreaterThanOrEqualTo(2);
    for (GroundTruth.FileEntry f : files.subList(0, 2)) {
      AttributeList source = read(f);
      int[] before =
          NativePixels.read(
              source.get(TagFromName.PixelData), f.rows(), f.columns(), 1, samples(source), 8, 0)[
              0];
      RedactedImage redacted = RULES.redact(source, List.of());
      assertThat(redacted.rules()).hasSize(1);
      int samples = samples(source);
      int[] after = redacted.frame(0);
      for (GroundTruth.TextBox b : f.burnedInText()) {
        for (int y = b.y(); y < b.y() + b.h(); y++) {
          for (int x = b.x(); x < b.x() + b.w(); x++) {
            for (int s = 0; s < samples; s++) {
              assertThat(after[(y * f.columns() + x) * samples + s])
                  .as("%s %s box pixel %d,%d", f.path(), b.kind(), x, y)
                  .isZero();
            }
          }
        }
      }
      int changedOutside = 0;
      for (int y = 0; y < f.rows(); y++) {
        for (int x = 0; x < f.columns(); x++) {
          Region px = new Region(x, y, 1, 1);
          if (redacted.regions().stream().noneMatch(r -> r.overlap(px) > 0)) {
            for (int s = 0; s < samples; s++) {
              int i = (y * f.columns() + x) * samples + s;
              changedOutside += before[i] == after[i] ? 0 : 1;
            }
          }
        }
      }
      assertThat(changedOutside).as("pixels changed outside the regions").isZero();

      RedactionCheck.Result check = CHECK.check(redacted);
      assertThat(check.clean()).as("%s: %s", f.path(), check.problem()).isTrue();
      assertThat(check.framesRead()).isEqualTo(1);

      AttributeList written = PixelRedactor.parse(redacted.toFile(false));
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(written, TagFromName.TransferSyntaxUID))
          .isEqualTo(PixelRedactor.EXPLICIT_LE);
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(written, TagFromName.BurnedInAnnotation))
          .isEqualTo("NO");
      assertThat(written.get(TagFromName.PixelData).getVL())
          .isEqualTo(
              (long) f.rows() * f.columns() * samples + (f.rows() * f.columns() * samples) % 2);
    }
  }

  @Test
  void anIncompleteRedactionIsCaughtByTheReOcr() throws Exception {
    GroundTruth.FileEntry f = NATIVE.get().get(0);
    GroundTruth.TextBox name =
        f.burnedInText().stream().filter(b -> b.kind().equals("NAME")).findFirst().orElseThrow();
    // No signature rule, and "OCR" located only the name line: the CHI / date lines stay.
    PixelRedactor ocrOnly =
        new PixelRedactor(new PixelRedactor.Options(SignatureRules.none(), 6, false));
    RedactedImage redacted =
        ocrOnly.redact(read(f), List.of(new Region(name.x(), name.y(), name.w(), name.h())));
    RedactionCheck.Result check = CHECK.check(redacted);
    assertThat(check.clean()).isFalse();
    assertThat(check.identity()).isNotEmpty().doesNotContain("name");
    assertThat(check.problem()).contains("patient identity").doesNotContain(f.patientId());
  }

  @Test
  void nothingToBlackOutIsARedactionFailure() throws Exception {
    GroundTruth.FileEntry f = NATIVE.get().get(0);
    PixelRedactor none =
        new PixelRedactor(new PixelRedactor.Options(SignatureRules.none(), 6, false));
    assertThatThrownBy(() -> none.redact(read(f), List.of()))
        .isInstanceOfSatisfying(
            RedactionException.class, e -> assertThat(e.code()).isEqualTo("redaction_failed"))
        .hasMessageContaining("no OCR box and no signature rule");
  }

  @Test
  void lossyJpegIsRefusedUnlessTheProjectAllowsItThenDecodedAndWrittenUncompressed()
      throws Exception {
    GroundTruth.FileEntry f =
        truth.withBurnedInText().stream()
            .filter(e -> e.transferSyntaxUid().equals(PixelRedactor.JPEG_BASELINE))
            .min(java.util.Comparator.comparingInt(GroundTruth.FileEntry::frames))
            .orElseThrow();
    assertThatThrownBy(() -> RULES.redact(read(f), List.of()))
        .isInstanceOfSatisfying(
            RedactionException.class, e -> assertThat(e.code()).isEqualTo("redaction_unsupported"))
        .hasMessageContaining("JPEG baseline")
        .hasMessageContaining("pixel.redact_lossy");
    PixelRedactor lossy =
        new PixelRedactor(new PixelRedactor.Options(SignatureRules.builtIn(), 6, true));
    RedactedImage redacted = lossy.redact(read(f), List.of());
    AttributeList written = PixelRedactor.parse(redacted.toFile(false));
    assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.TransferSyntaxUID))
        .isEqualTo(PixelRedactor.EXPLICIT_LE);
    assertThat(
            Attribute.getSingleStringValueOrEmptyString(
                written, TagFromName.PhotometricInterpretation))
        .isIn("RGB", "MONOCHROME2");
    assertThat(
            Attribute.getSingleStringValueOrEmptyString(written, TagFromName.LossyImageCompression))
        .isEqualTo("01");
    RedactionCheck.Result check = CHECK.check(redacted);
    assertThat(check.clean()).as(check.problem()).isTrue();
  }

  @Test
  void jpegLsIsRefusedWithTheReasonAndRleIsRedactedLosslessly() throws Exception {
    GroundTruth.FileEntry f = NATIVE.get().get(0);
    Path source = truth.resolve(f);
    Path jls = dir.resolve("jpeg-ls.dcm");
    Path rle = dir.resolve("rle.dcm");
    run("dcmcjpls", source.toString(), jls.toString());
    run("dcmcrle", source.toString(), rle.toString());
    assertThatThrownBy(() -> RULES.redact(PixelRedactor.parse(Files.readAllBytes(jls)), List.of()))
        .isInstanceOfSatisfying(
            RedactionException.class, e -> assertThat(e.code()).isEqualTo("redaction_unsupported"))
        .hasMessageContaining("JPEG-LS lossless (1.2.840.10008.1.2.4.80)");

    RedactedImage fromNative = RULES.redact(read(f), List.of());
    RedactedImage fromRle = RULES.redact(PixelRedactor.parse(Files.readAllBytes(rle)), List.of());
    assertThat(fromRle.regions()).isEqualTo(fromNative.regions());
    assertThat(fromRle.frame(0)).isEqualTo(fromNative.frame(0));
  }

  @Test
  void overlayBitsAreMaskedAndOverlayGroupsRemoved() throws Exception {
    AttributeList list = new AttributeList();
    int rows = 16;
    int columns = 16;
    put(list, TagFromName.TransferSyntaxUID, "UI", PixelRedactor.EXPLICIT_LE);
    put(list, TagFromName.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.7");
    put(list, TagFromName.SOPInstanceUID, "UI", "1.2.3.4");
    put(list, TagFromName.Modality, "CS", "OT");
    put(list, TagFromName.PhotometricInterpretation, "CS", "MONOCHROME2");
    for (Object[] us :
        new Object[][] {
          {TagFromName.Rows, rows},
          {TagFromName.Columns, columns},
          {TagFromName.SamplesPerPixel, 1},
          {TagFromName.BitsAllocated, 16},
          {TagFromName.BitsStored, 12},
          {TagFromName.HighBit, 11},
          {TagFromName.PixelRepresentation, 0},
          {new AttributeTag(0x6000, 0x0010), rows},
          {new AttributeTag(0x6000, 0x0011), columns},
          {new AttributeTag(0x6000, 0x0100), 1},
          {new AttributeTag(0x6000, 0x0102), 15}
        }) {
      put(list, (AttributeTag) us[0], "US", String.valueOf(us[1]));
    }
    short[] values = new short[rows * columns];
    for (int i = 0; i < values.length; i++) {
      values[i] = (short) ((i * 13) & 0x0fff | (i % 3 == 0 ? 0x8000 : 0)); // overlay in bit 15
    }
    com.pixelmed.dicom.OtherWordAttribute px =
        new com.pixelmed.dicom.OtherWordAttribute(TagFromName.PixelData);
    px.setValues(values);
    list.put(px);
    SignatureRules rules =
        SignatureRules.parse(
            new ObjectMapper(new YAMLFactory())
                .readTree("- {name: corner, when: {Modality: OT}, regions: [[0, 0, 4, 4]]}"),
            "test");
    RedactedImage redacted =
        new PixelRedactor(new PixelRedactor.Options(rules, 0, false)).redact(list, List.of());
    AttributeList written = PixelRedactor.parse(redacted.toFile(false));
    assertThat(written.keySet()).noneMatch(t -> t.getGroup() == 0x6000);
    short[] out = written.get(TagFromName.PixelData).getShortValues();
    for (int i = 0; i < out.length; i++) {
      boolean inCorner = i % columns < 4 && i / columns < 4;
      assertThat(out[i] & 0xffff).isEqualTo(inCorner ? 0 : (i * 13) & 0x0fff);
    }
  }

  @Test
  void aRedactedImageKeepsItsOwnOverlayPlanesOnlyWhenTheProjectKeepsOverlays() throws Exception {
    SignatureRules rules =
        SignatureRules.parse(
            new ObjectMapper(new YAMLFactory())
                .readTree("- {name: corner, when: {Modality: CT}, regions: [[0, 0, 8, 8]]}"),
            "test");
    PixelRedactor redactor = new PixelRedactor(new PixelRedactor.Options(rules, 0, false));
    byte[] shape = OverlayDicom.pack(OverlayDicom.shape());
    for (boolean keep : new boolean[] {false, true}) {
      AttributeList source = OverlayDicom.image("1.2.3.60", false, (x, y) -> 0x8000 | x);
      OverlayDicom.separate(source, 0x6002, OverlayDicom.shape());
      OverlayDicom.embedded(source, 0x6004, 15);
      Path file =
          TestDicom.write(
              source,
              com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian,
              dir.resolve("ov-" + keep + ".dcm"));
      RedactedImage redacted =
          redactor.redact(PixelRedactor.parse(Files.readAllBytes(file)), List.of());
      AttributeList written = PixelRedactor.parse(redacted.toFile(keep));
      assertThat(written.keySet()).noneMatch(t -> t.getGroup() == 0x6004);
      if (keep) {
        // Kept for the OverlayScreen the extract runs next, bit for bit.
        assertThat(written.get(new AttributeTag(0x6002, 0x3000)).getByteValues()).isEqualTo(shape);
      } else {
        assertThat(written.keySet()).noneMatch(t -> (t.getGroup() & 0xFF00) == 0x6000);
      }
      short[] px = written.get(TagFromName.PixelData).getShortValues();
      assertThat(px[OverlayDicom.COLUMNS * 20 + 100]).isEqualTo((short) 100); // bit 15 cleared
      assertThat(px[0]).isZero(); // in the corner rule's region
    }
  }

  @Test
  void rulesMatchHeaderValuesByValuePrefixAndList() throws Exception {
    SignatureRules rules = SignatureRules.builtIn();
    assertThat(rules.rules()).hasSizeGreaterThanOrEqualTo(6);
    for (GroundTruth.FileEntry f : truth.withBurnedInText()) {
      if (f.rows() == 240 && f.columns() == 320) {
        AttributeList header = new AttributeList();
        header.read(truth.resolve(f).toString());
        assertThat(rules.matching(header)).as(f.path()).hasSize(1);
      }
    }
    assertThatThrownBy(
            () ->
                SignatureRules.parse(
                    new ObjectMapper(new YAMLFactory())
                        .readTree("- {name: x, when: {Manufactuer: GE}, regions: [[0, 0, 1, 1]]}"),
                    "project file"))
        .hasMessageContaining("'Manufactuer' is not a DICOM keyword");
  }

  private static int samples(AttributeList list) {
    return Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
  }

  private static void put(AttributeList list, AttributeTag tag, String vr, String value)
      throws Exception {
    Attribute a =
        switch (vr) {
          case "UI" -> new com.pixelmed.dicom.UniqueIdentifierAttribute(tag);
          case "CS" -> new com.pixelmed.dicom.CodeStringAttribute(tag);
          default -> new com.pixelmed.dicom.UnsignedShortAttribute(tag);
        };
    a.addValue(value);
    list.put(a);
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
  }
}
