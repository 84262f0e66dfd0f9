package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.TagFromName;
import java.util.List;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

class DeidProfileTest {

  private static int tag(com.pixelmed.dicom.AttributeTag t) {
    return t.getGroup() << 16 | t.getElement();
  }

  @Test
  void defaultIsAllowListWithModifiedDates() {
    DeidProfile p = DeidProfile.defaults();
    assertThat(p.mode()).isEqualTo(DeidProfile.Mode.ALLOW_LIST);
    assertThat(p.options()).containsExactly(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES);
    assertThat(p.allowList())
        .contains(tag(TagFromName.PixelSpacing), tag(TagFromName.SOPInstanceUID))
        .doesNotContain(
            tag(TagFromName.StudyDescription),
            tag(TagFromName.SeriesDescription),
            tag(TagFromName.InstitutionName),
            tag(TagFromName.PatientBirthDate));
    assertThat(p.summary())
        .startsWith("PS3.15 2024b basic+rtnLongModifDates allow-list(default,")
        .doesNotContain("safe-private");
  }

  @Test
  void everyDefaultAllowListEntryIsAKnownKeyword() {
    List<String> entries = DeidProfile.defaultAllowList();
    assertThat(entries).hasSizeGreaterThan(150);
    assertThat(DeidProfile.tags(entries, "default")).hasSize(entries.size());
  }

  @Test
  void optionsAreReadFromProjectNamesColumnsOrEnumNames() {
    DeidProfile p =
        DeidProfile.builder()
            .options(
                List.of(
                    "retain-longitudinal-modified-dates",
                    "rtnPatCharsOpt",
                    "rtnDevId",
                    "CLEAN_DESCRIPTORS",
                    "Retain-Institution-Identity"))
            .mode("profile")
            .build();
    assertThat(p.options())
        .containsExactlyInAnyOrder(
            ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES,
            ProfileOption.RETAIN_PATIENT_CHARACTERISTICS,
            ProfileOption.RETAIN_DEVICE_IDENTITY,
            ProfileOption.CLEAN_DESCRIPTORS,
            ProfileOption.RETAIN_INSTITUTION_IDENTITY);
    assertThat(p.summary())
        .isEqualTo(
            "PS3.15 2024b basic+cleanDesc+rtnLongModifDates+rtnPatChars+rtnDevId+rtnInstId"
                + " profile-only");
  }

  @Test
  void unknownOptionNamesItAndListsTheValidOnes() {
    assertThatThrownBy(() -> DeidProfile.builder().options("retain-everything"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("Unknown de-identification option 'retain-everything'")
        .hasMessageContaining("retain-safe-private");
  }

  @Test
  void optionsThatWouldReleaseIdentifiableDataAreRefusedWithTheReason() {
    assertThatThrownBy(() -> DeidProfile.builder().options("retain-uids"))
        .hasMessageContaining("retain-uids is refused")
        .hasMessageContaining("pseudonym");
    assertThatThrownBy(() -> DeidProfile.builder().options("rtnLongFullDates"))
        .hasMessageContaining("refused")
        .hasMessageContaining("retain-longitudinal-modified-dates");
    assertThatThrownBy(() -> DeidProfile.builder().options("clean-pixel-data"))
        .hasMessageContaining("refused");
  }

  @Test
  void safePrivateNeedsItsOptionAndOverlaysNeedCleanGraphics() {
    assertThatThrownBy(
            () ->
                DeidProfile.builder()
                    .safePrivate(List.of("(0029,xx10) NHS SCOTLAND PACS 1.0"))
                    .build())
        .hasMessageContaining("retain-safe-private");
    assertThatThrownBy(() -> DeidProfile.builder().keepOverlays(true).build())
        .hasMessageContaining("clean-graphics");
    DeidProfile p =
        DeidProfile.builder()
            .options("retain-safe-private", "clean-graphics")
            .safePrivate(List.of("(0029,xx10) NHS SCOTLAND PACS 1.0"))
            .keepOverlays(true)
            .build();
    assertThat(p.safePrivate())
        .containsExactly(new SafePrivateTag(0x29, "NHS SCOTLAND PACS 1.0", 0x10));
    assertThat(p.summary()).contains("safe-private(1)").contains("+overlays");
  }

  @Test
  void profileSurvivesJavaSerialisationForSparkExecutors() throws Exception {
    DeidProfile p =
        DeidProfile.builder()
            .options("retain-longitudinal-modified-dates", "retain-safe-private")
            .safePrivate(List.of("(0029,xx10) NHS SCOTLAND PACS 1.0"))
            .build();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    DeidProfile back;
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      back = (DeidProfile) in.readObject();
    }
    assertThat(back.summary()).isEqualTo(p.summary());
    assertThat(back.allowList()).isEqualTo(p.allowList());
    assertThat(back.safePrivate()).isEqualTo(p.safePrivate());
    assertThat(back.options()).isEqualTo(p.options());
  }

  @Test
  void safePrivateEntriesAreValidated() {
    assertThatThrownBy(() -> SafePrivateTag.parse("(0028,xx10) X")).hasMessageContaining("odd");
    assertThatThrownBy(() -> SafePrivateTag.parse("0029,1010"))
        .hasMessageContaining("(gggg,xxee) PRIVATE CREATOR");
    assertThat(SafePrivateTag.parse("(0029,XX11)   ACME 1 ").toString())
        .isEqualTo("(0029,xx11) ACME 1");
  }

  @Test
  void projectAllowListReplacesTheDefaultAndRejectsUnknownKeywords() {
    DeidProfile p =
        DeidProfile.builder()
            .allowList("ct-only", List.of("KVP", "(0018,0050)", "00280030"))
            .build();
    assertThat(p.allowList())
        .contains(
            tag(com.pixelmed.dicom.DicomDictionary.StandardDictionary.getTagFromName("KVP")),
            tag(TagFromName.SliceThickness),
            tag(TagFromName.PixelSpacing),
            tag(TagFromName.Rows))
        .doesNotContain(tag(TagFromName.ConvolutionKernel));
    assertThat(p.allowListName()).isEqualTo("ct-only");
    assertThatThrownBy(
            () -> DeidProfile.builder().allowList("mine", List.of("PixelSpacing", "SliceThicknes")))
        .hasMessageContaining("'SliceThicknes'")
        .hasMessageContaining("allow-list 'mine'");
  }
}
