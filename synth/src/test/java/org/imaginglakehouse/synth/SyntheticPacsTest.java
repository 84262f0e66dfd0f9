package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;
import org.imaginglakehouse.core.identity.Chi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticPacsTest {
  @TempDir static Path dir;
  static SyntheticPacs.Summary summary;
  static GroundTruth gt;

  @BeforeAll
  static void generate() {
    summary =
        SyntheticPacs.generate(
            dir.resolve("pacs"),
            SynthOptions.builder()
                .patients(25)
                .seed(11)
                .imagesScale(0.25)
                .pixelSize(SynthOptions.PixelSize.TINY)
                .threads(2)
                .build());
    gt = GroundTruth.read(dir.resolve("pacs"));
  }

  static byte[] bytes(GroundTruth g, GroundTruth.FileEntry f) throws Exception {
    String p = f.path();
    int bang = p.indexOf('!');
    if (bang < 0) {
      return Files.readAllBytes(g.root().resolve(p));
    }
    try (ZipFile z = new ZipFile(g.root().resolve(p.substring(0, bang)).toFile());
        InputStream in = z.getInputStream(z.getEntry(p.substring(bang + 1)))) {
      return in.readAllBytes();
    }
  }

  static AttributeList read(byte[] data) throws Exception {
    AttributeList l = new AttributeList();
    l.read(new com.pixelmed.dicom.DicomInputStream(new ByteArrayInputStream(data)));
    return l;
  }

  @Test
  void manifestMatchesFilesOnDisk() throws Exception {
    assertThat(gt.files()).hasSize((int) (summary.dicomFiles() + summary.junkFiles()));
    assertThat(summary.dicomFiles()).isGreaterThan(100);
    for (GroundTruth.FileEntry f : gt.files()) {
      assertThat(gt.resolve(f)).exists();
    }
    for (GroundTruth.FileEntry f : gt.files()) {
      if (f.junkKind() != null) {
        continue;
      }
      AttributeList l = read(bytes(gt, f));
      assertThat(Attribute.getSingleStringValueOrNull(l, TagFromName.SOPInstanceUID))
          .isEqualTo(f.sopInstanceUid());
      assertThat(Attribute.getSingleStringValueOrNull(l, TagFromName.StudyInstanceUID))
          .isEqualTo(f.studyInstanceUid());
      assertThat(Attribute.getSingleStringValueOrNull(l, TagFromName.Modality))
          .isEqualTo(f.modality());
      assertThat(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.PatientID))
          .isEqualTo(f.patientId());
    }
  }

  @Test
  void everyJunkKindIsPresentAsRecorded() {
    Map<JunkKind, List<GroundTruth.FileEntry>> byKind = gt.junkByKind();
    assertThat(byKind.keySet()).containsExactlyInAnyOrder(JunkKind.values());
    for (GroundTruth.FileEntry f : byKind.get(JunkKind.ZERO_LENGTH)) {
      assertThat(gt.resolve(f)).isEmptyFile();
    }
    for (GroundTruth.FileEntry f : byKind.get(JunkKind.DUPLICATE_SOP_INSTANCE_UID)) {
      List<GroundTruth.FileEntry> same =
          gt.files().stream()
              .filter(x -> f.sopInstanceUid().equals(x.sopInstanceUid()))
              .collect(Collectors.toList());
      assertThat(same).hasSize(2);
      assertThat(same.get(0).path()).isNotEqualTo(same.get(1).path());
    }
  }

  @Test
  void chisAreValidWhereIntendedAndInvalidOtherwise() {
    for (GroundTruth.Patient p : gt.patients()) {
      assertThat(Chi.isValid(p.chi())).as(p.chi()).isTrue();
      assertThat(Chi.sex(p.chi()).orElseThrow().dicomCode()).isEqualTo(p.sex());
      assertThat(Chi.matchesBirthDate(p.chi(), java.time.LocalDate.parse(p.birthDate()))).isTrue();
      switch (p.idStatus()) {
        case "VALID" -> assertThat(p.writtenPatientId()).isEqualTo(p.chi());
        case "INVALID" -> assertThat(Chi.isValid(p.writtenPatientId())).isFalse();
        default -> assertThat(Chi.isValid(p.writtenPatientId())).isFalse();
      }
    }
  }

  @Test
  void namesInEveryCharacterSetDecodeToTheGroundTruth() throws Exception {
    Map<String, GroundTruth.FileEntry> byCharset = new java.util.TreeMap<>();
    for (GroundTruth.FileEntry f : gt.files()) {
      if (f.junkKind() == null) {
        byCharset.putIfAbsent(f.specificCharacterSet(), f);
      }
    }
    assertThat(byCharset.keySet())
        .contains("", "ISO_IR 100", "ISO_IR 192", "\\ISO 2022 IR 87", "\\ISO 2022 IR 149");
    for (GroundTruth.FileEntry f : byCharset.values()) {
      byte[] data = bytes(gt, f);
      AttributeList l = read(data);
      assertThat(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.PatientName))
          .as(f.specificCharacterSet())
          .isEqualTo(f.patientName());
      String raw = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
      if (f.specificCharacterSet().contains("IR 87")) {
        assertThat(raw).contains("\u001b$B").contains("\u001b(B"); // JIS X 0208 designations
      }
      if (f.specificCharacterSet().contains("IR 149")) {
        assertThat(raw).contains("\u001b$)C"); // KS X 1001 in G1
      }
    }
  }

  @Test
  void plantedPhiIsInTheFilesAtTheRecordedPaths() throws Exception {
    java.util.Set<String> kinds = new java.util.HashSet<>();
    int checked = 0;
    for (GroundTruth.FileEntry f : gt.instances()) {
      if (f.phi().isEmpty() || checked > 300) {
        continue;
      }
      AttributeList l = read(bytes(gt, f));
      for (GroundTruth.PhiLocation p : f.phi()) {
        kinds.add(p.kind());
        assertThat(valueAt(l, p.path())).as(f.path() + " " + p.path()).isEqualTo(p.value());
      }
      checked++;
    }
    assertThat(kinds)
        .contains(
            "PATIENT_NAME",
            "PATIENT_ID",
            "BIRTH_DATE",
            "ADDRESS",
            "OTHER_PATIENT_ID",
            "FREE_TEXT_NAME",
            "CHI",
            "ACCESSION_NUMBER",
            "REFERENCED_PATIENT");
  }

  /** Resolves a manifest tag path ("00400275[0].00321060", "00291010") in a PixelMed list. */
  static String valueAt(AttributeList l, String path) throws Exception {
    AttributeList cur = l;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      int br = part.indexOf('[');
      String tag = br < 0 ? part : part.substring(0, br);
      com.pixelmed.dicom.AttributeTag t =
          new com.pixelmed.dicom.AttributeTag(
              Integer.parseInt(tag.substring(0, 4), 16), Integer.parseInt(tag.substring(4), 16));
      Attribute a = cur.get(t);
      if (a == null) {
        return null;
      }
      if (br < 0) {
        if (a instanceof com.pixelmed.dicom.UnknownAttribute
            || a.getVR() == null
            || "UN".equals(a.getVRAsString())) {
          return new String(a.getByteValues(), java.nio.charset.StandardCharsets.UTF_8).trim();
        }
        return a.getSingleStringValueOrEmptyString().stripTrailing(); // ST/LT keep padding
      }
      int idx = Integer.parseInt(part.substring(br + 1, part.indexOf(']')));
      cur = ((com.pixelmed.dicom.SequenceAttribute) a).getItem(idx).getAttributeList();
    }
    return null;
  }
}
