package org.imaginglakehouse.core.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

class CohortRetentionRuleTest {
  static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");
  static final String IMAGE = "s3a://lake/home/deidentified/image";
  static final CohortRetentionRule RULE =
      new CohortRetentionRule(Duration.ofDays(365), Duration.ofHours(1), NOW);

  static CohortPin pin(String cohort, String created, long version, String committed) {
    return new CohortPin(
        cohort,
        Instant.parse(created),
        IMAGE,
        version,
        committed == null ? null : Instant.parse(committed));
  }

  @Test
  void onlyCohortsWithinTheRetentionOnTheSameTableAreLive() {
    CohortPin young = pin("young", "2026-06-01T00:00:00Z", 3, null);
    CohortPin old = pin("old", "2025-12-05T00:00:00Z", 1, null);
    CohortPin edge = pin("edge", "2025-12-06T03:00:00Z", 2, null);
    CohortPin other =
        new CohortPin("other", Instant.parse("2026-12-01T00:00:00Z"), IMAGE + "2", 1, null);
    assertThat(RULE.livePins(List.of(young, old, edge, other), IMAGE)).containsExactly(young, edge);
  }

  @Test
  void noPinKeepsTheRequestedRetention() {
    var plan = RULE.vacuum("deidentified.image", 168, List.of(), Optional.empty());
    assertThat(plan.retainHours()).isEqualTo(168.0);
    assertThat(plan.raised()).isFalse();
  }

  @Test
  void aRetentionThatWouldReachPastAPinnedCommitIsRaisedToCoverTheOldestPin() {
    CohortPin older = pin("a", "2026-12-01T00:00:00Z", 4, "2026-11-20T03:00:00Z");
    CohortPin newer = pin("b", "2026-12-05T00:00:00Z", 9, "2026-12-04T03:00:00Z");
    var plan = RULE.vacuum("deidentified.image", 0, List.of(newer, older), Optional.empty());
    // 16 days from the older commit to now, plus the one-hour margin.
    assertThat(plan.retainHours()).isEqualTo(16 * 24 + 1.0);
    assertThat(plan.raised()).isTrue();
    assertThat(plan.protecting()).isEqualTo(older);

    // An hour later (a long OPTIMIZE before the VACUUM), an hour more is kept.
    assertThat(
            RULE.at(NOW.plusSeconds(3600))
                .vacuum("deidentified.image", 0, List.of(older), Optional.empty())
                .retainHours())
        .isEqualTo(16 * 24 + 2.0);

    var enough = RULE.vacuum("deidentified.image", 24 * 30, List.of(older), Optional.empty());
    assertThat(enough.retainHours()).isEqualTo(720.0);
    assertThat(enough.raised()).isFalse();
  }

  @Test
  void whenDeltaMayHaveForgottenTheTombstonesTheOldestFileThePinReadsIsCovered() {
    CohortPin pin = pin("a", "2026-12-01T00:00:00Z", 4, "2026-11-20T03:00:00Z");
    // Tombstones kept 7 days before this run, the pin is 16 days old: its files may be untracked.
    var plan =
        RULE.vacuum(
            "deidentified.image",
            0,
            List.of(pin),
            Optional.empty(),
            Duration.ofDays(7),
            p -> Instant.parse("2026-10-06T03:00:00Z"));
    assertThat(plan.retainHours()).isEqualTo(61 * 24 + 1.0);
    assertThat(plan.raised()).isTrue();
    // Kept long enough: the commit time is what counts, the files are not looked at.
    var kept =
        RULE.vacuum(
            "deidentified.image",
            0,
            List.of(pin),
            Optional.empty(),
            Duration.ofDays(366),
            p -> {
              throw new AssertionError("not needed");
            });
    assertThat(kept.retainHours()).isEqualTo(16 * 24 + 1.0);
    assertThatThrownBy(
            () ->
                RULE.vacuum(
                    "deidentified.image",
                    0,
                    List.of(pin),
                    Optional.empty(),
                    Duration.ofDays(7),
                    p -> null))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("could not be dated")
        .hasMessageContaining("Nothing was deleted");
  }

  @Test
  void deltasTombstoneRetentionIsTheFloorWhenItsCheckIsOn() {
    var plan = RULE.vacuum("deidentified.image", 168, List.of(), Optional.of(Duration.ofDays(400)));
    assertThat(plan.retainHours()).isEqualTo(400 * 24.0);
    assertThat(plan.raised()).isFalse();
  }

  @Test
  void aPinnedVersionGoneFromTheLogRefusesTheVacuumAndSaysWhatToDo() {
    CohortPin gone = pin("gbm_brain_mr", "2026-12-01T00:00:00Z", 4, null);
    assertThatThrownBy(
            () -> RULE.vacuum("deidentified.image", 168, List.of(gone), Optional.empty()))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("Refusing to VACUUM deidentified.image")
        .hasMessageContaining("gbm_brain_mr")
        .hasMessageContaining("version 4")
        .hasMessageContaining("Nothing was deleted")
        .hasMessageContaining("cohort create --replace");
  }

  @Test
  void logRetentionCoversTheCohortRetentionAndEveryPinnedCommitUntilItsCohortExpires() {
    assertThat(RULE.requiredRetention(List.of())).isEqualTo(Duration.ofDays(366));
    // Pinned a version committed 100 days before the cohort was made: the log must reach back
    // 100 days further than the retention; rounded up to whole days.
    CohortPin pinned = pin("a", "2026-12-01T00:00:00Z", 4, "2026-08-23T00:00:00Z");
    assertThat(RULE.requiredRetention(List.of(pinned))).isEqualTo(Duration.ofDays(466));
    CohortPin gone = pin("b", "2026-12-01T00:00:00Z", 1, null);
    assertThat(RULE.requiredRetention(List.of(gone))).isEqualTo(Duration.ofDays(366));
  }

  @Test
  void propertiesAreRaisedWhenShorterAbsentWithAShortDefaultOrUnreadable() {
    Duration required = Duration.ofDays(366);
    assertThat(CohortRetentionRule.mustRaise("interval 30 days", Duration.ofDays(30), required))
        .isTrue();
    assertThat(CohortRetentionRule.mustRaise(null, Duration.ofDays(30), required)).isTrue();
    assertThat(CohortRetentionRule.mustRaise("interval 400 days", Duration.ofDays(30), required))
        .isFalse();
    assertThat(CohortRetentionRule.mustRaise("interval 60 weeks", Duration.ofDays(30), required))
        .isFalse();
    assertThat(CohortRetentionRule.mustRaise("forever-ish", Duration.ofDays(30), required))
        .isTrue();
    assertThat(CohortRetentionRule.parseInterval("INTERVAL 12 HOURS"))
        .contains(Duration.ofHours(12));
    assertThat(CohortRetentionRule.parseInterval("interval 1 minute"))
        .contains(Duration.ofMinutes(1));
    assertThat(CohortRetentionRule.interval(Duration.ofDays(366))).isEqualTo("interval 366 days");
    assertThat(CohortRetentionRule.deltaDefault("delta.checkpointRetentionDuration"))
        .isEqualTo(Duration.ofDays(2));
  }
}
