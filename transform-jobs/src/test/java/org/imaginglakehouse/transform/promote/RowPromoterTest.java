package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.imaginglakehouse.schemas.inventory.DicomValues;
import org.imaginglakehouse.schemas.inventory.OutputColumn;
import org.imaginglakehouse.schemas.inventory.Tokens;
import org.imaginglakehouse.schemas.inventory.ValueType;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java rules that compute promoted values, one row at a time: typing, malformed values,
 * template gating, identity scrubbing, and the transforms. (The Spark tests run them on whole
 * tables; a benchmark run compared every table with the SQL-expression version they replaced.)
 */
class RowPromoterTest {
  private static final String NAME = "SMITH^JOHN";
  private static final String CHI = "0101701234";
  private static final String BIRTH = "19700101";
  private static final String ACCESSION = "ACC99";

  /** Inputs: template, identity, then {@code values}. */
  private static RowPromoter.Inputs input(String template, Object... values) {
    List<Object> row = new ArrayList<>(Arrays.asList(template, NAME, CHI, BIRTH, ACCESSION));
    row.addAll(Arrays.asList(values));
    return row::get;
  }

  private static int in(int i) {
    return RowPromoter.FIXED_INPUTS + i;
  }

  private static RowPromoter.Source scalar(int i) {
    return new RowPromoter.Source(in(i), false, -1);
  }

  private static RowPromoter.Source array(int i) {
    return new RowPromoter.Source(in(i), true, -1);
  }

  private static RowPromoter.Slot slot(int i, String name, ValueType type, boolean array) {
    return RowPromoter.Slot.of(i, new OutputColumn(name, type, array));
  }

  /** An untransformed column writing output {@code slot}, named like its source. */
  private static RowPromoter.Typed typed(
      int slot,
      Set<String> templates,
      RowPromoter.Source source,
      boolean multi,
      ValueType type,
      String name) {
    return new RowPromoter.Typed(
        templates, source, multi, type, name, slot(slot, name, type, multi));
  }

  /**
   * Promotes {@code row} with {@code rules} reading {@code inputs} values, {@code outputs} out; the
   * result as a row whose first column is a placeholder, so output slot {@code i} is column {@code
   * i + 1} and the malformed names are the last column.
   */
  private static Row promote(
      List<RowPromoter.Rule> rules, int inputs, int outputs, RowPromoter.Inputs row) {
    Object[] values =
        new RowPromoter(rules, RowPromoter.FIXED_INPUTS + inputs, outputs).promote(row);
    assertThat(values).hasSize(outputs + 1);
    List<Object> out = new ArrayList<>();
    out.add("slot -1");
    out.addAll(Arrays.asList(values));
    return RowFactory.create(out.toArray());
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Row out, int i) {
    return (List<Object>) out.get(i);
  }

  @Test
  void malformedValuesBecomeNullAndAreNamedButBlankValuesAreNot() {
    List<RowPromoter.Rule> rules =
        List.of(
            typed(0, null, scalar(0), false, ValueType.DATE, "StudyDate"),
            typed(1, null, scalar(1), false, ValueType.DOUBLE, "SliceThickness"),
            typed(2, null, scalar(2), false, ValueType.INT, "SeriesNumber"));
    Row bad = promote(rules, 3, 3, input("CT", "1997.04.24", "abc", "   "));
    assertThat(bad.isNullAt(1)).isTrue();
    assertThat(bad.isNullAt(2)).isTrue();
    assertThat(bad.isNullAt(3)).isTrue();
    assertThat(list(bad, 4)).containsExactly("StudyDate", "SliceThickness");

    Row good = promote(rules, 3, 3, input("CT", "19970424", " 2.5 ", "7"));
    assertThat(good.get(1)).isEqualTo(Date.valueOf(LocalDate.of(1997, 4, 24)));
    assertThat(good.get(2)).isEqualTo(2.5);
    assertThat(good.get(3)).isEqualTo(7);
    assertThat(list(good, 4)).isEmpty();
  }

