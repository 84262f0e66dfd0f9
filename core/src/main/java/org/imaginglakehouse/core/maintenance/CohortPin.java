package org.imaginglakehouse.core.maintenance;

import java.time.Instant;
import java.util.Objects;

/**
 * One table version a cohort pinned (a row of {@code deidentified.cohorts.tables_read}), with the
 * commit time of that version when the table's Delta log still has it.
 *
 * @param cohort the cohort's name
 * @param createdAt when the cohort was created (or last re-created)
 * @param location the table's storage location, qualified ({@code file:/...}, {@code s3a://...})
 * @param version the Delta version the cohort re-runs at
 * @param committedAt the commit time of {@code version}, or {@code null} when the table's log no
 *     longer holds that version (or the version is newer than the table: a table re-created since)
 */
public record CohortPin(
    String cohort, Instant createdAt, String location, long version, Instant committedAt) {
  public CohortPin {
    Objects.requireNonNull(cohort, "cohort");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(location, "location");
  }

  /** The same pin with the commit time of its version looked up. */
  public CohortPin committed(Instant commitTime) {
    return new CohortPin(cohort, createdAt, location, version, commitTime);
  }
}
