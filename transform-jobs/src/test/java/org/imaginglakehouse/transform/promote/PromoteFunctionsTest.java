package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.schemas.inventory.DicomValues;
import org.junit.jupiter.api.Test;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The plain-Java bodies of promote's array functions must give what the SQL lambdas they replaced
 * gave ({@code transform(a, x -> f(x))}, {@code exists(a, x -> trim(x) <> '' AND f(x) IS NULL)},
 * {@code nullif(trim(x), '')}); the Spark tests check the whole pipeline.
 */
class PromoteFunctionsTest {
  private static Seq<String> seq(String... values) {
    return CollectionConverters.asScala(Arrays.asList(values)).toSeq();
  }

  @Test
  void headerPositionsAreZeroBasedWithNullForAbsentPathsAndTheFirstRepeatWins() {
    Map<String, Integer> wanted = Map.of("00180060", 0, "00081032[0].00080100", 1, "00280030", 2);
    List<Integer> positions =
        PromoteFunctions.headerPositions(
            wanted, seq("00080008", "00180060", "00081032[0].00080100", "00180060").iterator());
    assertThat(positions).containsExactly(1, 2, null);
  }

  @Test
  void headerPositionsOfAMissingHeaderAreAllNull() {
    assertThat(PromoteFunctions.headerPositions(Map.of("00180060", 0), null))
        .containsExactly((Integer) null);
  }

  @Test
  void mapAppliesTheFunctionToEveryElementAndKeepsNulls() {
    assertThat(PromoteFunctions.map(seq("1.5", null, "abc"), DicomValues::parseDouble))
        .containsExactly(1.5, null, null);
    assertThat(PromoteFunctions.map(null, DicomValues::parseDouble)).isNull();
  }

  @Test
  void anyMalformedFollowsSqlThreeValuedLogic() {
    PromoteFunctions.Fn<String, Double> parse = DicomValues::parseDouble;
    assertThat(PromoteFunctions.anyMalformed(seq("1", "abc"), parse)).isTrue();
    assertThat(PromoteFunctions.anyMalformed(seq("1", "  ", ""), parse)).isFalse();
    // A NULL element makes exists() NULL unless another element is malformed.
    assertThat(PromoteFunctions.anyMalformed(seq("1", null), parse)).isNull();
    assertThat(PromoteFunctions.anyMalformed(seq(null, "abc"), parse)).isTrue();
    assertThat(PromoteFunctions.anyMalformed(null, parse)).isNull();
  }

  @Test
  void trimRemovesSpacesOnlyLikeSparkSql() {
    assertThat(PromoteFunctions.sqlTrim("  a b  ")).isEqualTo("a b");
    assertThat(PromoteFunctions.sqlTrim("\ta\t")).isEqualTo("\ta\t");
    assertThat(PromoteFunctions.trimToNull("   ")).isNull();
    assertThat(PromoteFunctions.trimToNull(null)).isNull();
    assertThat(PromoteFunctions.trimToNull(" x ")).isEqualTo("x");
  }
}
