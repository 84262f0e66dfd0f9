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
}
