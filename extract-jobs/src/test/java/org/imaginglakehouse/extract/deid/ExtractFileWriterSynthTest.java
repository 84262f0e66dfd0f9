package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.extract.testing.DicomChecks;
import org.imaginglakehouse.extract.testing.PhiScanner;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser.ChecksumMode;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ExtractFileWriter} on every valid instance of a small synthetic PACS (CT, MR, US with JPEG
 * and multi-frame cines, SR without pixels; implicit and explicit VR little endian, and the
 * deflated and big endian files it must refuse), in TINY and SMALL pixel sizes.
 */
class ExtractFileWriterSynthTest {
  private static final String NEW_NAME = "EXTRACT^TEST";

  @TempDir Path dir;

  private final ExtractFileWriter writer = new ExtractFileWriter();

  @ParameterizedTest
  @EnumSource(
      value = SynthOptions.PixelSize.class,
      names = {"TINY", "SMALL"})
  void everyInstanceIsWrittenWithItsPixelBytesOrRefusedForItsTransferSyntax(
      SynthOptions.PixelSize size) throws Exception {
    GroundTruth gt = archive(size);
    Path out = Files.createDirectories(dir.resolve("out"));
    List<Path> written = new ArrayList<>();
    int encapsulated = 0;
    int implicit = 0;
    int explicit = 0;
    int refused = 0;
    int withoutPixels = 0;
    int usMultiFrame = 0;
    for (GroundTruth.FileEntry f : gt.instances()) {
      Path source = gt.resolve(f);
      String ts = f.transferSyntaxUid();
      ParsedHeader ingested = DicomChecks.ingest(source, ChecksumMode.HEADER);
      Path target = out.resolve(f.sopInstanceUid() + ".dcm");
      if (ts.equals(TransferSyntax.DeflatedExplicitVRLittleEndian)
          || ts.equals(TransferSyntax.ExplicitVRBigEndian)) {
        assertThatThrownBy(
                () ->
                    writer.write(
                        source, ingested.checksum(), ExtractFileWriterSynthTest::rename, target))
            .isInstanceOfSatisfying(
                SourceRejectedException.class,
                e ->
                    assertThat(e.reason())
                        .isEqualTo(SourceRejectedException.Reason.UNSUPPORTED_TRANSFER_SYNTAX));
        refused++;
        continue;
      }
      Written w =
          writer.write(source, ingested.checksum(), ExtractFileWriterSynthTest::rename, target);
      written.add(target);
      assertThat(w.transferSyntaxUid()).isEqualTo(ts);
      assertThat(w.size()).isEqualTo(Files.size(target));
      assertThat(w.sha256())
          .isEqualTo(
              HexFormat.of()
                  .formatHex(
                      MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(target))));

      byte[] sourcePixels = DicomChecks.pixelValue(source);
      byte[] targetPixels = DicomChecks.pixelValue(target);
      assertThat(targetPixels).as(f.path()).isEqualTo(sourcePixels);
      if (sourcePixels == null) {
        assertThat(w.pixelBytesCopied()).isZero();
        withoutPixels++;
      } else {
        assertThat(w.pixelBytesCopied()).isGreaterThan(sourcePixels.length);
      }

      AttributeList back = DicomChecks.read(target);
      assertThat(Attribute.getSingleStringValueOrEmptyString(back, TagFromName.PatientName))
          .isEqualTo(NEW_NAME);
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(
                  back, TagFromName.MediaStorageSOPInstanceUID))
          .isEqualTo(f.sopInstanceUid());
      assertThat(new PhiScanner().scan(target, List.of(NEW_NAME))).isNotEmpty();
      // The checksum ingest computes for the file written matches what the writer would verify.
      ParsedHeader reingested = DicomChecks.ingest(target, ChecksumMode.HEADER);
      assertThat(reingested.sopInstanceUid()).isEqualTo(f.sopInstanceUid());

      if (TransferSyntax.isEncapsulated(ts)) {
        encapsulated++;
      } else if (ts.equals(TransferSyntax.ImplicitVRLittleEndian)) {
        implicit++;
      } else {
        explicit++;
      }
      if ("US".equals(f.modality()) && f.frames() > 1) {
        usMultiFrame++;
      }
    }
    assertThat(encapsulated).as("JPEG files").isPositive();
    assertThat(implicit).as("implicit VR files").isPositive();
    assertThat(explicit).as("explicit VR files").isPositive();
    assertThat(refused).as("deflated or big endian files").isPositive();
    assertThat(withoutPixels).as("SR files").isPositive();
    assertThat(usMultiFrame).as("US cines").isPositive();

    DicomChecks.DcmDumpResult dump = DicomChecks.dcmdump(written);
    assertThat(dump.exitCode()).as(dump.stderr()).isZero();
    assertThat(dump.stderr()).doesNotContain("E: ");
  }

  @ParameterizedTest
  @EnumSource(
      value = SynthOptions.PixelSize.class,
      names = {"TINY"})
  void identityRewriteReadsBackEqualAttributeByAttribute(SynthOptions.PixelSize size)
      throws Exception {
    GroundTruth gt = archive(size);
    Path out = Files.createDirectories(dir.resolve("identity"));
    int compared = 0;
    for (GroundTruth.FileEntry f : gt.instances()) {
      String ts = f.transferSyntaxUid();
      if (ts.equals(TransferSyntax.DeflatedExplicitVRLittleEndian)
          || ts.equals(TransferSyntax.ExplicitVRBigEndian)) {
        continue;
      }
      Path source = gt.resolve(f);
      Path target = out.resolve(f.sopInstanceUid() + ".dcm");
      ParsedHeader ingested = DicomChecks.ingest(source, ChecksumMode.FULL);
      writer.write(source, ingested.checksum(), HeaderRewrite.IDENTITY, target);
      Map<String, String> differences =
          DicomChecks.differences(DicomChecks.read(source), DicomChecks.read(target), List.of());
      assertThat(differences).as(f.path()).isEmpty();
      // Same header, same length: ingest's checksum of the copy equals the source's.
      assertThat(DicomChecks.ingest(target, ChecksumMode.HEADER).checksum())
          .isEqualTo(DicomChecks.ingest(source, ChecksumMode.HEADER).checksum());
      compared++;
    }
    assertThat(compared).isGreaterThan(10);
  }

  private static AttributeList rename(AttributeList header)
      throws com.pixelmed.dicom.DicomException {
    Attribute name = new PersonNameAttribute(TagFromName.PatientName);
    name.addValue(NEW_NAME);
    header.put(name);
    return header;
  }

  private GroundTruth archive(SynthOptions.PixelSize size) {
    Path root = dir.resolve("pacs-" + size);
    SyntheticPacs.generate(
        root,
        SynthOptions.builder()
            .patients(size == SynthOptions.PixelSize.TINY ? 8 : 3)
            .seed(11)
            .pixelSize(size)
            .imagesScale(0.15)
            .junkRate(0)
            .parquet(false)
            .threads(1)
            .modalityMix(Map.of("CT", 2.0, "US", 4.0, "SR", 2.0, "MR", 1.0))
            .layout(SynthOptions.Layout.FLAT)
            .build());
    return GroundTruth.read(root);
  }
}