  @Test
  void multiValuedColumnsAreTypedElementByElementAndOneBadElementMarksTheColumn() {
    List<RowPromoter.Rule> rules =
        List.of(typed(0, null, array(0), true, ValueType.DOUBLE, "PixelSpacing"));
    Row out = promote(rules, 1, 1, input("CT", Arrays.asList("0.5", "x", null)));
    assertThat(list(out, 1)).containsExactly(0.5, null, null);
    assertThat(list(out, 2)).containsExactly("PixelSpacing");
    // A null element alone is unknown, not malformed (SQL's exists()).
    Row nulls = promote(rules, 1, 1, input("CT", Arrays.asList("0.5", null)));
    assertThat(list(nulls, 2)).isEmpty();
    Row missing = promote(rules, 1, 1, input("CT", (Object) null));
    assertThat(missing.isNullAt(1)).isTrue();
  }

  @Test
  void aColumnIsNullForTemplatesThatDoNotAskForItAndItsMalformedValueIsNotCounted() {
    List<RowPromoter.Rule> rules =
        List.of(typed(0, Set.of("CT"), scalar(0), false, ValueType.DOUBLE, "KVP"));
    assertThat(promote(rules, 1, 1, input("CT", "120")).get(1)).isEqualTo(120.0);
    Row mr = promote(rules, 1, 1, input("MR", "abc"));
    assertThat(mr.isNullAt(1)).isTrue();
    assertThat(list(mr, 2)).isEmpty();
    assertThat(promote(rules, 1, 1, input(null, "120")).isNullAt(1)).isTrue();
  }

  @Test
  void textIsTrimmedAndScrubbedOfThePatientsIdentityButUidsAreNot() {
    List<RowPromoter.Rule> rules =
        List.of(
            typed(0, null, scalar(0), false, ValueType.STRING, "StudyDescription"),
            typed(1, null, scalar(1), false, ValueType.STRING, "FrameOfReferenceUID"));
    Row out = promote(rules, 2, 2, input("CT", "  CT head Mr Smith  ", "1.2.3.0101701234"));
    assertThat(out.getString(1)).isEqualTo("CT head Mr " + IdentityScrubber.REMOVED);
    assertThat(out.getString(2)).isEqualTo("1.2.3.0101701234");
    assertThat(promote(rules, 2, 2, input("CT", "   ", null)).isNullAt(1)).isTrue();
  }

  @Test
  void normaliseKeepsTheRawTextBesideTheTokens() {
    Tokens tokens = new Tokens(Map.of("BRIAN", "BRAIN"));
    List<RowPromoter.Rule> rules =
        List.of(
            new RowPromoter.Normalised(
                null,
                scalar(0),
                false,
                tokens,
                slot(0, "BodyPartExamined", ValueType.STRING, false),
                slot(1, "BodyPartExamined_norm", ValueType.STRING, false)));
    Row out = promote(rules, 1, 2, input("CT", " brian,  stem "));
    assertThat(out.getString(1)).isEqualTo("brian,  stem");
    assertThat(out.getString(2)).isEqualTo("BRAIN STEM");
  }

  @Test
  void ageGivesYearsAndUnitAndAgeAtStudyFallsBackToTheBirthDate() {
    List<RowPromoter.Rule> rules =
        List.of(
            new RowPromoter.Age(
                null,
                scalar(0),
                "PatientAge",
                slot(0, "PatientAge", ValueType.STRING, false),
                slot(1, "PatientAge_years", ValueType.DOUBLE, false),
                slot(2, "PatientAge_unit", ValueType.STRING, false)),
            new RowPromoter.AgeAtStudy(
                null,
                scalar(1),
                in(0),
                in(2),
                "PatientBirthDate",
                slot(3, "AgeAtStudy_years", ValueType.INT, false),
                slot(4, "AgeAtStudy_source", ValueType.STRING, false)));
    Row months = promote(rules, 3, 5, input("CT", "006M", "19700101", "20200115"));
    assertThat(months.get(2)).isEqualTo(0.5);
    assertThat(months.getString(3)).isEqualTo("months");
    assertThat(months.get(4)).isEqualTo(0);
    assertThat(months.getString(5)).isEqualTo("PatientAge");

    Row fromBirth = promote(rules, 3, 5, input("CT", null, "19700101", "20200115"));
    assertThat(fromBirth.get(4)).isEqualTo(50);
    assertThat(fromBirth.getString(5)).isEqualTo("PatientBirthDate");

    Row bad = promote(rules, 3, 5, input("CT", "abc", "1970.01.01", "20200115"));
    assertThat(bad.isNullAt(4)).isTrue();
    assertThat(bad.isNullAt(5)).isTrue();
    assertThat(list(bad, 6)).containsExactly("PatientAge", "PatientBirthDate");
  }

