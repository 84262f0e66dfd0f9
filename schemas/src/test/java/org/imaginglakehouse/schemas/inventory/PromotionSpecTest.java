package org.imaginglakehouse.schemas.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromotionSpecTest {
  @TempDir Path dir;

  @Test
  void builtInTemplatesArePromotable() {
    PromotionSpec spec = PromotionSpec.builtIn();
    assertThat(spec.refusals()).isEmpty();
    assertThat(spec.templates())
        .extracting(Template::name)
        .containsExactly("CT", "MR", "US", "CR_DX", "MG", "PT", "NM", "XA_RF", "SR", "OTHER");
    assertThat(spec.templateFor("DX").name()).isEqualTo("CR_DX");
    assertThat(spec.templateFor("rf").name()).isEqualTo("XA_RF");
    assertThat(spec.templateFor("OT").name()).isEqualTo("OTHER");
    assertThat(spec.fingerprint()).hasSize(16);
    assertThat(spec.healthBoard("ROYAL INFIRMARY OF EDINBURGH")).isEqualTo("NHS Lothian");
    assertThat(spec.healthBoard("Ninewells  hospital")).isEqualTo("NHS Tayside");
  }

  @Test
  void sequenceValuesAreLiftedByPath() {
    TemplateColumn code =
        spec().templateFor("CT").columns(Level.SERIES).stream()
            .filter(c -> c.name().equals("ProcedureCodeSequence_CodeValue"))
            .findFirst()
            .orElseThrow();
    assertThat(code.headerPath()).isEqualTo("00081032[0].00080100");
    assertThat(code.vr()).isEqualTo("SH");
    assertThat(code.keywords()).containsExactly("ProcedureCodeSequence", "CodeValue");
    TemplateColumn kvp =
        spec().templateFor("CT").columns(Level.IMAGE).stream()
            .filter(c -> c.name().equals("KVP"))
            .findFirst()
            .orElseThrow();
    assertThat(kvp.headerPath()).isEqualTo("00180060");
    assertThat(kvp.type()).isEqualTo(ValueType.DOUBLE);
  }

  @Test
  void outputColumnsOfTransforms() {
    List<OutputColumn> study = spec().outputColumns(Level.STUDY);
    assertThat(study)
        .extracting(OutputColumn::name)
        .contains(
            "StudyDate",
            "StudyDescription_norm",
            "PatientAge_years",
            "PatientAge_unit",
            TemplateColumn.AGE_AT_STUDY_COLUMN,
            TemplateColumn.HEALTH_BOARD_COLUMN)
        .doesNotContain("PatientBirthDate", "PatientName", "PatientID");
    assertThat(spec().outputColumns(Level.IMAGE))
        .contains(
            new OutputColumn("ImageType", ValueType.STRING, true),
            new OutputColumn("ImageType_pixel_data", ValueType.STRING, false),
            new OutputColumn("ImagePositionPatient", ValueType.DOUBLE, true),
            new OutputColumn("AcquisitionTime", ValueType.TIME, false));
  }

  private static PromotionSpec spec() {
    return PromotionSpec.builtIn();
  }

  private Path copyBuiltIn() throws Exception {
    Files.createDirectories(dir.resolve("templates"));
    for (String name :
        List.of("study", "CT", "MR", "US", "CR_DX", "MG", "PT", "NM", "XA_RF", "SR", "OTHER")) {
      copy("templates/" + name + ".yaml");
    }
    copy("promotion-rules.yaml");
    return dir;
  }

  private void copy(String relative) throws Exception {
    try (var in = getClass().getClassLoader().getResourceAsStream("promote/" + relative)) {
      Files.write(dir.resolve(relative), in.readAllBytes());
    }
  }

  private void append(String relative, String text) throws Exception {
    Path file = dir.resolve(relative);
    Files.writeString(file, Files.readString(file).replace("image:\n", "image:\n" + text));
  }

  @Test
  void identifyingColumnsAreRefused() throws Exception {
    copyBuiltIn();
    append("templates/CT.yaml", "  - PatientName\n  - OperatorsName\n  - AccessionNumber\n");
    assertThatThrownBy(() -> PromotionSpec.load(dir).checkPromotable())
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("CT.image.PatientName: PatientName is identifying")
        .hasMessageContaining("CT.image.OperatorsName")
        .hasMessageContaining("CT.image.AccessionNumber: AccessionNumber is identifying");
  }

  @Test
  void birthDateOnlyWithAgeTransform() throws Exception {
    copyBuiltIn();
    Path study = dir.resolve("templates/study.yaml");
    Files.writeString(
        study,
        Files.readString(study)
            .replace("{column: PatientBirthDate, transform: age_at_study}", "PatientBirthDate"));
    assertThat(PromotionSpec.load(dir).refusals())
        .containsExactly(
            "study.study.PatientBirthDate: PatientBirthDate is identifying and may only be"
                + " promoted with transform [AGE_AT_STUDY]");
  }

  @Test
  void columnsOutsideTheAllowListAreRefusedAndFingerprintChanges() throws Exception {
    copyBuiltIn();
    String before = PromotionSpec.load(dir).fingerprint();
    append("templates/CT.yaml", "  - FocalSpots\n");
    PromotionSpec changed = PromotionSpec.load(dir);
    assertThat(changed.fingerprint()).isNotEqualTo(before);
    assertThat(changed.refusals())
        .singleElement()
        .asString()
        .contains("CT.image.FocalSpots: FocalSpots is not in the allow-list of template CT");
  }

  @Test
  void pixelColumnsAreImageOutputsOfTheirTemplates() {
    PromotionSpec spec = spec();
    assertThat(spec.templateFor("US").pixel()).contains("ocr_status", "burned_in_text");
    assertThat(spec.templateFor("SR").pixel()).isEmpty();
    assertThat(spec.outputColumns(Level.IMAGE))
        .contains(
            new OutputColumn("ocr_status", ValueType.STRING, false),
            new OutputColumn("burned_in_text", ValueType.BOOLEAN, false),
            new OutputColumn("pixel_decode_status", ValueType.STRING, false),
            new OutputColumn("pixel_mean", ValueType.DOUBLE, false));
    assertThat(spec.outputColumns(Level.SERIES))
        .extracting(OutputColumn::name)
        .doesNotContain("ocr_status");
    assertThat(spec.pixelColumns()).extracting(PixelColumn::name).doesNotContain("pixel_histogram");
  }

  @Test
  void nonPromotablePixelColumnsAreRefused() throws Exception {
    copyBuiltIn();
    String before = PromotionSpec.load(dir).fingerprint();
    Path us = dir.resolve("templates/US.yaml");
    Files.writeString(
        us,
        Files.readString(us)
            .replace(
                "pixel:\n",
                "pixel:\n  - word\n  - box_left\n  - confidence\n  - decode_reason\n"
                    + "  - matched_identity\n  - ocr_text\n"));
    Path study = dir.resolve("templates/study.yaml");
    Files.writeString(study, Files.readString(study) + "pixel:\n  - ocr_status\n");
    PromotionSpec changed = PromotionSpec.load(dir);
    assertThat(changed.fingerprint()).isNotEqualTo(before);
    assertThat(changed.refusals())
        .containsExactly(
            "study.pixel.ocr_status: pixel columns are image-level: list them in the modality"
                + " templates",
            "US.pixel.word: word is OCR text content (identifiable.pixel_text) and is never"
                + " promoted",
            "US.pixel.box_left: box_left is an OCR word box/confidence (identifiable.pixel_text)"
                + " and is never promoted",
            "US.pixel.confidence: confidence is an OCR word box/confidence"
                + " (identifiable.pixel_text) and is never promoted",
            "US.pixel.decode_reason: decode_reason is free text that may hold file paths or"
                + " identifiers and is never promoted",
            "US.pixel.matched_identity: matched_identity names the kinds of identity matched;"
                + " promote ocr_identity_match or burned_in_text",
            "US.pixel.ocr_text: ocr_text is not a promotable pixel column (promotable: "
                + String.join(", ", PixelColumn.CATALOG.keySet())
                + ")");
    assertThatThrownBy(changed::checkPromotable)
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("Promotion refused")
        .hasMessageContaining("US.pixel.word");
  }

  @Test
  void pixelColumnsNeedTheRulesApproval() throws Exception {
    copyBuiltIn();
    Path rules = dir.resolve("promotion-rules.yaml");
    Files.writeString(
        rules,
        Files.readString(rules)
            .replace("  - burned_in_text\n", "")
            .replace("  - pixel_max\n", "  - pixel_max\n  - word\n"));
    assertThat(PromotionSpec.load(dir).refusals())
        .contains(
            "promotion-rules.yaml.allowed_pixel_columns.word: word is OCR text content"
                + " (identifiable.pixel_text) and is never promoted",
            "US.pixel.burned_in_text: burned_in_text is a promotable pixel column but not in"
                + " allowed_pixel_columns of the promotion rules");
  }

  @Test
  void unknownKeywordsAndNonSequencesFail() throws Exception {
    copyBuiltIn();
    append("templates/CT.yaml", "  - NoSuchKeyword\n");
    assertThatThrownBy(() -> PromotionSpec.load(dir))
        .hasMessageContaining("'NoSuchKeyword' (in NoSuchKeyword) is not a DICOM keyword");
    copyBuiltIn();
    append("templates/CT.yaml", "  - Modality_CodeValue\n");
    assertThatThrownBy(() -> PromotionSpec.load(dir)).hasMessageContaining("is not a sequence");
  }
}
