package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.imaginglakehouse.extract.deid.SourceRejectedException.Reason;
import org.imaginglakehouse.extract.testing.DicomChecks;
import org.imaginglakehouse.extract.testing.PhiScanner;
import org.imaginglakehouse.extract.testing.TestDicom;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser.ChecksumMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ExtractFileWriter} on files written for the purpose: each structural case one by one. */
class ExtractFileWriterTest {
  private static final AttributeTag SIGNATURES = new AttributeTag(0xFFFA, 0xFFFA);
  private static final AttributeTag PADDING = new AttributeTag(0xFFFC, 0xFFFC);

  @TempDir Path dir;

  private final ExtractFileWriter writer = new ExtractFileWriter();

  @ParameterizedTest
  @ValueSource(
      strings = {TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian})
  void signatureAndPaddingAfterPixelDataAreDroppedAndPixelsCopied(String ts) throws Exception {
    Path source = TestDicom.write(TestDicom.ct("1.2.3.4.10"), ts, dir.resolve("s.dcm"));
    byte[] pixels = DicomChecks.pixelValue(source);
    int trailer = TestDicom.appendTrailer(source, TransferSyntax.isExplicitVR(ts));
    AttributeList sourceList = DicomChecks.read(source);
    assertThat(sourceList.get(SIGNATURES)).isNotNull();
    assertThat(sourceList.get(PADDING)).isNotNull();
    String checksum = DicomChecks.ingest(source, ChecksumMode.HEADER).checksum();

    Path target = dir.resolve("t.dcm");
    Written w = writer.write(source, checksum, ExtractFileWriterTest::renamePatient, target);

    byte[] out = Files.readAllBytes(target);
    assertThat(DicomChecks.pixelValue(target)).isEqualTo(pixels);
    // PixelData is the last element: the file ends with its value.
    assertThat(Arrays.copyOfRange(out, out.length - pixels.length, out.length)).isEqualTo(pixels);
    assertThat(w.pixelBytesCopied())
        .isEqualTo(pixels.length + (ts.equals(TransferSyntax.ImplicitVRLittleEndian) ? 8 : 12));
    AttributeList back = DicomChecks.read(target);
    assertThat(back.get(SIGNATURES)).isNull();
    assertThat(back.get(PADDING)).isNull();
    assertThat(Attribute.getSingleStringValueOrEmptyString(back, TagFromName.PatientName))
        .isEqualTo("RENAMED^PATIENT");
    assertThat(Attribute.getSingleStringValueOrEmptyString(back, TagFromName.TransferSyntaxUID))
        .isEqualTo(ts);
    assertThat(
            DicomChecks.differences(
                sourceList, back, List.of(TagFromName.PatientName, SIGNATURES, PADDING)))
        .isEmpty();
    // Only the trailer went, and the name grew from 8 bytes to 16 ("RENAMED^PATIENT" + padding).
    assertThat(Files.size(target)).isEqualTo(Files.size(source) - trailer + 8);
    assertDcmdumpReads(target);
  }

