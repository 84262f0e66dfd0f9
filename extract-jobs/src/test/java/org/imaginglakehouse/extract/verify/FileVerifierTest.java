package org.imaginglakehouse.extract.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.imaginglakehouse.extract.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileVerifier} on DICOM files written by PixelMed. */
class FileVerifierTest {
  @TempDir Path dir;

  static final String PROJECT_ID = "P-ABCDEFGHJKLMNPQR";

  static List<IdentifyingValues.Value> sourceValues(AttributeList source) {
    IdentifyingValues iv = new IdentifyingValues();
    for (AttributeTag t :
        List.of(
            TagFromName.PatientName,
            TagFromName.PatientID,
            TagFromName.PatientBirthDate,
            TagFromName.SOPInstanceUID,
            TagFromName.StudyInstanceUID)) {
      iv.add(
          com.pixelmed.dicom.DicomDictionary.StandardDictionary.getNameFromTag(t),
          new String(source.get(t).getVR(), StandardCharsets.US_ASCII),
          List.of(source.get(t).getSingleStringValueOrEmptyString()));
    }
    return List.copyOf(iv.values());
  }

  /** The CT de-identified the way an extract would: project values only. */
  static AttributeList deidentified(String sop) throws Exception {
    AttributeList list = TestDicom.ct(sop);
    list.put(attr(new PersonNameAttribute(TagFromName.PatientName), PROJECT_ID));
    list.put(attr(new LongStringAttribute(TagFromName.PatientID), PROJECT_ID));
    list.put(attr(new com.pixelmed.dicom.DateAttribute(TagFromName.PatientBirthDate), "18990101"));
    list.put(attr(new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), "2.25.11"));
    list.put(attr(new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), "2.25.12"));
    list.remove(new AttributeTag(0x0029, 0x1010));
    list.remove(new AttributeTag(0x0029, 0x0010));
    return list;
  }

  static <A extends com.pixelmed.dicom.Attribute> A attr(A a, String value) throws Exception {
    a.addValue(value);
    return a;
  }

  FileVerifier verifier(AttributeList source, Set<String> sops) {
    return new FileVerifier(sourceValues(source), sops, new DicomTools("dcmdump", "dciodvfy"));
  }

  @Test
  void aCleanFileHasNoFindingAndPassesTheExternalTools() throws Exception {
    AttributeList source = TestDicom.ct("1.2.826.0.1.3680043.9.7.1");
    Path src =
        TestDicom.write(source, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("src.dcm"));
    Path out =
        TestDicom.write(
            deidentified("2.25.13"), TransferSyntax.ExplicitVRLittleEndian, dir.resolve("out.dcm"));
    FileVerifier.FileReport r =
        verifier(TestDicom.ct("1.2.826.0.1.3680043.9.7.1"), Set.of("2.25.13"))
            .verifyDicom(
                PROJECT_ID + "/2.25.11/2.25.12/2.25.13.dcm",
                Files.readAllBytes(out),
                out,
                true,
                src);
    assertThat(r.failures()).isEmpty();
    assertThat(r.sha256()).isEqualTo(Failure.sha256(Files.readAllBytes(out)));
    assertThat(r.birthDate()).isEqualTo("18990101");
  }

  @Test
  void findsSourceValuesDetectorHitsBadReferencesAndAWrongPatientDirectory() throws Exception {
    AttributeList source = TestDicom.ct("1.2.826.0.1.3680043.9.7.2");
    AttributeList planted = deidentified("2.25.14");
    // The source name back in a description, a CHI in a comment, an original and a dangling
    // reference.
    planted.put(attr(new LongStringAttribute(TagFromName.StudyDescription), "for doe jane"));
    planted.put(attr(new LongStringAttribute(new AttributeTag(0x0029, 0x0010)), "ACME 1.0"));
    planted.put(attr(new LongStringAttribute(new AttributeTag(0x0029, 0x1020)), "see 0101801234?"));
    SequenceAttribute refs = new SequenceAttribute(TagFromName.ReferencedImageSequence);
    AttributeList item1 = new AttributeList();
    item1.put(
        attr(
            new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID),
            "1.2.826.0.1.3680043.9.7.99"));
    refs.addItem(item1);
    AttributeList item2 = new AttributeList();
    item2.put(
        attr(new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID), "2.25.999"));
    refs.addItem(item2);
    planted.put(refs);
    Path out =
        TestDicom.write(planted, TransferSyntax.ImplicitVRLittleEndian, dir.resolve("planted.dcm"));
    byte[] bytes = Files.readAllBytes(out);
    FileVerifier.FileReport r =
        verifier(source, Set.of("2.25.14"))
            .verifyDicom("OTHER/x/y/2.25.14.dcm", bytes, null, false, null);
    assertThat(r.failures())
        .extracting(Failure::check)
        .contains(
            Failure.Check.RESIDUAL_VALUE,
            Failure.Check.UNMAPPED_REFERENCE,
            Failure.Check.DANGLING_REFERENCE,
            Failure.Check.PATIENT_ID);
    Failure residual =
        r.failures().stream()
            .filter(f -> Failure.sha256("DOE JANE").equals(f.foundSha256()))
            .findFirst()
            .orElseThrow();
    assertThat(residual.check()).isEqualTo(Failure.Check.RESIDUAL_VALUE);
    assertThat(new String(bytes, (int) residual.offset(), 8, StandardCharsets.US_ASCII))
        .isEqualTo("doe jane");
    boolean chiValid = org.imaginglakehouse.core.identity.Chi.isValid("0101801234");
    if (chiValid) {
      assertThat(r.failures()).extracting(Failure::check).contains("detector_chi");
    }
    // Findings never carry the value itself.
    for (Failure f : r.failures()) {
      assertThat(f.toString())
          .doesNotContainIgnoringCase("doe")
          .doesNotContain("1.2.826.0.1.3680043.9.7.99");
    }
  }

  static AttributeList ct(String sop) {
    try {
      return TestDicom.ct(sop);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void eachFileIsSearchedForItsOwnSourceBirthDateWhenOneVerifierServesManyPatients()
      throws Exception {
    // Both files hold 1980-01-31 in a comment; only the first one's source was born that day. One
    // verifier, files alternating between the two patients: its cached per-file scanners must never
    // give one file the other's values.
    AttributeList planted = deidentified("2.25.14");
    planted.put(attr(new LongStringAttribute(TagFromName.ImageComments), "seen 19800131"));
    byte[] bytes =
        Files.readAllBytes(
            TestDicom.write(
                planted, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("planted.dcm")));
    FileVerifier verifier =
        new FileVerifier(List.of(), Set.of("2.25.14"), new DicomTools("dcmdump", "dciodvfy"));
    String path = PROJECT_ID + "/2.25.11/2.25.12/2.25.14.dcm";
    for (int round = 0; round < 3; round++) {
      FileVerifier.FileReport bornThatDay =
          verifier.verifyDicom(
              path, bytes, IdentifyingValues.birthDateValues("19800131"), null, false, null);
      FileVerifier.FileReport bornOtherDay =
          verifier.verifyDicom(
              path, bytes, IdentifyingValues.birthDateValues("19700615"), null, false, null);
      assertThat(bornThatDay.failures())
          .filteredOn(f -> f.check().equals(Failure.Check.RESIDUAL_VALUE))
          .extracting(Failure::foundSha256)
          .containsExactly(Failure.sha256("19800131"));
      assertThat(bornOtherDay.failures())
          .filteredOn(f -> f.check().equals(Failure.Check.RESIDUAL_VALUE))
          .isEmpty();
    }
  }

  @Test
  void nativePixelDataThatEndsTheFileIsScannedNotParsedAndAnythingAfterItIsParsed()
      throws Exception {
    for (String ts :
        List.of(TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian)) {
      byte[] bytes =
          Files.readAllBytes(TestDicom.write(deidentified("2.25.14"), ts, dir.resolve("n.dcm")));
      long[] at = {-1};
      new AttributeList()
          .read(
              new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(bytes)),
              (l, tag, offset) -> {
                if (at[0] < 0 && tag.equals(TagFromName.PixelData)) {
                  at[0] = offset;
                }
                return false;
              });
      boolean implicit = ts.equals(TransferSyntax.ImplicitVRLittleEndian);
      assertThat(FileVerifier.nativePixelDataEndsFile(bytes, at[0], implicit)).as(ts).isTrue();
      // A byte more (a truncated or padded file) or a wrong offset: the full parse.
      byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
      assertThat(FileVerifier.nativePixelDataEndsFile(longer, at[0], implicit)).isFalse();
      assertThat(FileVerifier.nativePixelDataEndsFile(bytes, at[0] + 2, implicit)).isFalse();
    }
    // An element after the pixels is parsed and checked: a CHI number in a private attribute.
    AttributeList after = deidentified("2.25.14");
    after.put(attr(new LongStringAttribute(new AttributeTag(0x7FE1, 0x0010)), "ACME 1.0"));
    after.put(attr(new LongStringAttribute(new AttributeTag(0x7FE1, 0x1001)), "see 0101801234?"));
    byte[] bytes =
        Files.readAllBytes(
            TestDicom.write(after, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("a.dcm")));
    FileVerifier.FileReport r =
        verifier(TestDicom.ct("1.2.826.0.1.3680043.9.7.5"), Set.of("2.25.14"))
            .verifyDicom(PROJECT_ID + "/2.25.11/2.25.12/2.25.14.dcm", bytes, null, false, null);
    assertThat(r.failures())
        .extracting(Failure::check)
        .anySatisfy(c -> assertThat(c).startsWith(Failure.Check.DETECTOR));
  }

  @Test
  void anUnparseableFileIsAFailureAndStillScanned() throws Exception {
    byte[] junk = "not dicom at all, DOE^JANE was here".getBytes(StandardCharsets.US_ASCII);
    FileVerifier.FileReport r =
        verifier(ct("1.2.826.0.1.3680043.9.7.3"), Set.of())
            .verifyDicom("x/a.dcm", junk, null, false, null);
    assertThat(r.failures())
        .extracting(Failure::check)
        .contains(Failure.Check.PARSE, Failure.Check.RESIDUAL_VALUE);
  }

  @Test
  void aShortValueBetweenAnIconImageAndThePixelDataIsFound() throws Exception {
    // One parse of the whole file: the pixel-data rule (values under 6 bytes do not count there)
    // starts at the top-level PixelData, not at the PixelData of an icon image nested before it.
    AttributeList list = deidentified("2.25.14");
    AttributeList icon = new AttributeList();
    icon.put(attr(new com.pixelmed.dicom.UnsignedShortAttribute(TagFromName.Rows), "8"));
    icon.put(attr(new com.pixelmed.dicom.UnsignedShortAttribute(TagFromName.Columns), "8"));
    com.pixelmed.dicom.OtherByteAttribute iconPixels =
        new com.pixelmed.dicom.OtherByteAttribute(TagFromName.PixelData);
    iconPixels.setValues(new byte[64]);
    icon.put(iconPixels);
    SequenceAttribute iconSequence = new SequenceAttribute(new AttributeTag(0x0088, 0x0200));
    iconSequence.addItem(icon);
    list.put(iconSequence);
    list.put(attr(new LongStringAttribute(new AttributeTag(0x0099, 0x0010)), "VERIFY TEST"));
    list.put(attr(new LongStringAttribute(new AttributeTag(0x0099, 0x1010)), "DR KAYE"));
    Path out =
        TestDicom.write(list, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("icon.dcm"));
    byte[] bytes = Files.readAllBytes(out);
    long at = FileVerifier.indexOf(bytes, "KAYE".getBytes(StandardCharsets.US_ASCII));
    long iconAt = FileVerifier.indexOf(bytes, new byte[] {(byte) 0x88, 0, 0, 2});
    assertThat(iconAt).isBetween(0L, at);
    FileVerifier verifier =
        new FileVerifier(
            List.of(new IdentifyingValues.Value("PatientName part", "Kaye")),
            Set.of(),
            new DicomTools("dcmdump", "dciodvfy"));
    assertThat(
            verifier
                .verifyDicom(PROJECT_ID + "/2.25.11/2.25.12/2.25.14.dcm", bytes, null, false, null)
                .failures())
        .extracting(Failure::check, Failure::offset)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Failure.Check.RESIDUAL_VALUE, at));
  }

  @Test
  void dcmdumpReadsManyFilesInOneProcessAndNamesTheFileItCannotRead() throws Exception {
    Path clean =
        TestDicom.write(
            deidentified("2.25.15"), TransferSyntax.ExplicitVRLittleEndian, dir.resolve("a.dcm"));
    byte[] bytes = Files.readAllBytes(clean);
    Path truncated =
        Files.write(dir.resolve("b.dcm"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
    Path other = Files.copy(clean, dir.resolve("c.dcm"));
    DicomTools tools = new DicomTools("dcmdump", "dciodvfy");
    assertThat(tools.dcmdumpProblem(truncated)).isNotNull();
    java.util.Map<Path, String> problems = tools.dcmdumpProblems(List.of(clean, truncated, other));
    assertThat(problems.keySet()).containsExactly(clean, truncated, other);
    assertThat(problems.get(truncated)).isEqualTo(tools.dcmdumpProblem(truncated));
    assertThat(problems.get(clean)).isNull();
    assertThat(problems.get(other)).isNull();
    List<Path> many = new java.util.ArrayList<>();
    for (int i = 0; i < DicomTools.DCMDUMP_BATCH + 3; i++) {
      many.add(Files.copy(clean, dir.resolve("many-" + i + ".dcm")));
    }
    many.set(DicomTools.DCMDUMP_BATCH + 1, truncated); // in the second batch
    java.util.Map<Path, String> ofMany = tools.dcmdumpProblems(many);
    assertThat(ofMany).hasSize(DicomTools.DCMDUMP_BATCH + 3);
    assertThat(ofMany.entrySet())
        .filteredOn(e -> e.getValue() != null)
        .extracting(java.util.Map.Entry::getKey)
        .containsExactly(truncated);
  }

  @Test
  void dciodvfyErrorLinesAreComparedWithoutValues() {
    assertThat(
            DicomTools.normalise(
                "Error - Value invalid for this VR - (0x0010,0x0030) DA Patient's Birth Date DA [1] = <19800101> - x"))
        .isEqualTo(
            "Error - Value invalid for this VR - (0x0010,0x0030) DA Patient's Birth Date DA [1] = …");
    assertThat(
            DicomTools.normalise(
                "Error - Missing attribute Type 2 Required Element=<StudyID> Module=<GeneralStudy>"))
        .contains("Element=<StudyID> Module=<GeneralStudy>");
    assertThat(
            DicomTools.normalise(
                "Error - Unrecognized enumerated value <SMITH> for value 1 of attribute <Laterality>"))
        .isEqualTo(
            "Error - Unrecognized enumerated value <…> for value 1 of attribute <Laterality>");
  }
}
