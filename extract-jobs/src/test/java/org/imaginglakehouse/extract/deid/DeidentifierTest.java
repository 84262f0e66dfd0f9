package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

/** Rule by rule, on a hand-built CT header holding every kind of attribute the rules tell apart. */
class DeidentifierTest {
  static final String EUPI = "EUPI-0001";
  static final Sha256TestPseudonyms PSEUDONYMS = new Sha256TestPseudonyms("unit");
  static final String CT = "1.2.840.10008.5.1.4.1.1.2";
  static final String SOP = "1.2.826.0.1.3680043.99.1.1";
  static final String STUDY = "1.2.826.0.1.3680043.99.1";
  static final String REFERENCED = "1.2.826.0.1.3680043.99.1.7";
  static final AttributeTag PRIVATE_CREATOR = new AttributeTag(0x0029, 0x0010);
  static final AttributeTag PRIVATE_CHI = new AttributeTag(0x0029, 0x1010);
  static final AttributeTag PRIVATE_NAME = new AttributeTag(0x0029, 0x1011);
  static final AttributeTag OVERLAY_ROWS = new AttributeTag(0x6000, 0x0010);
  static final AttributeTag OVERLAY_DATA = new AttributeTag(0x6000, 0x3000);
  static final AttributeTag CURVE_DATA = new AttributeTag(0x5000, 0x3000);
  static final AttributeTag GROUP_LENGTH_0008 = new AttributeTag(0x0008, 0x0000);
  static final AttributeTag PERSON_NAME = new AttributeTag(0x0040, 0xA123);

  static void put(AttributeList l, AttributeTag t, String... values) throws DicomException {
    Attribute a = AttributeFactory.newAttribute(t);
    for (String v : values) {
      a.addValue(v);
    }
    l.put(a);
  }

  static AttributeList source() throws DicomException {
    AttributeList l = new AttributeList();
    put(l, TagFromName.SOPClassUID, CT);
    put(l, TagFromName.SOPInstanceUID, SOP);
    put(l, TagFromName.StudyInstanceUID, STUDY);
    put(l, TagFromName.SeriesInstanceUID, STUDY + ".2");
    put(l, TagFromName.FrameOfReferenceUID, STUDY + ".3");
    FileMetaInformation.addFileMetaInformation(
        l, TransferSyntax.ExplicitVRLittleEndian, "PACSNODE01");
    put(l, TagFromName.SpecificCharacterSet, "ISO_IR 100");
    put(l, TagFromName.Modality, "CT");
    put(l, TagFromName.PatientName, "SMITH^JOHN");
    put(l, TagFromName.PatientID, "0101601234");
    put(l, TagFromName.PatientBirthDate, "19600101");
    put(l, TagFromName.PatientAge, "054Y");
    put(l, TagFromName.PatientSex, "M");
    put(l, TagFromName.PatientAddress, "1 HIGH STREET");
    put(l, TagFromName.StudyDate, "20140315");
    put(l, TagFromName.StudyTime, "101500");
    put(l, TagFromName.SeriesDate, "201403");
    put(l, TagFromName.AcquisitionDateTime, "20140315101733.25+0000");
    put(l, TagFromName.DateOfLastCalibration, "20140101");
    put(l, TagFromName.AccessionNumber, "GGC14000123");
    put(l, TagFromName.InstitutionName, "QUEEN ELIZABETH UNIVERSITY HOSPITAL");
    put(l, TagFromName.ReferringPhysicianName, "JONES^ANNE");
    put(l, TagFromName.StudyDescription, "CT HEAD for Mr SMITH");
    put(l, TagFromName.SliceThickness, "5");
    put(l, TagFromName.Laterality, "R");
    put(l, TagFromName.Rows, "32");
    l.put(new LongStringAttribute(GROUP_LENGTH_0008));
    SequenceAttribute refs = new SequenceAttribute(TagFromName.ReferencedImageSequence);
    AttributeList item = new AttributeList();
    put(item, TagFromName.ReferencedSOPClassUID, CT);
    put(item, TagFromName.ReferencedSOPInstanceUID, REFERENCED);
    put(item, PERSON_NAME, "SMITH^JOHN");
    put(item, TagFromName.ContentDate, "20140316");
    refs.addItem(item);
    l.put(refs);
    SequenceAttribute request = new SequenceAttribute(TagFromName.RequestAttributesSequence);
    AttributeList ritem = new AttributeList();
    put(ritem, TagFromName.AccessionNumber, "GGC14000123");
    put(ritem, TagFromName.RequestedProcedureDescription, "CT HEAD for Mr SMITH");
    request.addItem(ritem);
    l.put(request);
    SequenceAttribute codes = new SequenceAttribute(TagFromName.AnatomicRegionSequence);
    codes.addItem(new CodedSequenceItem("T-A0100", "SRT", "Brain").getAttributeList());
    l.put(codes);
    l.put(new LongStringAttribute(PRIVATE_CREATOR));
    l.get(PRIVATE_CREATOR).addValue("NHS SCOTLAND PACS 1.0");
    l.put(new LongStringAttribute(PRIVATE_CHI));
    l.get(PRIVATE_CHI).addValue("0101601234");
    l.put(new LongStringAttribute(PRIVATE_NAME));
    l.get(PRIVATE_NAME).addValue("SMITH JOHN");
    UnsignedShortAttribute overlayRows = new UnsignedShortAttribute(OVERLAY_ROWS);
    overlayRows.addValue(32);
    l.put(overlayRows);
    OtherWordAttribute overlay = new OtherWordAttribute(OVERLAY_DATA);
    overlay.setValues(new short[64]);
    l.put(overlay);
    OtherWordAttribute curve = new OtherWordAttribute(CURVE_DATA);
    curve.setValues(new short[4]);
    l.put(curve);
    return l;
  }

