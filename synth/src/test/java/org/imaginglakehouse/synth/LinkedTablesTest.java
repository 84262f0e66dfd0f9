package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.imaginglakehouse.core.identity.Chi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The linked tables join to the imaging and give the expected cohort answers. */
class LinkedTablesTest {
  @TempDir static Path dir;
  static GroundTruth gt;

  @BeforeAll
  static void generate() {
    SyntheticPacs.generate(
        dir.resolve("pacs"),
        SynthOptions.builder()
            .patients(80)
            .seed(17)
            .imagesScale(0.05)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .invalidChiRate(0.05)
            .missingChiRate(0.05)
            .junkRate(0)
            .threads(2)
            .build());
    gt = GroundTruth.read(dir.resolve("pacs"));
  }

  static List<Map<String, String>> csv(String name) throws Exception {
    List<String> lines = Files.readAllLines(gt.linkedDir().resolve(name + ".csv"));
    String[] header = lines.get(0).split(",");
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      List<String> cells = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '"') {
          if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = !quoted;
          }
        } else if (c == ',' && !quoted) {
          cells.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      cells.add(cur.toString());
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i], cells.get(i));
      }
      rows.add(row);
    }
    return rows;
  }

  static List<Group> parquet(String name) throws Exception {
    List<Group> out = new ArrayList<>();
    try (ParquetReader<Group> r =
        ParquetReader.builder(
                new GroupReadSupport(),
                new org.apache.hadoop.fs.Path(gt.linkedDir().resolve(name + ".parquet").toUri()))
            .build()) {
      Group g;
      while ((g = r.read()) != null) {
        out.add(g);
      }
    }
    return out;
  }

  @Test
  void chiToEupiMappingCoversThePopulationExceptTheDeliberatelyMissing() throws Exception {
    List<Map<String, String>> map = csv("chi_eupi");
    Set<String> mapped = map.stream().map(r -> r.get("chi")).collect(Collectors.toSet());
    for (GroundTruth.Patient p : gt.patients()) {
      assertThat(mapped.contains(p.chi())).as(p.chi()).isEqualTo(p.eupi() != null);
    }
    assertThat(map).allSatisfy(r -> assertThat(Chi.isValid(r.get("chi"))).isTrue());
    assertThat(map.stream().map(r -> r.get("eupi")).distinct().count()).isEqualTo(map.size());
    assertThat(parquet("chi_eupi")).hasSize(map.size());
    assertThat(parquet("chi_eupi").get(0).getString("chi", 0)).isEqualTo(map.get(0).get("chi"));
    assertThat(gt.expected().counts().get("patients_invalid_chi")).isPositive();
    assertThat(gt.expected().counts().get("patients_missing_chi")).isPositive();
  }

  @Test
  void glioblastomaPatientsHaveBrainMrBeforeAndAfterDiagnosis() throws Exception {
    List<Map<String, String>> smr06 = csv("smr06");
    assertThat(parquet("smr06")).hasSize(smr06.size());
    Map<String, LocalDate> gbm = new HashMap<>();
    for (Map<String, String> r : smr06) {
      assertThat(r.get("icd10")).startsWith("C");
      if (r.get("icd10").startsWith("C71") && r.get("morphology").equals("9440/3")) {
        gbm.put(r.get("chi"), LocalDate.parse(r.get("diagnosis_date")));
      }
    }
    assertThat(gbm).hasSizeGreaterThanOrEqualTo(2);
    assertThat(new HashSet<>(gt.expected().cohort("glioblastoma").chis())).isEqualTo(gbm.keySet());
    // join registry -> imaging on the CHI carried in PatientID (the linkable patients)
    // (joined on the CHI itself, so every patient whose files carry a valid CHI is found)
    Set<String> linkable =
        gt.patients().stream()
            .filter(p -> p.idStatus().equals("VALID") && gbm.containsKey(p.chi()))
            .map(GroundTruth.Patient::chi)
            .collect(Collectors.toSet());
    assertThat(linkable).containsAll(gt.expected().cohort("glioblastoma").linkableChis());
    Set<String> before = new LinkedHashSet<>();
    Set<String> after = new LinkedHashSet<>();
    for (GroundTruth.FileEntry f : gt.instances()) {
      LocalDate dx = gbm.get(f.patientId());
      if (dx == null || !f.modality().equals("MR")) {
        continue;
      }
      LocalDate d =
          LocalDate.parse(f.studyDate(), java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
      (d.isBefore(dx) ? before : after).add(f.patientId());
    }
    assertThat(before).isEqualTo(linkable);
    assertThat(after).isEqualTo(linkable);
    assertThat(gt.expected().cohort("glioblastoma_brain_mr_before_diagnosis").linkableChis())
        .isSubsetOf(linkable);
  }

  @Test
  void gabapentinPrescribingJoinsToBrainMri() throws Exception {
    List<Map<String, String>> pis = csv("prescribing");
    assertThat(parquet("prescribing")).hasSize(pis.size());
    Set<String> gaba =
        pis.stream()
            .filter(r -> r.get("drug").equals("Gabapentin"))
            .peek(r -> assertThat(r.get("bnf_code")).isEqualTo("0408010G0"))
            .map(r -> r.get("chi"))
            .collect(Collectors.toSet());
    assertThat(gaba).isEqualTo(new HashSet<>(gt.expected().cohort("gabapentin").chis()));
    GroundTruth.Cohort withMri = gt.expected().cohort("gabapentin_brain_mr");
    assertThat(withMri.linkableChis()).isNotEmpty();
    assertThat(gaba).containsAll(withMri.chis());
    Map<String, String> studyPatient = new HashMap<>();
    Map<String, String> studyModality = new HashMap<>();
    for (GroundTruth.FileEntry f : gt.instances()) {
      studyPatient.put(f.studyInstanceUid(), f.patientId());
      studyModality.put(f.studyInstanceUid(), f.modality());
    }
    for (String study : withMri.linkableStudyInstanceUids()) {
      assertThat(studyModality.get(study)).isEqualTo("MR");
      assertThat(withMri.linkableChis()).contains(studyPatient.get(study));
    }
    // every linkable gabapentin patient's images carry the CHI that the prescribing table uses
    Set<String> imagedIds = new HashSet<>(studyPatient.values());
    assertThat(imagedIds).containsAll(gt.expected().cohort("gabapentin").linkableChis());
  }
}
