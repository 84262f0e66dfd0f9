package org.imaginglakehouse.core.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The cohort-retention rule of maintenance: a cohort created within the retention period must stay
 * reproducible at the table versions it pinned, whatever VACUUM or Delta's log clean-up would
 * otherwise delete.
 *
 * <p>Two things keep version {@code v} of a table readable by time travel:
 *
 * <ul>
 *   <li><b>its data files</b>: a file {@code v} reads was either still live or removed by a later
 *       commit, so its tombstone is not older than the commit of {@code v}. VACUUM keeps a
 *       tombstoned file while its tombstone is younger than the retention, so the retention must
 *       reach back past the commit of {@code v} (plus a margin for clock skew between the writers,
 *       the storage and this job). Delta also forgets tombstones older than the table's {@code
 *       delta.deletedFileRetentionDuration} (the file then counts as untracked and goes by its
 *       modification time), so that property must cover the pinned commit too.
 *   <li><b>its log</b>: {@code delta.logRetentionDuration} (and {@code
 *       delta.checkpointRetentionDuration}) must keep the commits from {@code v} on until the
 *       cohort's retention ends: {@code createdAt + retention - commitTime(v)}.
 * </ul>
 *
 * <p>When the requested VACUUM retention would delete files a live pin needs, the retention is
 * raised to cover it (reported, never silent). When the rule cannot be checked, because a pinned
 * version is no longer in the table's log, VACUUM of that table is refused: fail closed. Plain
 * Java: the Spark layer ({@link OptimizeJob}) reads the pins and applies the decisions.
 */
public final class CohortRetentionRule {
  /** The Delta table properties that keep the log and the tombstones. */
  public static final List<String> RETENTION_PROPERTIES =
      List.of(
          "delta.logRetentionDuration",
          "delta.checkpointRetentionDuration",
          "delta.deletedFileRetentionDuration");

  private static final Pattern INTERVAL =
      Pattern.compile("(?i)\\s*(?:interval\\s+)?(\\d+)\\s*(second|minute|hour|day|week)s?\\s*");

  private final Duration cohortRetention;
  private final Duration margin;
  private final Instant now;

  /**
   * @param cohortRetention how long a cohort must stay reproducible after its creation
   * @param margin added to every computed retention (clock skew between writers and storage)
   * @param now the time of this run
   */
  public CohortRetentionRule(Duration cohortRetention, Duration margin, Instant now) {
    if (cohortRetention.isNegative() || margin.isNegative()) {
      throw new IllegalArgumentException("retention and margin must not be negative");
    }
    this.cohortRetention = cohortRetention;
    this.margin = margin;
    this.now = now;
  }

  /**
   * The same rule at another time: a VACUUM's cut-off is taken when it starts, so its retention is
   * computed then, not when the run began.
   */
  public CohortRetentionRule at(Instant time) {
    return new CohortRetentionRule(cohortRetention, margin, time);
  }

  /** A cohort is live (protected) from its creation until the retention has passed. */
  public boolean live(CohortPin pin) {
    return !pin.createdAt().plus(cohortRetention).isBefore(now);
  }

  /** The live pins on the table at {@code location} (locations compared as given, qualified). */
  public List<CohortPin> livePins(Collection<CohortPin> pins, String location) {
    List<CohortPin> live = new ArrayList<>();
    for (CohortPin p : pins) {
      if (p.location().equals(location) && live(p)) {
        live.add(p);
      }
    }
    return live;
  }

  /** What VACUUM of one table will do. */
  public record VacuumPlan(double retainHours, boolean raised, CohortPin protecting) {}

  /**
   * The VACUUM retention for a table with these live pins: the requested one, raised when it would
   * reach past the oldest pinned commit (and to the table's tombstone retention when Delta's
   * retention check is on, since Delta refuses less). Refuses when a pinned version is no longer in
   * the table's log.
   *
   * @param table the table's name, for messages
   * @param requestedHours the retention asked for
   * @param livePins the live pins on this table ({@link #livePins})
   * @param tombstoneRetention the table's {@code delta.deletedFileRetentionDuration} when Delta's
   *     retention check applies, else empty
   */
  public VacuumPlan vacuum(
      String table,
      double requestedHours,
      List<CohortPin> livePins,
      Optional<Duration> tombstoneRetention) {
    return vacuum(table, requestedHours, livePins, tombstoneRetention, null, p -> null);
  }