  /** The values joined by backslashes, "" for an empty attribute, null when absent. */
  static String value(AttributeList l, AttributeTag t) {
    Attribute a = l.get(t);
    return a == null ? null : a.getDelimitedStringValuesOrEmptyString();
  }

  static byte[] bytes(AttributeList l) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    l.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
    return out.toByteArray();
  }

  static Deidentifier deidentifier(DeidProfile p) {
    return new Deidentifier(p, PSEUDONYMS);
  }

  static String shifted(String date) {
    return DateShift.shiftDate(date, PSEUDONYMS.dayShift(EUPI));
  }

  @Test
  void defaultProfileRemovesMapsShiftsAndSetsTheRequiredAttributes() throws Exception {
    AttributeList src = source();
    AttributeList out = deidentifier(DeidProfile.defaults()).deidentify(src, EUPI);
    String pid = PSEUDONYMS.patientId(EUPI);

    assertThat(value(out, TagFromName.PatientID)).isEqualTo(pid);
    assertThat(value(out, TagFromName.PatientName)).isEqualTo(pid);
    assertThat(value(out, TagFromName.PatientIdentityRemoved)).isEqualTo("YES");
    assertThat(value(out, TagFromName.LongitudinalTemporalInformationModified))
        .isEqualTo("MODIFIED");
    assertThat(value(out, TagFromName.DeidentificationMethod))
        .isEqualTo(
            "PS3.15 Table E.1-1 2024b Basic Profile\\Retain Longitudinal Temporal Information"
                + " Modified Dates Option\\lakehouse allow-list default");
    SequenceAttribute methodCodes =
        (SequenceAttribute) out.get(TagFromName.DeidentificationMethodCodeSequence);
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < methodCodes.getNumberOfItems(); i++) {
      CodedSequenceItem c = new CodedSequenceItem(methodCodes.getItem(i).getAttributeList());
      codes.add(c.getCodeValue() + " " + c.getCodingSchemeDesignator() + " " + c.getCodeMeaning());
    }
    assertThat(codes)
        .containsExactly(
            "113100 DCM Basic Application Confidentiality Profile",
            "113107 DCM Retain Longitudinal Temporal Information Modified Dates Option");

    // UIDs mapped; class UIDs kept; file meta follows SOPInstanceUID
    assertThat(value(out, TagFromName.SOPInstanceUID)).isEqualTo(PSEUDONYMS.uid(SOP));
    assertThat(value(out, TagFromName.MediaStorageSOPInstanceUID)).isEqualTo(PSEUDONYMS.uid(SOP));
    assertThat(value(out, TagFromName.StudyInstanceUID)).isEqualTo(PSEUDONYMS.uid(STUDY));
    assertThat(value(out, TagFromName.FrameOfReferenceUID)).isEqualTo(PSEUDONYMS.uid(STUDY + ".3"));
    assertThat(value(out, TagFromName.SOPClassUID)).isEqualTo(CT);
    assertThat(value(out, TagFromName.MediaStorageSOPClassUID)).isEqualTo(CT);
    assertThat(value(out, TagFromName.TransferSyntaxUID))
        .isEqualTo(TransferSyntax.ExplicitVRLittleEndian);
    assertThat(out.get(TagFromName.SourceApplicationEntityTitle)).isNull();

    // dates shifted (partial kept partial), times and DT offsets kept; birth date emptied (Z)
    assertThat(value(out, TagFromName.StudyDate)).isEqualTo(shifted("20140315"));
    assertThat(value(out, TagFromName.SeriesDate)).isEqualTo(shifted("201403").substring(0, 6));
    assertThat(value(out, TagFromName.StudyTime)).isEqualTo("101500");
    assertThat(value(out, TagFromName.AcquisitionDateTime))
        .isEqualTo(shifted("20140315") + "101733.25+0000");
    assertThat(value(out, TagFromName.PatientBirthDate)).isEmpty();

    // identifying attributes: removed, or emptied when the table allows an empty value
    assertThat(value(out, TagFromName.AccessionNumber)).isEmpty();
    assertThat(value(out, TagFromName.ReferringPhysicianName)).isEmpty();
    assertThat(out.get(TagFromName.PatientAddress)).isNull();
    assertThat(out.get(TagFromName.PatientAge)).isNull();
    assertThat(out.get(TagFromName.StudyDescription)).isNull();
    assertThat(value(out, TagFromName.InstitutionName)).isEmpty();
    assertThat(out.get(TagFromName.RequestAttributesSequence)).isNull();
    // not on the default allow-list, though the table would release it shifted
    assertThat(out.get(TagFromName.DateOfLastCalibration)).isNull();
    // on the list and not in the table: kept with its items
    assertThat(
            new CodedSequenceItem(
                    ((SequenceAttribute) out.get(TagFromName.AnatomicRegionSequence))
                        .getItem(0)
                        .getAttributeList())
                .getCodeMeaning())
        .isEqualTo("Brain");
    assertThat(value(out, TagFromName.SliceThickness)).isEqualTo("5");
    assertThat(value(out, TagFromName.Laterality)).isEqualTo("R");

    // private, overlays, curves, group lengths
    assertThat(out.get(PRIVATE_CREATOR)).isNull();
    assertThat(out.get(PRIVATE_CHI)).isNull();
    assertThat(out.get(OVERLAY_DATA)).isNull();
    assertThat(out.get(OVERLAY_ROWS)).isNull();
    assertThat(out.get(CURVE_DATA)).isNull();
    assertThat(out.get(GROUP_LENGTH_0008)).isNull();

    // inside the sequence: reference mapped, class kept, name emptied (D, not listed), date shifted
    AttributeList item =
        ((SequenceAttribute) out.get(TagFromName.ReferencedImageSequence))
            .getItem(0)
            .getAttributeList();
    assertThat(value(item, TagFromName.ReferencedSOPInstanceUID))
        .isEqualTo(PSEUDONYMS.uid(REFERENCED));
    assertThat(value(item, TagFromName.ReferencedSOPClassUID)).isEqualTo(CT);
    assertThat(value(item, PERSON_NAME)).isEmpty();
    assertThat(value(item, TagFromName.ContentDate)).isEqualTo(shifted("20140316"));

    String text = new String(bytes(out), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text)
        .doesNotContain(
            "SMITH",
            "JONES",
            "0101601234",
            "GGC14000123",
            "HIGH STREET",
            "QUEEN ELIZABETH",
            "PACSNODE01",
            SOP,
            STUDY,
            "20140315",
            "19600101");
  }

  @Test
  void sourceIsNotModified() throws Exception {
    AttributeList src = source();
    byte[] before = bytes(src);
    deidentifier(DeidProfile.defaults()).deidentify(src, EUPI);
    assertThat(bytes(src)).isEqualTo(before);
  }

  @Test
  void fileMetaGroupLengthIsRecomputed() throws Exception {
    AttributeList out = deidentifier(DeidProfile.defaults()).deidentify(source(), EUPI);
    AttributeList expected = new AttributeList();
    FileMetaInformation.addFileMetaInformation(
        expected, CT, PSEUDONYMS.uid(SOP), TransferSyntax.ExplicitVRLittleEndian, null);
    assertThat(expected.get(TagFromName.SourceApplicationEntityTitle)).isNull();
    assertThat(out.get(TagFromName.FileMetaInformationGroupLength).getSingleLongValueOrDefault(-1))
        .isEqualTo(
            expected
                .get(TagFromName.FileMetaInformationGroupLength)
                .getSingleLongValueOrDefault(-2));
  }

  @Test
  void profileModeKeepsWhatTheTableDoesNotListButStillRemovesIdentifiers() throws Exception {
    DeidProfile p = DeidProfile.builder().mode(DeidProfile.Mode.PROFILE).build();
    Deidentifier.Result r = deidentifier(p).deidentifyCounting(source(), EUPI);
    AttributeList out = r.attributes();
    assertThat(value(out, TagFromName.DateOfLastCalibration)).isEqualTo(shifted("20140101"));
    assertThat(out.get(TagFromName.AnatomicRegionSequence)).isNotNull();
    assertThat(out.get(TagFromName.StudyDescription)).isNull();
    assertThat(out.get(TagFromName.PatientAddress)).isNull();
    assertThat(out.get(TagFromName.RequestAttributesSequence)).isNull(); // X
    assertThat(out.get(PRIVATE_NAME)).isNull();
    assertThat(out.get(OVERLAY_DATA)).isNull();
    assertThat(value(out, TagFromName.DeidentificationMethod)).endsWith("lakehouse profile only");
    assertThat(r.counts())
        .containsKeys(
            Deidentifier.Outcome.UID_MAPPED,
            Deidentifier.Outcome.DATE_SHIFTED,
            Deidentifier.Outcome.PRIVATE_REMOVED,
            Deidentifier.Outcome.SEQUENCE_RECURSED,
            Deidentifier.Outcome.EMPTIED)
        .doesNotContainKey(Deidentifier.Outcome.NOT_ALLOWED);
    assertThat(r.counts().get(Deidentifier.Outcome.PRIVATE_REMOVED)).isEqualTo(3);
  }

  @Test
  void attributesUnknownToTableAndDictionaryAreRemovedUnlessListedByTag() throws Exception {
    AttributeTag unknown = new AttributeTag(0x4444, 0x0010);
    AttributeList src = source();
    src.put(new LongStringAttribute(unknown));
    src.get(unknown).addValue("opaque");
    DeidProfile profileOnly = DeidProfile.builder().mode(DeidProfile.Mode.PROFILE).build();
    assertThat(deidentifier(profileOnly).deidentify(src, EUPI).get(unknown)).isNull();
    assertThat(deidentifier(DeidProfile.defaults()).deidentify(src, EUPI).get(unknown)).isNull();
    List<String> entries = new ArrayList<>(DeidProfile.defaultAllowList());
    entries.add("(4444,0010)");
    DeidProfile listed = DeidProfile.builder().allowList("with-4444", entries).build();
    assertThat(value(deidentifier(listed).deidentify(src, EUPI), unknown)).isEqualTo("opaque");
  }

  @Test
  void cleanDescriptorsStillRemovesFreeTextThatCannotBeCleanedAutomatically() throws Exception {
    DeidProfile p =
        DeidProfile.builder()
            .mode(DeidProfile.Mode.PROFILE)
            .options("retain-longitudinal-modified-dates", "clean-descriptors")
            .build();
    AttributeList out = deidentifier(p).deidentify(source(), EUPI);
    assertThat(out.get(TagFromName.StudyDescription)).isNull();
    assertThat(value(out, TagFromName.DeidentificationMethod)).contains("Clean Descriptors Option");
  }

  @Test
  void patientCharacteristicsKeepAgeAndSexButNotTheBirthDate() throws Exception {
    DeidProfile p =
        DeidProfile.builder()
            .options("retain-longitudinal-modified-dates", "retain-patient-characteristics")
            .build();
    AttributeList out = deidentifier(p).deidentify(source(), EUPI);
    assertThat(value(out, TagFromName.PatientAge)).isEqualTo("054Y");
    assertThat(value(out, TagFromName.PatientSex)).isEqualTo("M");
    assertThat(value(out, TagFromName.PatientBirthDate)).isEmpty();
  }

  @Test
  void withoutADateOptionDatesAreEmptiedDummiedOrRemoved() throws Exception {
    DeidProfile p = DeidProfile.builder().options(List.of()).mode("profile").build();
    AttributeList out = deidentifier(p).deidentify(source(), EUPI);
    assertThat(value(out, TagFromName.StudyDate)).isEmpty(); // Z
    assertThat(value(out, TagFromName.StudyTime)).isEmpty(); // Z
    assertThat(value(out, TagFromName.AcquisitionDateTime)).isEqualTo("19000101000000"); // X/Z/D
    assertThat(value(out, TagFromName.SeriesDate)).isEqualTo("19000101"); // X/D
    assertThat(out.get(TagFromName.DateOfLastCalibration))
        .isNull(); // X/D but empty source? no: value rule
    assertThat(value(out, TagFromName.InstitutionName)).isEqualTo(Deidentifier.DUMMY_TEXT);
    assertThat(value(out, TagFromName.LongitudinalTemporalInformationModified))
        .isEqualTo("REMOVED");
    AttributeList item =
        ((SequenceAttribute) out.get(TagFromName.ReferencedImageSequence))
            .getItem(0)
            .getAttributeList();
    assertThat(value(item, TagFromName.ContentDate)).isEqualTo("19000101"); // Z/D
    assertThat(out.get(TagFromName.DeidentificationMethodCodeSequence).getVM()).isZero();
    assertThat(
            ((SequenceAttribute) out.get(TagFromName.DeidentificationMethodCodeSequence))
                .getNumberOfItems())
        .isEqualTo(1);
  }

  @Test
  void safePrivateKeepsOnlyTheDeclaredElementAndItsCreator() throws Exception {
    DeidProfile p =
        DeidProfile.builder()
            .options("retain-longitudinal-modified-dates", "retain-safe-private")
            .safePrivate(List.of("(0029,xx11) NHS SCOTLAND PACS 1.0"))
            .build();
    AttributeList out = deidentifier(p).deidentify(source(), EUPI);
    assertThat(value(out, PRIVATE_CREATOR)).isEqualTo("NHS SCOTLAND PACS 1.0");
    assertThat(value(out, PRIVATE_NAME)).isEqualTo("SMITH JOHN");
    assertThat(out.get(PRIVATE_CHI)).isNull();
    DeidProfile other =
        DeidProfile.builder()
            .options("retain-safe-private")
            .safePrivate(List.of("(0029,xx11) ANOTHER VENDOR"))
            .build();
    AttributeList none = deidentifier(other).deidentify(source(), EUPI);
    assertThat(none.get(PRIVATE_CREATOR)).isNull();
    assertThat(none.get(PRIVATE_NAME)).isNull();
  }

  @Test
  void overlaysAreKeptOnlyWhenTheProjectAsksUnderCleanGraphics() throws Exception {
    DeidProfile p =
        DeidProfile.builder()
            .options("retain-longitudinal-modified-dates", "clean-graphics")
            .keepOverlays(true)
            .build();
    AttributeList out = deidentifier(p).deidentify(source(), EUPI);
    assertThat(out.get(OVERLAY_DATA)).isNotNull();
    assertThat(out.get(OVERLAY_ROWS)).isNotNull();
    assertThat(out.get(CURVE_DATA)).isNull();
  }

  @Test
  void aFileWithoutEupiIsRefusedWithoutEchoingValues() {
    assertThatThrownBy(() -> deidentifier(DeidProfile.defaults()).deidentify(source(), " "))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("EUPI");
  }

  @Test
  void aDateThatCannotBeShiftedIsRemoved() throws Exception {
    AttributeList src = source();
    put(src, TagFromName.StudyDate, "15/03/2014");
    Deidentifier.Result r = deidentifier(DeidProfile.defaults()).deidentifyCounting(src, EUPI);
    assertThat(r.attributes().get(TagFromName.StudyDate)).isNull();
    assertThat(r.counts()).containsEntry(Deidentifier.Outcome.UNSHIFTABLE_DATE_REMOVED, 1);
  }
}
