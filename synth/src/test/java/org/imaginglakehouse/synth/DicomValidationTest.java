package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Independent validation of a sample: one file per (SOP class, transfer syntax, multi-frame) goes
 * through dcmtk's dcmdump and dicom3tools' dciodvfy; every junk kind is checked for being what the
 * manifest says it is.
 *
 * <p>Allowed: dciodvfy warnings (planted PHI such as PatientAddress is "not in the IOD", making
 * these Standard Extended SOP Classes; deprecated SRT codes; site-specific defined terms). Deflated
 * files are inflated with {@code dcmconv +te} before dciodvfy, which cannot read deflate.
 */
class DicomValidationTest {
  @TempDir static Path dir;
  static GroundTruth gt;

  @BeforeAll
  static void generate() {
    SyntheticPacs.generate(
        dir.resolve("pacs"),
        SynthOptions.builder()
            .patients(40)
            .seed(3)
            .imagesScale(0.15)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .layout(SynthOptions.Layout.FLAT)
            .junkRate(0.02)
            .modalityMix(evenMix())
            .threads(2)
            .build());
    gt = GroundTruth.read(dir.resolve("pacs"));
  }

  static Map<String, Double> evenMix() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : SynthOptions.DEFAULT_MODALITY_MIX.keySet()) {
      m.put(k, 1.0);
    }
    return m;
  }

  @Test
  void sampleOfEveryIodAndTransferSyntaxHasNoDcmdumpOrDciodvfyErrors() throws Exception {
    Map<String, GroundTruth.FileEntry> sample = new LinkedHashMap<>();
    for (GroundTruth.FileEntry f : gt.files()) {
      if (f.junkKind() == null) {
        sample.putIfAbsent(
            f.sopClassUid() + "|" + f.transferSyntaxUid() + "|" + (f.frames() > 1), f);
      }
    }
    for (GroundTruth.FileEntry f : gt.files()) {
      if (f.junkKind() == null) {
        sample.putIfAbsent("charset|" + f.specificCharacterSet(), f);
      }
    }
    assertThat(sample.keySet())
        .contains(
            "charset|",
            "charset|ISO_IR 100",
            "charset|ISO_IR 192",
            "charset|\\ISO 2022 IR 87",
            "charset|\\ISO 2022 IR 149");
    // every modality, and every transfer syntax we claim to write, is in the sample
    assertThat(
            sample.values().stream()
                .map(GroundTruth.FileEntry::modality)
                .collect(Collectors.toSet()))
        .containsAll(
            List.of("CT", "MR", "US", "CR", "DX", "MG", "PT", "NM", "XA", "RF", "SC", "SR"));
    assertThat(
            sample.values().stream()
                .map(GroundTruth.FileEntry::transferSyntaxUid)
                .collect(Collectors.toSet()))
        .contains(
            TransferSyntax.ExplicitVRLittleEndian,
            TransferSyntax.ImplicitVRLittleEndian,
            TransferSyntax.DeflatedExplicitVRLittleEndian,
            TransferSyntax.JPEGBaseline);
    List<String> problems = new ArrayList<>();
    for (GroundTruth.FileEntry f : sample.values()) {
      Path file = gt.resolve(f);
      // dcmtk's iconv cannot convert ISO 2022 IR 87/149 to UTF-8 ("F: Cannot open character
      // encoding"), so those files are dumped without +U8 (raw bytes); PixelMed decodes them
      // (SyntheticPacsTest)
      Tools.Result dump =
          f.specificCharacterSet() != null && f.specificCharacterSet().contains("2022")
              ? Tools.run(null, "dcmdump", "-q", file.toString())
              : Tools.run(null, "dcmdump", "-q", "+U8", file.toString());
      if (dump.exit() != 0 || dump.output().contains("E: ")) {
        problems.add(
            "dcmdump exit "
                + dump.exit()
                + " "
                + f.path()
                + ": "
                + dump.output().lines().filter(l -> l.contains("E:") || l.contains("F:")).toList());
      }
      Path checked = file;
      if (f.transferSyntaxUid().equals(TransferSyntax.DeflatedExplicitVRLittleEndian)) {
        checked = dir.resolve("inflated.dcm");
        Tools.Result conv = Tools.run(null, "dcmconv", "+te", file.toString(), checked.toString());
        assertThat(conv.exit()).as(conv.output()).isZero();
      }
      Tools.Result v = Tools.run(null, "dciodvfy", checked.toString());
      List<String> errors = v.output().lines().filter(l -> l.startsWith("Error")).toList();
      if (!errors.isEmpty()) {
        problems.add("dciodvfy " + f.modality() + " " + f.path() + ": " + errors);
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void junkFilesAreWhatTheManifestSays() throws Exception {
    Map<JunkKind, List<GroundTruth.FileEntry>> junk = gt.junkByKind();
    assertThat(junk.keySet()).containsExactlyInAnyOrder(JunkKind.values());
    for (GroundTruth.FileEntry f : junk.get(JunkKind.ZERO_LENGTH)) {
      assertThat(Files.size(gt.resolve(f))).isZero();
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.RANDOM_BYTES)) {
      byte[] b = Files.readAllBytes(gt.resolve(f));
      assertThat(b.length).isGreaterThan(132);
      assertThat(new String(b, 128, 4, StandardCharsets.ISO_8859_1)).isNotEqualTo("DICM");
      assertThat(f.path()).endsWith(".dcm");
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.TEXT_FILE)) {
      assertThat(Files.readString(gt.resolve(f), StandardCharsets.US_ASCII))
          .contains("Radiographer note");
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.DICOMDIR)) {
      AttributeList l = new AttributeList();
      l.read(gt.resolve(f).toString());
      assertThat(Attribute.getSingleStringValueOrNull(l, TagFromName.MediaStorageSOPClassUID))
          .isEqualTo("1.2.840.10008.1.3.10");
      assertThat(l.get(TagFromName.SOPInstanceUID)).isNull();
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.MISSING_PREAMBLE)) {
      byte[] b = Files.readAllBytes(gt.resolve(f));
      // starts directly with (0002,0000) UL
      assertThat(b[0]).isEqualTo((byte) 0x02);
      assertThat(b[1]).isEqualTo((byte) 0x00);
      assertThat(new String(b, 4, 2, StandardCharsets.US_ASCII)).isEqualTo("UL");
      // dcmtk reads it when told the file may lack the preamble, and finds the instance
      Tools.Result dump =
          Tools.run(null, "dcmdump", "-q", "+P", "0008,0018", gt.resolve(f).toString());
      assertThat(dump.output()).contains(f.sopInstanceUid());
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.TRUNCATED)) {
      Tools.Result dump = Tools.run(null, "dcmdump", "-q", gt.resolve(f).toString());
      assertThat(dump.exit() != 0 || dump.output().contains("E:"))
          .as("dcmdump must fail on truncated %s", f.path())
          .isTrue();
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.PIXEL_DATA_TRUNCATED)) {
      long expected = (long) f.rows() * f.columns() * f.frames();
      byte[] b = Files.readAllBytes(gt.resolve(f));
      assertThat(f.sopInstanceUid()).isNotNull();
      // the header up to the pixel module parses (dcmtk stops before PixelData) ...
      Tools.Result dump =
          Tools.run(
              null,
              "dcmdump",
              "-q",
              "--stop-after-elem",
              "0028,0103",
              "+P",
              "0008,0018",
              gt.resolve(f).toString());
      assertThat(dump.output()).contains(f.sopInstanceUid());
      // ... but the file is too short for the declared pixels and a full parse fails
      assertThat((long) b.length).isLessThan(expected + 4096);
      Tools.Result full = Tools.run(null, "dcmdump", "-q", gt.resolve(f).toString());
      assertThat(full.exit() != 0 || full.output().contains("E:")).isTrue();
    }
    for (GroundTruth.FileEntry f : junk.get(JunkKind.DUPLICATE_SOP_INSTANCE_UID)) {
      List<GroundTruth.FileEntry> same =
          gt.files().stream().filter(x -> f.sopInstanceUid().equals(x.sopInstanceUid())).toList();
      assertThat(same).hasSize(2);
      for (GroundTruth.FileEntry x : same) {
        AttributeList l = new AttributeList();
        l.read(gt.resolve(x).toString());
        assertThat(Attribute.getSingleStringValueOrNull(l, TagFromName.SOPInstanceUID))
            .isEqualTo(f.sopInstanceUid());
      }
    }
  }
}