  @Test
  void encapsulatedFragmentsAreCopiedVerbatimUpToTheDelimiter() throws Exception {
    Path source =
        TestDicom.writeEncapsulated(
            "1.2.3.4.11",
            dir.resolve("jpeg.dcm"),
            new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4},
            new byte[] {5, 6, (byte) 0xFF, (byte) 0xD9});
    TestDicom.appendTrailer(source, true);
    byte[] pixels = DicomChecks.pixelValue(source);
    Path target = dir.resolve("t.dcm");
    Written w =
        writer.write(
            source,
            DicomChecks.ingest(source, ChecksumMode.FULL).checksum(),
            HeaderRewrite.IDENTITY,
            target);
    // 12 (tag, OB, length) + 8 (empty offset table) + 8 + 6 + 8 + 4 + 8 (delimiter).
    assertThat(w.pixelBytesCopied()).isEqualTo(54);
    assertThat(DicomChecks.pixelValue(target)).isEqualTo(pixels).hasSize(42);
    assertThat(w.transferSyntaxUid()).isEqualTo(TransferSyntax.JPEGBaseline);
    assertDcmdumpReads(target);
  }

  @Test
  void deflatedAndBigEndianFilesAreRefusedWithoutShowingValues() throws Exception {
    for (String ts :
        List.of(
            TransferSyntax.DeflatedExplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian)) {
      Path source = TestDicom.write(TestDicom.ct("1.2.3.4.12"), ts, dir.resolve("r.dcm"));
      Path target = dir.resolve("never.dcm");
      assertThatThrownBy(() -> writer.writeAtomically(source, null, HeaderRewrite.IDENTITY, target))
          .isInstanceOfSatisfying(
              SourceRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TRANSFER_SYNTAX))
          .hasMessageContaining(ts)
          .hasMessageNotContaining("DOE")
          .hasMessageNotContaining(TestDicom.PATIENT_ID);
      assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("never"));
    }
  }

  @Test
  void rawDataSetIsRefusedAndAFileWithoutPreambleIsWrittenWithOne() throws Exception {
    Path raw = TestDicom.writeRawDataSet(TestDicom.ct("1.2.3.4.13"), dir.resolve("raw.dcm"));
    assertThatThrownBy(() -> writer.write(raw, null, HeaderRewrite.IDENTITY, dir.resolve("x.dcm")))
        .isInstanceOfSatisfying(
            SourceRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NO_META_HEADER));

    Path full = explicitCt("1.2.3.4.14", "f.dcm");
    byte[] bytes = Files.readAllBytes(full);
    Path bare = Files.write(dir.resolve("bare.dcm"), Arrays.copyOfRange(bytes, 132, bytes.length));
    Path target = dir.resolve("t.dcm");
    writer.write(
        bare,
        DicomChecks.ingest(bare, ChecksumMode.HEADER).checksum(),
        HeaderRewrite.IDENTITY,
        target);
    // The identity rewrite of the bare file is the original file with its preamble.
    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian})
  void ingestChecksumsAreReproducedAndAOneByteChangeIsDetected(String ts) throws Exception {
    Path source = TestDicom.write(TestDicom.ct("1.2.3.4.15"), ts, dir.resolve("s.dcm"));
    String header = DicomChecks.ingest(source, ChecksumMode.HEADER).checksum();
    String full = DicomChecks.ingest(source, ChecksumMode.FULL).checksum();
    writer.write(source, header, HeaderRewrite.IDENTITY, dir.resolve("a.dcm"));
    writer.write(source, full, HeaderRewrite.IDENTITY, dir.resolve("b.dcm"));

    byte[] original = Files.readAllBytes(source);
    byte[] headerChanged = original.clone();
    int name = indexOf(original, TestDicom.PATIENT_NAME);
    headerChanged[name + 4] = 'K'; // DOE^JANE -> DOE^KANE: same length
    Files.write(source, headerChanged);
    assertChanged(source, header);
    assertChanged(source, full);

    byte[] pixelChanged = original.clone();
    pixelChanged[pixelChanged.length - 1] ^= 1;
    Files.write(source, pixelChanged);
    // The header checksum does not cover pixel values (docs/ingest.md); the full one does.
    writer.write(source, header, HeaderRewrite.IDENTITY, dir.resolve("c.dcm"));
    assertChanged(source, full);

    byte[] longer = Arrays.copyOf(original, original.length + 2);
    Files.write(source, longer);
    assertChanged(source, header);
  }

  @Test
  void headerChecksumOfAFileWithoutPixelDataCoversTheWholeFile() throws Exception {
    AttributeList list = TestDicom.ct("1.2.3.4.16");
    list.remove(TagFromName.PixelData);
    Path source =
        TestDicom.write(list, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("s.dcm"));
    String header = DicomChecks.ingest(source, ChecksumMode.HEADER).checksum();
    Path target = dir.resolve("t.dcm");
    Written w = writer.write(source, header, HeaderRewrite.IDENTITY, target);
    assertThat(w.pixelBytesCopied()).isZero();
    assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(source));
    byte[] changed = Files.readAllBytes(source);
    changed[changed.length - 1] ^= 1;
    Files.write(source, changed);
    assertChanged(source, header);
  }

  @Test
  void truncatedPixelDataIsRefusedAndWriteAtomicallyLeavesNoFile() throws Exception {
    Path source = explicitCt("1.2.3.4.17", "s.dcm");
    byte[] bytes = Files.readAllBytes(source);
    Path cut = Files.write(dir.resolve("cut.dcm"), Arrays.copyOf(bytes, bytes.length - 5));
    Path out = Files.createDirectories(dir.resolve("out"));
    Path target = out.resolve("t.dcm");
    assertThatThrownBy(() -> writer.writeAtomically(cut, null, HeaderRewrite.IDENTITY, target))
        .isInstanceOfSatisfying(
            SourceRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED))
        .hasMessageContaining("5 of 32 bytes missing");
    assertThat(out).isEmptyDirectory();

    Files.writeString(target, "an older extraction");
    Written w = writer.writeAtomically(source, null, HeaderRewrite.IDENTITY, target);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(target);
    }
    assertThat(Files.size(target)).isEqualTo(w.size());
    assertThat(DicomChecks.pixelValue(target)).isEqualTo(DicomChecks.pixelValue(source));
  }

  @Test
  void pseudonymisedUidsReachTheMetaHeaderAndNoOriginalIdentifierIsLeft() throws Exception {
    String sop = "1.2.826.0.1.3680043.10.999.18";
    Path source =
        TestDicom.write(
            TestDicom.ct(sop), TransferSyntax.ExplicitVRLittleEndian, dir.resolve("s.dcm"));
    HmacProjectPseudonyms p =
        HmacProjectPseudonyms.ofBytes(
            "k".repeat(32).getBytes(StandardCharsets.UTF_8), "writer-test", -3650, -365);
    List<String> identifying =
        List.of(sop, sop + ".1", sop + ".2", TestDicom.PATIENT_ID, TestDicom.PATIENT_NAME);
    assertThat(new PhiScanner().scan(source, identifying)).isNotEmpty();
    Path target = dir.resolve("t.dcm");
    writer.write(
        source,
        null,
        h -> {
          for (AttributeTag tag :
              List.of(
                  TagFromName.SOPInstanceUID,
                  TagFromName.StudyInstanceUID,
                  TagFromName.SeriesInstanceUID)) {
            String uid = Attribute.getSingleStringValueOrEmptyString(h, tag);
            Attribute a = new UniqueIdentifierAttribute(tag);
            a.addValue(p.uid(uid));
            h.put(a);
          }
          Attribute id = new LongStringAttribute(TagFromName.PatientID);
          id.addValue(p.patientId("E000042"));
          h.put(id);
          h.remove(TagFromName.PatientName);
          h.remove(new AttributeTag(0x0029, 0x1010));
          return h;
        },
        target);
    assertThat(new PhiScanner().scan(target, identifying)).isEmpty();
    AttributeList back = DicomChecks.read(target);
    assertThat(
            Attribute.getSingleStringValueOrEmptyString(
                back, TagFromName.MediaStorageSOPInstanceUID))
        .isEqualTo(p.uid(sop))
        .isEqualTo(Attribute.getSingleStringValueOrEmptyString(back, TagFromName.SOPInstanceUID));
    assertDcmdumpReads(target);
  }

  @Test
  void aRewriteWithoutSopInstanceUidIsRefusedSoTheOriginalCannotStayInTheMetaHeader()
      throws Exception {
    Path source = explicitCt("1.2.3.4.19", "s.dcm");
    assertThatThrownBy(
            () ->
                writer.write(
                    source,
                    null,
                    h -> {
                      h.remove(TagFromName.SOPInstanceUID);
                      return h;
                    },
                    dir.resolve("t.dcm")))
        .isInstanceOfSatisfying(
            SourceRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.REWRITE_FAILED))
        .hasMessageContaining("no SOPInstanceUID");
  }

  private void assertChanged(Path source, String checksum) {
    assertThatThrownBy(
            () ->
                writer.write(source, checksum, HeaderRewrite.IDENTITY, dir.resolve("changed.dcm")))
        .isInstanceOfSatisfying(
            SourceChangedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHANGED_SINCE_INGEST));
  }

  private static void assertDcmdumpReads(Path file) throws IOException, InterruptedException {
    DicomChecks.DcmDumpResult dump = DicomChecks.dcmdump(List.of(file));
    assertThat(dump.exitCode()).as(dump.stderr()).isZero();
    assertThat(dump.stderr()).isEmpty();
  }

  private Path explicitCt(String sopInstanceUid, String name) throws IOException, DicomException {
    return TestDicom.write(
        TestDicom.ct(sopInstanceUid), TransferSyntax.ExplicitVRLittleEndian, dir.resolve(name));
  }

  private static AttributeList renamePatient(AttributeList header) throws DicomException {
    Attribute a = header.get(TagFromName.PatientName);
    a.removeValues();
    a.addValue("RENAMED^PATIENT");
    return header;
  }

  private static int indexOf(byte[] bytes, String text) {
    byte[] pattern = text.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + pattern.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    throw new AssertionError("not in the file");
  }
}
