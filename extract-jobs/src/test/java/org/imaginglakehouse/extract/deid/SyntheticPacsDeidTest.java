package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.GroundTruth.FileEntry;
import org.imaginglakehouse.synth.GroundTruth.Patient;
import org.imaginglakehouse.synth.GroundTruth.PhiLocation;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real files: a small synthetic PACS with planted PHI, every valid instance read by
 * PixelMed, de-identified with the default profile, written back by PixelMed and checked against
 * the ground truth.
 */
class SyntheticPacsDeidTest {
  static final Sha256TestPseudonyms PSEUDONYMS = new Sha256TestPseudonyms("synthetic");
  static final Deidentifier DEID = new Deidentifier(DeidProfile.defaults(), PSEUDONYMS);

  @TempDir static Path dir;
  static GroundTruth gt;
  static final Map<String, AttributeList> sources = new LinkedHashMap<>();
  static final Map<String, byte[]> outputs = new LinkedHashMap<>();

  @BeforeAll
  static void generateAndDeidentify() throws Exception {
    Path pacs = dir.resolve("pacs");
    SyntheticPacs.generate(
        pacs,
        SynthOptions.builder()
            .patients(12)
            .seed(11)
            .layout(SynthOptions.Layout.FLAT)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .imagesScale(0.1)
            .parquet(false)
            .threads(1)
            .build());
    gt = GroundTruth.read(pacs);
    for (FileEntry f : gt.instances()) {
      AttributeList l = new AttributeList();
      l.setDecompressPixelData(
          false); // JPEG frames stay encapsulated, as the file writer copies them
      l.read(gt.resolve(f).toString());
      sources.put(f.path(), l);
      outputs.put(f.path(), write(DEID.deidentify(l, eupi(f))));
    }
  }

  /** The patient's EUPI, or a stand-in for the patients the mapping deliberately lacks. */
  static String eupi(FileEntry f) {
    Patient p = gt.patient(f.patientIndex());
    return p.eupi() != null ? p.eupi() : "TEST-EUPI-" + p.index();
  }

  static byte[] write(AttributeList l) throws Exception {
    String ts = Attribute.getSingleStringValueOrEmptyString(l, TagFromName.TransferSyntaxUID);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    l.write(out, ts, true, true);
    return out.toByteArray();
  }

  static AttributeList read(byte[] bytes) throws Exception {
    AttributeList l = new AttributeList();
    l.read(new DicomInputStream(new ByteArrayInputStream(bytes)));
    return l;
  }

  static void walk(AttributeList l, Consumer<Attribute> visit) {
    for (Attribute a : l.values()) {
      visit.accept(a);
      if (a instanceof SequenceAttribute s) {
        for (int i = 0; i < s.getNumberOfItems(); i++) {
          walk(s.getItem(i).getAttributeList(), visit);
        }
      }
    }
  }

  /** Every identifying value planted in or describing the file. */
  static Set<String> identifying(FileEntry f) {
    Patient p = gt.patient(f.patientIndex());
    Set<String> v = new LinkedHashSet<>();
    for (PhiLocation phi : f.phi()) {
      v.add(phi.value());
      if (phi.kind().equals("PATIENT_NAME") || phi.kind().equals("STAFF_NAME")) {
        v.addAll(List.of(phi.value().split("[\\^= ]+")));
      }
    }
    v.addAll(List.of(p.dicomName().split("[\\^=]+")));
    v.addAll(
        List.of(
            p.familyName(),
            p.givenName(),
            p.chi(),
            p.writtenPatientId(),
            p.birthDate().replace("-", ""),
            p.address(),
            p.postcode(),
            f.accessionNumber(),
            f.sopInstanceUid(),
            f.seriesInstanceUid(),
            f.studyInstanceUid()));
    v.removeIf(s -> s == null || s.strip().length() < (isAscii(s) ? 4 : 2));
    return v;
  }

