package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

class ProjectConfigTest {
  static ProjectConfig parse(String yaml) {
    return ProjectConfig.parse(yaml.getBytes(StandardCharsets.UTF_8), "test.yaml");
  }

  @Test
  void defaultsAreTheStrictOnes() {
    ProjectConfig c = parse("project: gbm\n");
    assertThat(c.cohorts()).isEmpty();
    assertThat(c.mayRead("anything")).isFalse();
    assertThat(c.modalities()).isEmpty();
    assertThat(c.imageTypes()).containsExactly("ORIGINAL\\PRIMARY");
    assertThat(c.sopClasses()).contains("1.2.840.10008.5.1.4.1.1.2").doesNotContain("*");
    assertThat(c.requireScreening()).contains("US", "SC", "OT");
    assertThat(c.pixelPolicy()).isEqualTo("reject");
    assertThat(c.profileMode()).isEqualTo("allow-list");
    assertThat(c.sha256()).hasSize(64);
  }

  @Test
  void readsEveryKey() {
    ProjectConfig c =
        parse(
            "project: gbm\ncohorts: ['*']\nmodalities: [mr, ct]\nlevel: series\n"
                + "image_types: ['*']\nprofile: {mode: profile, options: [rtnLongModifDates]}\n"
                + "metadata_columns: [Modality]\npixel: {require_screening: []}\n"
                + "opt_out: {file: /x/opt-out.txt}\n");
    assertThat(c.mayRead("any_cohort")).isTrue();
    assertThat(c.modalities()).containsExactly("MR", "CT");
    assertThat(c.level()).isEqualTo("series");
    assertThat(c.profileOptions()).containsExactly("rtnLongModifDates");
    assertThat(c.requireScreening()).isEmpty();
    assertThat(c.optOutFile()).isEqualTo("/x/opt-out.txt");
  }

  @Test
  void typosAndUnsupportedPoliciesAreErrorsNotSilentDefaults() {
    assertThatThrownBy(() -> parse("project: gbm\nmodality: [CT]\n"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("unknown key 'modality'");
    assertThatThrownBy(() -> parse("project: gbm\nprofile: {optons: []}\n"))
        .hasMessageContaining("unknown key 'optons'");
    assertThatThrownBy(() -> parse("project: gbm\npixel: {policy: blur}\n"))
        .hasMessageContaining("`reject`")
        .hasMessageContaining("`redact`");
    assertThatThrownBy(() -> parse("project: gbm\npixel: {redact_lossy: maybe}\n"))
        .hasMessageContaining("true or false");
    assertThatThrownBy(
            () ->
                parse(
                    "project: gbm\npixel:\n  signature_rules:\n"
                        + "    - {name: a, when: {Rows: 1}, regions: [[0, 0, 0, 5]]}\n"))
        .hasMessageContaining("positive size");
    assertThatThrownBy(() -> parse("cohorts: [a]\n")).hasMessageContaining("project: <name>");
    assertThatThrownBy(() -> parse("project: Bad-Name\n")).hasMessageContaining("Invalid project");
    assertThatThrownBy(() -> parse("project: [unclosed\n")).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> parse("project: gbm\nlevel: patient\n"))
        .hasMessageContaining("study, series or image");
  }

  @Test
  void redactPolicyReadsTheSitesSignatureRulesAfterTheShippedOnes() {
    ProjectConfig defaults = parse("project: gbm\n");
    assertThat(defaults.redacts()).isFalse();
    assertThat(defaults.redaction().allowLossy()).isFalse();
    int shipped = defaults.redaction().rules().rules().size();
    assertThat(shipped).isPositive();
    ProjectConfig c =
        parse(
            "project: gbm\npixel:\n  policy: redact\n  redact_lossy: true\n  margin: 3\n"
                + "  signature_rules:\n"
                + "    - name: site-us\n"
                + "      when: {Manufacturer: ACME*, Rows: 600}\n"
                + "      regions: [[0, 0, 800, 60]]\n");
    assertThat(c.redacts()).isTrue();
    assertThat(c.redaction().margin()).isEqualTo(3);
    assertThat(c.redaction().allowLossy()).isTrue();
    assertThat(c.redaction().rules().rules()).hasSize(shipped + 1);
    assertThat(c.redaction().rules().rules().get(shipped).name()).isEqualTo("site-us");
    ProjectConfig own =
        parse("project: gbm\npixel:\n  policy: redact\n  builtin_signature_rules: false\n");
    assertThat(own.redaction().rules().rules()).isEmpty();
  }

  @Test
  void linkedColumnsAreReadAndIdentifierLikeOnesRefused() {
    assertThat(parse("project: gbm\n").linkedColumns()).isEmpty();
    assertThat(
            parse("project: gbm\nlinked:\n  smr06: [icd10, diagnosis_date]\n  lab: hba1c\n")
                .linkedColumns())
        .containsExactly(
            java.util.Map.entry("lab", java.util.List.of("hba1c")),
            java.util.Map.entry("smr06", java.util.List.of("icd10", "diagnosis_date")));
    for (String column :
        java.util.List.of(
            "eupi",
            "CHI",
            "record_id",
            "PatientName",
            "birth_date",
            "home_postcode",
            "nhs_number")) {
      assertThatThrownBy(() -> parse("project: gbm\nlinked: {smr06: [" + column + "]}\n"))
          .as(column)
          .hasMessageContaining("may not list " + column);
    }
    assertThatThrownBy(() -> parse("project: gbm\nlinked: [smr06]\n"))
        .hasMessageContaining("must map a dataset to its columns");
    assertThatThrownBy(() -> parse("project: gbm\nlinked: {smr06: []}\n"))
        .hasMessageContaining("names no column");
    assertThatThrownBy(() -> parse("project: gbm\nlinked: {Bad-Set: [x]}\n"))
        .hasMessageContaining("linked dataset");
  }
}