  @Test
  void healthBoardIsLookedUpIgnoringCaseAndPunctuation() {
    List<RowPromoter.Rule> rules =
        List.of(
            new RowPromoter.HealthBoard(
                null,
                scalar(0),
                Map.of("NINEWELLSHOSPITAL", "NHS Tayside"),
                slot(0, "InstitutionName", ValueType.STRING, false),
                slot(1, "HealthBoard", ValueType.STRING, false)));
    Row out = promote(rules, 1, 2, input("CT", " Ninewells hospital. "));
    assertThat(out.getString(1)).isEqualTo("Ninewells hospital.");
    assertThat(out.getString(2)).isEqualTo("NHS Tayside");
    assertThat(promote(rules, 1, 2, input("CT", "Elsewhere")).isNullAt(2)).isTrue();
  }

  @Test
  void splitNamesTheFirstThreeImageTypeValuesAndKeepsTheRest() {
    List<RowPromoter.Rule> rules =
        List.of(
            new RowPromoter.Split(
                null,
                array(0),
                List.of(
                    slot(0, "ImageType", ValueType.STRING, true),
                    slot(1, "ImageType_pixel_data", ValueType.STRING, false),
                    slot(2, "ImageType_examination", ValueType.STRING, false),
                    slot(3, "ImageType_modality_specific", ValueType.STRING, false),
                    slot(4, "ImageType_other", ValueType.STRING, true))));
    Row out =
        promote(rules, 1, 5, input("CT", List.of("original", " PRIMARY", "axial", "CT_SOM5 SPI")));
    assertThat(list(out, 1)).containsExactly("ORIGINAL", "PRIMARY", "AXIAL", "CT_SOM5 SPI");
    assertThat(out.getString(2)).isEqualTo("ORIGINAL");
    assertThat(out.getString(3)).isEqualTo("PRIMARY");
    assertThat(out.getString(4)).isEqualTo("AXIAL");
    assertThat(list(out, 5)).containsExactly("CT_SOM5 SPI");

    Row two = promote(rules, 1, 5, input("CT", List.of("DERIVED", "SECONDARY")));
    assertThat(two.isNullAt(4)).isTrue();
    assertThat(list(two, 5)).isEmpty();
    Row none = promote(rules, 1, 5, input("CT", (Object) null));
    assertThat(none.isNullAt(1)).isTrue();
    assertThat(none.isNullAt(5)).isTrue();
  }

  @Test
  void anOutputProducedByAnEarlierColumnIsNotOverwritten() {
    // ColumnPlan gives the second rule no slot (null) for a name an earlier level already has.
    List<RowPromoter.Rule> rules =
        List.of(
            typed(0, null, scalar(0), false, ValueType.STRING, "Manufacturer"),
            new RowPromoter.Typed(
                Set.of("CT"), scalar(1), false, ValueType.STRING, "Manufacturer", null));
    assertThat(promote(rules, 2, 1, input("CT", "first", "second")).getString(1))
        .isEqualTo("first");
  }

  @Test
  void arrayHelpersFollowSqlSemantics() {
    assertThat(RowPromoter.map(Arrays.asList("1.5", null, "abc"), DicomValues::parseDouble))
        .containsExactly(1.5, null, null);
    assertThat(RowPromoter.map(null, DicomValues::parseDouble)).isNull();
    RowPromoter.Fn<String, Double> parse = DicomValues::parseDouble;
    assertThat(RowPromoter.anyMalformed(List.of("1", "abc"), parse)).isTrue();
    assertThat(RowPromoter.anyMalformed(List.of("1", "  ", ""), parse)).isFalse();
    assertThat(RowPromoter.anyMalformed(Arrays.asList("1", null), parse)).isNull();
    assertThat(RowPromoter.anyMalformed(Arrays.asList(null, "abc"), parse)).isTrue();
    assertThat(RowPromoter.anyMalformed(null, parse)).isNull();
    assertThat(RowPromoter.sqlTrim("  a b  ")).isEqualTo("a b");
    assertThat(RowPromoter.sqlTrim("\ta\t")).isEqualTo("\ta\t");
    assertThat(RowPromoter.trimToNull("   ")).isNull();
    assertThat(RowPromoter.trimToNull(null)).isNull();
    assertThat(RowPromoter.trimToNull(" x ")).isEqualTo("x");
  }
}