  static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 128);
  }

  static Set<String> variants(String value) {
    Set<String> out = new LinkedHashSet<>();
    for (String s :
        List.of(value.strip(), value.strip().replace('^', ' '), value.strip().replace(' ', '^'))) {
      out.add(s);
      out.add(s.toUpperCase(Locale.ROOT));
      out.add(s.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void noIdentifyingValueIsLeftInTheBytesOrTheDecodedValues() throws Exception {
    List<String> leaks = new ArrayList<>();
    Charset latin1 = StandardCharsets.ISO_8859_1;
    for (FileEntry f : gt.instances()) {
      byte[] out = outputs.get(f.path());
      List<String> decoded = new ArrayList<>();
      walk(
          read(out),
          a -> {
            try {
              if (a instanceof com.pixelmed.dicom.StringAttribute && a.getStringValues() != null) {
                for (String s : a.getStringValues()) {
                  decoded.add(s.toUpperCase(Locale.ROOT).replace('^', ' '));
                }
              }
            } catch (DicomException e) {
              throw new IllegalStateException(e);
            }
          });
      for (String value : identifying(f)) {
        for (String v : variants(value)) {
          boolean inBytes =
              contains(out, v.getBytes(StandardCharsets.UTF_8))
                  || (latin1.newEncoder().canEncode(v) && contains(out, v.getBytes(latin1)));
          String norm = v.toUpperCase(Locale.ROOT).replace('^', ' ');
          if (inBytes || decoded.stream().anyMatch(d -> d.contains(norm))) {
            // the kind of value and the file, never the value itself in the report
            leaks.add(f.path() + ": a planted value of length " + v.length());
            break;
          }
        }
      }
    }
    assertThat(leaks).as("identifying values left").isEmpty();
    assertThat(gt.instances()).hasSizeGreaterThan(30);
  }

  @Test
  void noPrivateAttributeNoPersonNameButPatientNameAndNoAgeSurvive() throws Exception {
    int privateInSources = 0;
    for (AttributeList src : sources.values()) {
      int[] n = {0};
      walk(src, a -> n[0] += (a.getGroup() & 1));
      privateInSources += n[0];
    }
    assertThat(privateInSources).as("the synthetic files do carry private attributes").isPositive();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : outputs.entrySet()) {
      AttributeList out = read(e.getValue());
      walk(
          out,
          a -> {
            boolean isPatientName = a.getTag().equals(TagFromName.PatientName);
            if ((a.getGroup() & 1) == 1
                || (ValueRepresentation.isPersonNameVR(a.getVR())
                    && !isPatientName
                    && a.getVL() > 0)
                || ValueRepresentation.isAgeStringVR(a.getVR())
                || (a.getGroup() & 0xFF00) == 0x6000) {
              problems.add(e.getKey() + " " + a.getTag());
            }
          });
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void requiredAttributesArePresentWithTheirValues() throws Exception {
    for (FileEntry f : gt.instances()) {
      AttributeList out = read(outputs.get(f.path()));
      String pid = PSEUDONYMS.patientId(eupi(f));
      assertThat(Attribute.getSingleStringValueOrNull(out, TagFromName.PatientID)).isEqualTo(pid);
      assertThat(Attribute.getSingleStringValueOrNull(out, TagFromName.PatientName)).isEqualTo(pid);
      assertThat(Attribute.getSingleStringValueOrNull(out, TagFromName.PatientIdentityRemoved))
          .isEqualTo("YES");
      assertThat(
              Attribute.getSingleStringValueOrNull(
                  out, TagFromName.LongitudinalTemporalInformationModified))
          .isEqualTo("MODIFIED");
      assertThat(
              Attribute.getDelimitedStringValuesOrEmptyString(
                  out, TagFromName.DeidentificationMethod))
          .contains("2024b");
      assertThat(
              ((SequenceAttribute) out.get(TagFromName.DeidentificationMethodCodeSequence))
                  .getNumberOfItems())
          .isEqualTo(2);
    }
  }

  @Test
  void uidsMapConsistentlyAcrossFiles() throws Exception {
    Map<String, Set<String>> studyOut = new HashMap<>();
    for (FileEntry f : gt.instances()) {
      AttributeList out = read(outputs.get(f.path()));
      String sop = Attribute.getSingleStringValueOrNull(out, TagFromName.SOPInstanceUID);
      assertThat(sop).isEqualTo(PSEUDONYMS.uid(f.sopInstanceUid())).startsWith("2.25.");
      assertThat(Attribute.getSingleStringValueOrNull(out, TagFromName.MediaStorageSOPInstanceUID))
          .isEqualTo(sop);
      assertThat(Attribute.getSingleStringValueOrNull(out, TagFromName.SOPClassUID))
          .isEqualTo(f.sopClassUid());
      studyOut
          .computeIfAbsent(f.studyInstanceUid(), k -> new HashSet<>())
          .add(Attribute.getSingleStringValueOrNull(out, TagFromName.StudyInstanceUID));
      assertThat(Attribute.getSingleStringValueOrNull(out, TagFromName.SeriesInstanceUID))
          .isEqualTo(PSEUDONYMS.uid(f.seriesInstanceUid()));
    }
    assertThat(studyOut.values()).allSatisfy(s -> assertThat(s).hasSize(1));
    Set<String> distinct = new HashSet<>();
    studyOut.values().forEach(distinct::addAll);
    assertThat(distinct).hasSize(studyOut.size());
  }

  @Test
  void referencesInsideSequencesPointToTheReferencedFilesNewUids() throws Exception {
    // A derived image referencing two instances of another series, as a reformat would.
    List<FileEntry> images =
        gt.instances().stream().filter(f -> f.modality().equals("CT")).limit(3).toList();
    assumeTrue(images.size() == 3, "the archive holds CT images");
    AttributeList derived = (AttributeList) sources.get(images.get(2).path()).clone();
    SequenceAttribute refs = new SequenceAttribute(TagFromName.SourceImageSequence);
    for (FileEntry ref : images.subList(0, 2)) {
      AttributeList item = new AttributeList();
      Attribute cls = AttributeFactory.newAttribute(TagFromName.ReferencedSOPClassUID);
      cls.addValue(ref.sopClassUid());
      Attribute inst = AttributeFactory.newAttribute(TagFromName.ReferencedSOPInstanceUID);
      inst.addValue(ref.sopInstanceUid());
      item.put(cls);
      item.put(inst);
      refs.addItem(item);
    }
    derived.put(refs);
    AttributeList out = read(write(DEID.deidentify(derived, eupi(images.get(2)))));
    SequenceAttribute outRefs = (SequenceAttribute) out.get(TagFromName.SourceImageSequence);
    assertThat(outRefs.getNumberOfItems()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      AttributeList item = outRefs.getItem(i).getAttributeList();
      AttributeList referenced = read(outputs.get(images.get(i).path()));
      assertThat(Attribute.getSingleStringValueOrNull(item, TagFromName.ReferencedSOPInstanceUID))
          .isEqualTo(Attribute.getSingleStringValueOrNull(referenced, TagFromName.SOPInstanceUID));
      assertThat(Attribute.getSingleStringValueOrNull(item, TagFromName.ReferencedSOPClassUID))
          .isEqualTo(images.get(i).sopClassUid());
    }
  }

  @Test
  void everyIntervalBetweenAPatientsDatesIsUnchanged() throws Exception {
    DateTimeFormatter basic = DateTimeFormatter.BASIC_ISO_DATE;
    Map<Integer, Set<Long>> offsets = new HashMap<>();
    Map<Integer, Integer> pairs = new HashMap<>();
    for (FileEntry f : gt.instances()) {
      AttributeList src = sources.get(f.path());
      AttributeList out = read(outputs.get(f.path()));
      for (Attribute a : src.values()) {
        boolean da = ValueRepresentation.isDateVR(a.getVR());
        boolean dt = ValueRepresentation.isDateTimeVR(a.getVR());
        Attribute o = out.get(a.getTag());
        String before = a.getSingleStringValueOrEmptyString();
        // removed or emptied dates (not on the allow-list) have no interval to keep
        if ((!da && !dt)
            || o == null
            || before.length() < 8
            || o.getSingleStringValueOrEmptyString().isEmpty()) {
          continue;
        }
        LocalDate b = LocalDate.parse(before.substring(0, 8), basic);
        LocalDate n = LocalDate.parse(o.getSingleStringValueOrEmptyString().substring(0, 8), basic);
        offsets
            .computeIfAbsent(f.patientIndex(), k -> new TreeSet<>())
            .add(ChronoUnit.DAYS.between(b, n));
        pairs.merge(f.patientIndex(), 1, Integer::sum);
        if (dt) {
          assertThat(o.getSingleStringValueOrEmptyString().substring(8))
              .isEqualTo(before.substring(8));
        }
      }
    }
    assertThat(offsets).hasSizeGreaterThan(5);
    for (Map.Entry<Integer, Set<Long>> e : offsets.entrySet()) {
      Patient p = gt.patient(e.getKey());
      String eupi = p.eupi() != null ? p.eupi() : "TEST-EUPI-" + p.index();
      // one offset per patient (so every interval is preserved), the patient's keyed shift
      assertThat(e.getValue())
          .as("patient %d, %d dates", p.index(), pairs.get(e.getKey()))
          .containsExactly((long) PSEUDONYMS.dayShift(eupi));
    }
  }

  @Test
  void concurrentUseGivesTheSameBytesAsSequentialUse() throws Exception {
    Map<String, byte[]> parallel = new java.util.concurrent.ConcurrentHashMap<>();
    sources.entrySet().parallelStream()
        .forEach(
            e -> {
              try {
                FileEntry f = gt.file(e.getKey());
                parallel.put(e.getKey(), write(DEID.deidentify(e.getValue(), eupi(f))));
              } catch (Exception x) {
                throw new IllegalStateException(x);
              }
            });
    for (String path : sources.keySet()) {
      assertThat(parallel.get(path)).as(path).isEqualTo(outputs.get(path));
    }
  }

  @Test
  void safeListedPrivateElementIsTheOnlyPrivateOneKept() throws Exception {
    Deidentifier safe =
        new Deidentifier(
            DeidProfile.builder()
                .options("retain-longitudinal-modified-dates", "retain-safe-private")
                .safePrivate(List.of("(0029,xx10) NHS SCOTLAND PACS 1.0"))
                .build(),
            PSEUDONYMS);
    int kept = 0;
    for (Map.Entry<String, AttributeList> e : sources.entrySet()) {
      AttributeList src = e.getValue();
      AttributeList out = read(write(safe.deidentify(src, eupi(gt.file(e.getKey())))));
      for (Attribute a : out.values()) {
        if ((a.getGroup() & 1) == 1) {
          assertThat(a.getGroup()).isEqualTo(0x0029);
          if (a.getElement() >= 0x1000) {
            assertThat(a.getElement() & 0xFF).isEqualTo(0x10);
            assertThat(out.getPrivateCreatorString(a.getTag())).isEqualTo("NHS SCOTLAND PACS 1.0");
            kept++;
          }
        }
      }
    }
    assertThat(kept).isPositive();
  }

  @Test
  void dcmdumpReadsEveryOutputFile() throws Exception {
    Path dcmdump = Path.of("/usr/bin/dcmdump");
    assumeTrue(Files.isExecutable(dcmdump), "dcmtk's dcmdump is installed");
    Path outDir = Files.createDirectories(dir.resolve("out"));
    List<String> cmd = new ArrayList<>(List.of(dcmdump.toString()));
    int i = 0;
    for (byte[] b : outputs.values()) {
      Path p = outDir.resolve(String.format(Locale.ROOT, "%05d.dcm", i++));
      Files.write(p, b);
      cmd.add(p.toString());
    }
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] output = proc.getInputStream().readAllBytes();
    assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
    List<String> errors =
        new String(output, StandardCharsets.ISO_8859_1)
            .lines()
            .map(String::strip)
            .filter(l -> !l.startsWith("(") && !l.startsWith("#") && !l.isEmpty())
            .toList();
    assertThat(errors).as("dcmdump errors and warnings").isEmpty();
    assertThat(proc.exitValue()).isZero();
  }
}
