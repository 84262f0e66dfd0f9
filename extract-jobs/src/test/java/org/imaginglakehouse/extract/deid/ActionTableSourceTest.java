package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.extract.deid.ActionTable.Action;
import org.imaginglakehouse.extract.deid.ActionTable.Row;
import org.junit.jupiter.api.Test;

/**
 * The repository's Table E.1-1 against its source: {@code shared/reference/ps3.15/} beside the
 * repository (edition 2024b, innolitics/dicom-standard JSON), row by row.
 */
class ActionTableSourceTest {

  /** From the Maven module's basedir (extract-jobs): the repository's sibling shared/. */
  static final Path SOURCE =
      Path.of(System.getProperty("basedir", "."))
          .resolve("../../shared/reference/ps3.15/table-e.1-1-rev2024b.json")
          .normalize();

  @Test
  void everyRowOfTheSourceIsInTheResourceUnchanged() throws IOException {
    if (!Files.isRegularFile(SOURCE)) {
      fail(
          "The PS3.15 Table E.1-1 source is missing: expected "
              + SOURCE
              + " (shared/reference/ps3.15/ beside the repository, edition "
              + ActionTable.EDITION
              + "); check out shared/ next to the repository to run this test");
    }
    JsonNode source = new ObjectMapper().readTree(SOURCE.toFile());
    List<Row> rows = ActionTable.standard().rows();
    assertThat(rows).as("rows in the resource vs the source").hasSize(source.size());
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      JsonNode s = source.get(i);
      Row r = rows.get(i);
      String where = "row " + i + " " + s.get("tag").asText() + " " + s.get("name").asText();
      Map<String, String> options = new LinkedHashMap<>();
      s.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().endsWith("Opt")) {
                  options.put(e.getKey(), e.getValue().asText());
                }
              });
      if (!r.tag().equals(s.get("tag").asText().toUpperCase())) {
        problems.add(where + ": tag " + r.tag());
      }
      if (!r.name().equals(s.get("name").asText())) {
        problems.add(where + ": name " + r.name());
      }
      if (!r.basicProfile().equals(s.get("basicProfile").asText())) {
        problems.add(where + ": basicProfile " + r.basicProfile());
      }
      if (!r.stdCompIod().equals(s.get("stdCompIOD").asText())) {
        problems.add(where + ": stdCompIOD " + r.stdCompIod());
      }
      if (!r.optionActions().equals(options)) {
        problems.add(where + ": options " + r.optionActions() + " vs source " + options);
      }
    }
    assertThat(problems).as("rows differing from the source").isEmpty();
  }

  @Test
  void theResourceIsTheSourceByteForByte() throws IOException {
    if (!Files.isRegularFile(SOURCE)) {
      fail("The PS3.15 Table E.1-1 source is missing: expected " + SOURCE);
    }
    try (InputStream in = ActionTable.class.getResourceAsStream(ActionTable.RESOURCE)) {
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(SOURCE));
    }
  }

  @Test
  void everyStandardTagOfTheTableIsFoundByLookup() {
    ActionTable t = ActionTable.standard();
    for (Row r : t.rows()) {
      if (r.tag().equals(ActionTable.PRIVATE_ATTRIBUTES_TAG)) {
        continue;
      }
      int tag = (int) Long.parseLong(r.tag().replaceAll("[(),]", "").replace('X', '0'), 16);
      assertThat(t.row(tag)).as(r.tag()).contains(r);
    }
  }

  @Test
  void repeatingGroupsMatchTheirWildcardRows() {
    ActionTable t = ActionTable.standard();
    assertThat(t.row(0x50123000)).map(Row::name).contains("Curve Data");
    assertThat(t.row(0x501E0010)).map(Row::name).contains("Curve Data");
    assertThat(t.row(0x60023000)).map(Row::name).contains("Overlay Data");
    assertThat(t.row(0x601E4000)).map(Row::name).contains("Overlay Comments");
    assertThat(t.row(0x60020010)).isEmpty(); // Overlay Rows: not in the table
    assertThat(t.row(0x00280010)).isEmpty(); // Rows
    assertThat(t.privateAttributesRow().optionActions()).containsEntry("rtnSafePrivOpt", "C");
  }

  @Test
  void combinedCodesResolveToTheActionKeepingTheObjectValid() {
    assertThat(ActionTable.resolveBasic("X")).isEqualTo(Action.X);
    assertThat(ActionTable.resolveBasic("Z")).isEqualTo(Action.Z);
    assertThat(ActionTable.resolveBasic("X/Z")).isEqualTo(Action.Z);
    assertThat(ActionTable.resolveBasic("X/D")).isEqualTo(Action.D);
    assertThat(ActionTable.resolveBasic("Z/D")).isEqualTo(Action.D);
    assertThat(ActionTable.resolveBasic("X/Z/D")).isEqualTo(Action.D);
    assertThat(ActionTable.resolveBasic("X/Z/U*")).isEqualTo(Action.U);
    assertThat(ActionTable.resolveBasic("U")).isEqualTo(Action.U);
  }

  @Test
  void optionsChangeTheirRowsAndRetainingWinsOverCleaning() {
    ActionTable t = ActionTable.standard();
    Row studyDate = t.row(0x00080020).orElseThrow();
    assertThat(ActionTable.resolve(studyDate, Set.of())).isEqualTo(Action.Z);
    assertThat(
            ActionTable.resolve(
                studyDate, EnumSet.of(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES)))
        .isEqualTo(Action.C);
    Row age = t.row(0x00101010).orElseThrow();
    assertThat(ActionTable.resolve(age, Set.of())).isEqualTo(Action.X);
    assertThat(ActionTable.resolve(age, EnumSet.of(ProfileOption.RETAIN_PATIENT_CHARACTERISTICS)))
        .isEqualTo(Action.K);
    Row allergies = t.row(0x00102110).orElseThrow();
    assertThat(
            ActionTable.resolve(
                allergies,
                EnumSet.of(
                    ProfileOption.RETAIN_PATIENT_CHARACTERISTICS, ProfileOption.CLEAN_DESCRIPTORS)))
        .isEqualTo(Action.C);
    Row institution = t.row(0x00080080).orElseThrow();
    assertThat(ActionTable.resolve(institution, Set.of())).isEqualTo(Action.D);
    assertThat(
            ActionTable.resolve(institution, EnumSet.of(ProfileOption.RETAIN_INSTITUTION_IDENTITY)))
        .isEqualTo(Action.K);
  }

  @Test
  void everyRowResolvesUnderEveryOption() {
    for (Row r : ActionTable.standard().rows()) {
      assertThat(ActionTable.resolve(r, EnumSet.noneOf(ProfileOption.class))).isNotNull();
      assertThat(ActionTable.resolve(r, EnumSet.allOf(ProfileOption.class))).isNotNull();
    }
  }
}
