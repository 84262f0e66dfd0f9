package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** The header lookup promote's plan reads header values with; the Spark tests check the rest. */
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
}