  /**
   * The same, for a table whose tombstones Delta may already have forgotten: when {@code
   * tombstonesKept} (the table's {@code delta.deletedFileRetentionDuration} before this run; {@code
   * null} = known to be long enough) does not reach back to a pinned commit, a file that version
   * reads and a later commit removed may now count as untracked, which VACUUM judges by its
   * modification time alone. The retention then also covers the oldest file the pinned version
   * reads ({@code oldestFileWritten}); when that cannot be told ({@code null}), VACUUM is refused.
   */
  public VacuumPlan vacuum(
      String table,
      double requestedHours,
      List<CohortPin> livePins,
      Optional<Duration> tombstoneRetention,
      Duration tombstonesKept,
      java.util.function.Function<CohortPin, Instant> oldestFileWritten) {
    for (CohortPin p : livePins) {
      if (p.committedAt() == null) {
        throw refusal(
            table,
            p,
            "which is no longer in the table's Delta log, so the files it needs cannot be told"
                + " apart",
            "Re-create the cohort (lakehouse cohort create --replace) or lower"
                + " --cohort-retention-days below its age");
      }
    }
    double hours = requestedHours;
    CohortPin protecting = null;
    for (CohortPin p : livePins) {
      Instant keepSince = p.committedAt();
      if (tombstonesKept != null && keepSince.isBefore(now.minus(tombstonesKept))) {
        Instant written = oldestFileWritten.apply(p);
        if (written == null) {
          throw refusal(
              table,
              p,
              "older than the table's tombstone retention, and the files that version reads"
                  + " could not be dated",
              "Check that the table is readable at that version (lakehouse cohort rerun)");
        }
        keepSince = written.isBefore(keepSince) ? written : keepSince;
      }
      // Delta's VACUUM rounds the retention to whole hours: round up, never down.
      double needed = Math.ceil(hours(Duration.between(keepSince, now).plus(margin)));
      if (needed > hours) {
        hours = needed;
        protecting = p;
      }
    }
    if (tombstoneRetention.isPresent()) {
      hours = Math.max(hours, hours(tombstoneRetention.get()));
    }
    return new VacuumPlan(hours, protecting != null, protecting);
  }

  /**
   * The retention the log and tombstone properties of a table with these live pins must have at
   * least: the cohort retention, and for every pin the time from its commit to the end of its
   * cohort's retention (plus the margin), rounded up to whole days. Pins whose version is no longer
   * in the log are skipped (nothing left to keep; VACUUM refuses those tables).
   */
  public Duration requiredRetention(List<CohortPin> livePins) {
    Duration required = cohortRetention.plus(margin);
    for (CohortPin p : livePins) {
      if (p.committedAt() != null) {
        Duration d =
            Duration.between(p.committedAt(), p.createdAt().plus(cohortRetention)).plus(margin);
        if (d.compareTo(required) > 0) {
          required = d;
        }
      }
    }
    long days = (required.toSeconds() + 86_399) / 86_400;
    return Duration.ofDays(Math.max(1, days));
  }

  /**
   * Whether a table property (as Delta stores it, e.g. {@code interval 30 days}; absent = Delta's
   * default) must be raised to {@code required}. An unreadable value is raised (fail closed).
   */
  public static boolean mustRaise(String current, Duration defaultValue, Duration required) {
    Optional<Duration> value = current == null ? Optional.of(defaultValue) : parseInterval(current);
    return value.isEmpty() || value.get().compareTo(required) < 0;
  }

  /** Delta's defaults of {@link #RETENTION_PROPERTIES}: 30 days, 2 days, 7 days. */
  public static Duration deltaDefault(String property) {
    return switch (property) {
      case "delta.logRetentionDuration" -> Duration.ofDays(30);
      case "delta.checkpointRetentionDuration" -> Duration.ofDays(2);
      case "delta.deletedFileRetentionDuration" -> Duration.ofDays(7);
      default -> throw new IllegalArgumentException("not a retention property: " + property);
    };
  }

  /** Parses {@code interval N unit} (second, minute, hour, day, week; plural allowed). */
  public static Optional<Duration> parseInterval(String value) {
    Matcher m = INTERVAL.matcher(value);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "second" -> Duration.ofSeconds(n);
          case "minute" -> Duration.ofMinutes(n);
          case "hour" -> Duration.ofHours(n);
          case "day" -> Duration.ofDays(n);
          default -> Duration.ofDays(7 * n);
        });
  }

  /** A whole number of days as Delta's interval text. */
  public static String interval(Duration days) {
    return "interval " + days.toDays() + " days";
  }

  private static LakehouseException refusal(
      String table, CohortPin p, String why, String whatToDo) {
    return new LakehouseException(
        "Refusing to VACUUM "
            + table
            + ": cohort '"
            + p.cohort()
            + "' must stay reproducible at version "
            + p.version()
            + ", "
            + why
            + ". Nothing was deleted from this table. "
            + whatToDo
            + ", then run optimize again.");
  }

  private static double hours(Duration d) {
    return d.toMillis() / 3_600_000.0;
  }
}
