package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Distributions and per-modality realism on a few hundred patients with one image per series. */
class RealismTest {
  @TempDir static Path dir;
  static GroundTruth gt;
  static SynthOptions options;

  @BeforeAll
  static void generate() {
    options =
        SynthOptions.builder()
            .patients(300)
            .seed(99)
            .imagesScale(0.05)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .layout(SynthOptions.Layout.FLAT)
            .junkRate(0)
            .parquet(false)
            .threads(2)
            .build();
    SyntheticPacs.generate(dir.resolve("pacs"), options);
    gt = GroundTruth.read(dir.resolve("pacs"));
  }

  /** Studies as (first file) keyed by StudyInstanceUID. */
  static Map<String, GroundTruth.FileEntry> studies() {
    Map<String, GroundTruth.FileEntry> m = new LinkedHashMap<>();
    for (GroundTruth.FileEntry f : gt.files()) {
      m.putIfAbsent(f.studyInstanceUid(), f);
    }
    return m;
  }

  static double tolerance(double p, int n) {
    return 4 * Math.sqrt(p * (1 - p) / n) + 0.01;
  }

  @Test
  void routineStudiesFollowTheRequestedModalityMix() {
    Map<String, Integer> counts = new TreeMap<>();
    int n = 0;
    for (GroundTruth.FileEntry f : studies().values()) {
      if ("ROUTINE".equals(f.studyReason())) {
        counts.merge(f.modality(), 1, Integer::sum);
        n++;
      }
    }
    assertThat(n).isGreaterThan(500);
    double total = options.modalityMix().values().stream().mapToDouble(Double::doubleValue).sum();
    for (Map.Entry<String, Double> e : options.modalityMix().entrySet()) {
      double expected = e.getValue() / total;
      double observed = counts.getOrDefault(e.getKey(), 0) / (double) n;
      assertThat(observed)
          .as("share of %s studies (%s)", e.getKey(), counts)
          .isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance(expected, n)));
    }
  }

  @Test
  void crossSectionalSeriesFollowTheImageTypeMix() {
    Map<String, GroundTruth.FileEntry> series = new LinkedHashMap<>();
    for (GroundTruth.FileEntry f : gt.files()) {
      if (f.modality().equals("CT") || f.modality().equals("MR")) {
        series.putIfAbsent(f.seriesInstanceUid(), f);
      }
    }
    int n = series.size();
    int[] c = new int[3];
    for (GroundTruth.FileEntry f : series.values()) {
      List<String> t = f.imageType();
      if (t.contains("LOCALIZER")) {
        c[1]++;
      } else if (t.get(0).equals("DERIVED")) {
        c[2]++;
      } else {
        assertThat(t.subList(0, 2)).containsExactly("ORIGINAL", "PRIMARY");
        c[0]++;
      }
    }
    assertThat(n).isGreaterThan(800);
    double[] mix = SynthOptions.DEFAULT_IMAGE_TYPE_MIX;
    for (int i = 0; i < 3; i++) {
      assertThat(c[i] / (double) n)
          .isCloseTo(mix[i], org.assertj.core.data.Offset.offset(tolerance(mix[i], n)));
    }
  }

  @Test
  void headersCarryTheRealWorldMess() throws Exception {
    Set<Character> ageUnits = new HashSet<>();
    Set<String> bodyParts = new HashSet<>();
    Set<String> swiSpellings = new HashSet<>();
    Set<String> charsets = new HashSet<>();
    Set<String> manufacturers = new HashSet<>();
    for (GroundTruth.FileEntry f : studies().values()) {
      bodyParts.add(f.bodyPartExamined());
      charsets.add(f.specificCharacterSet());
    }
    for (GroundTruth.FileEntry f : gt.files()) {
      if (f.instanceNumber() != 1) {
        continue;
      }
      AttributeList l = new AttributeList();
      l.read(gt.resolve(f).toString());
      String age = Attribute.getSingleStringValueOrEmptyString(l, TagFromName.PatientAge);
      assertThat(age).matches("\\d{3}[DWMY]");
      ageUnits.add(age.charAt(3));
      manufacturers.add(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.Manufacturer));
      if (f.modality().equals("MR")) {
        String seq = Attribute.getSingleStringValueOrEmptyString(l, Ds.tag("SequenceName"));
        String prot = Attribute.getSingleStringValueOrEmptyString(l, TagFromName.ProtocolName);
        String desc = f.seriesDescription();
        String type = String.join("\\", f.imageType());
        if (seq.contains("swi")) {
          swiSpellings.add("SequenceName:" + seq);
        }
        if (prot.contains("SWI") || prot.contains("swi")) {
          swiSpellings.add("ProtocolName:" + prot);
        }
        if (desc.contains("SWAN") || desc.contains("SWI")) {
          swiSpellings.add("SeriesDescription:" + desc);
        }
        if (type.contains("SWI")) {
          swiSpellings.add("ImageType:" + type);
        }
        assertThat(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.EchoTime))
            .isNotEmpty();
        assertThat(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.RepetitionTime))
            .isNotEmpty();
        assertThat(Attribute.getSingleStringValueOrEmptyString(l, Ds.tag("MagneticFieldStrength")))
            .isNotEmpty();
      }
    }
    assertThat(ageUnits).containsExactlyInAnyOrder('D', 'W', 'M', 'Y');
    assertThat(bodyParts).contains("BRIAN", "BRAIN", "");
    assertThat(swiSpellings.stream().map(s -> s.substring(0, s.indexOf(':'))).distinct().count())
        .as("SWI spelt in different tags: %s", swiSpellings)
        .isGreaterThanOrEqualTo(3);
    assertThat(charsets)
        .contains("", "ISO_IR 100", "ISO_IR 192", "\\ISO 2022 IR 87", "\\ISO 2022 IR 149");
    assertThat(manufacturers.size()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void contrastBolusCtRepeatsTheSameVolume() throws Exception {
    // full series are needed here: regenerate a CT-only slice of the archive at realistic counts
    Map<String, Double> mix = new LinkedHashMap<>();
    for (String k : SynthOptions.DEFAULT_MODALITY_MIX.keySet()) {
      mix.put(k, k.equals("CT") ? 1.0 : 0.0);
    }
    Path out = dir.resolve("ct");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(8)
            .seed(4)
            .modalityMix(mix)
            .imagesScale(0.25)
            .junkRate(0)
            .parquet(false)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(2)
            .build());
    GroundTruth ct = GroundTruth.read(out);
    Map<String, List<GroundTruth.FileEntry>> bolus = new LinkedHashMap<>();
    for (GroundTruth.FileEntry f : ct.instances()) {
      if ("Bolus tracking / multiphase".equals(f.seriesDescription())) {
        bolus.computeIfAbsent(f.seriesInstanceUid(), k -> new ArrayList<>()).add(f);
      }
    }
    assertThat(bolus).isNotEmpty();
    for (List<GroundTruth.FileEntry> series : bolus.values()) {
      Map<String, Set<String>> zByAcquisition = new HashMap<>();
      for (GroundTruth.FileEntry f : series) {
        AttributeList l = new AttributeList();
        l.read(ct.resolve(f).toString());
        String[] ipp = Attribute.getStringValues(l, TagFromName.ImagePositionPatient);
        String acq = Attribute.getSingleStringValueOrEmptyString(l, TagFromName.AcquisitionNumber);
        assertThat(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.ContrastBolusAgent))
            .isNotEmpty();
        zByAcquisition.computeIfAbsent(acq, k -> new HashSet<>()).add(ipp[2]);
      }
      assertThat(zByAcquisition).hasSizeGreaterThanOrEqualTo(3);
      Set<String> first = zByAcquisition.values().iterator().next();
      assertThat(first.size()).isGreaterThan(1); // stepping through a volume
      for (Set<String> z : zByAcquisition.values()) {
        assertThat(z).isEqualTo(first); // the same volume, acquired again
      }
    }
  }
}
