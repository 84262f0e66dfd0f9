package org.imaginglakehouse.transform.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.transform.features.FeaturesTables;
import org.imaginglakehouse.transform.ocr.OcrTables;
import org.junit.jupiter.api.Test;

class KeyColumnsTest {

  @Test
  void everyPixelTableIsKeyedByDicomKeywords() {
    for (var schema :
        List.of(
            FeaturesTables.INSTANCE_SCHEMA,
            FeaturesTables.SERIES_SCHEMA,
            OcrTables.FLAGS_SCHEMA,
            OcrTables.TEXT_SCHEMA)) {
      List<String> names = Arrays.stream(schema.fields()).map(StructField::name).toList();
      assertThat(names).doesNotContainAnyElementsOf(KeyColumns.LEGACY.keySet());
      assertThat(KeyColumns.legacyRenames(names, "t", "lakehouse features")).isEmpty();
    }
    assertThat(Arrays.asList(FeaturesTables.INSTANCE_SCHEMA.fieldNames()))
        .startsWith(KeyColumns.SOP, KeyColumns.SERIES, KeyColumns.STUDY);
    assertThat(Arrays.asList(FeaturesTables.SERIES_SCHEMA.fieldNames()))
        .startsWith(KeyColumns.SERIES, KeyColumns.STUDY);
    assertThat(OcrTables.TEXT_SCHEMA.fieldNames()[0]).isEqualTo(KeyColumns.SOP);
  }

  @Test
  void legacyKeysAreRenamedInColumnOrder() {
    List<String> old =
        List.of("sop_instance_uid", "series_instance_uid", "study_instance_uid", "ocr_status");
    Map<String, String> renames =
        KeyColumns.legacyRenames(old, "pixel_text_flags", "lakehouse ocr");
    assertThat(renames)
        .containsExactly(
            Map.entry("sop_instance_uid", "SOPInstanceUID"),
            Map.entry("series_instance_uid", "SeriesInstanceUID"),
            Map.entry("study_instance_uid", "StudyInstanceUID"));
    assertThat(KeyColumns.legacyRenames(List.of("sop_instance_uid", "source"), "pixel_text", "x"))
        .containsExactly(Map.entry("sop_instance_uid", "SOPInstanceUID"));
  }

  @Test
  void aKeyUnderBothNamesIsRefusedWithTheCommandThatRebuildsTheTable() {
    assertThatThrownBy(
            () ->
                KeyColumns.legacyRenames(
                    List.of("SOPInstanceUID", "sop_instance_uid", "pixel_min"),
                    "pixel_features",
                    "lakehouse features"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("identifiable.pixel_features has both sop_instance_uid and")
        .hasMessageContaining("run `lakehouse features`");
  }

  @Test
  void readersFindTheKeyUnderEitherName() {
    assertThat(KeyColumns.resolve(List.of("SOPInstanceUID", "x"), KeyColumns.SOP, "t", "c"))
        .isEqualTo("SOPInstanceUID");
    assertThat(KeyColumns.resolve(List.of("x", "sop_instance_uid"), KeyColumns.SOP, "t", "c"))
        .isEqualTo("sop_instance_uid");
    assertThat(KeyColumns.resolve(List.of("series_instance_uid"), KeyColumns.SERIES, "t", "c"))
        .isEqualTo("series_instance_uid");
    assertThatThrownBy(
            () ->
                KeyColumns.resolve(
                    List.of("series_instance_uid", "file_checksum"),
                    KeyColumns.SOP,
                    "pixel_text_flags",
                    "lakehouse ocr"))
        .isInstanceOf(LakehouseException.class)
        .hasMessage(
            "identifiable.pixel_text_flags has no SOPInstanceUID column (nor the legacy"
                + " sop_instance_uid): run `lakehouse ocr` to migrate or rebuild it");
  }
}
