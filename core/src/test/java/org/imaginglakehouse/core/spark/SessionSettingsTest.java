package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/** {@link SessionSettings}: settings in force during the step only, restored after a failure. */
class SessionSettingsTest extends SparkTestBase {
  private static final String SET = "lakehouse.test.session-settings.set";
  private static final String UNSET = "lakehouse.test.session-settings.unset";

  @Test
  void settingsHoldDuringTheStepAndTheSessionsOwnValuesComeBack() {
    SparkSession spark = spark();
    spark.conf().set(SET, "session");
    try {
      String seen =
          SessionSettings.with(
              spark,
              Map.of(SET, "step", UNSET, "step"),
              () -> spark.conf().get(SET) + "/" + spark.conf().get(UNSET));
      assertThat(seen).isEqualTo("step/step");
      assertThat(spark.conf().get(SET)).isEqualTo("session");
      assertThat(spark.conf().getOption(UNSET).isDefined()).isFalse();

      assertThatThrownBy(
              () ->
                  SessionSettings.with(
                      spark,
                      Map.of(SET, "failing", UNSET, "failing"),
                      () -> {
                        throw new IllegalStateException("step failed");
                      }))
          .hasMessage("step failed");
      assertThat(spark.conf().get(SET)).isEqualTo("session");
      assertThat(spark.conf().getOption(UNSET).isDefined()).isFalse();
    } finally {
      spark.conf().unset(SET);
    }
  }
}
