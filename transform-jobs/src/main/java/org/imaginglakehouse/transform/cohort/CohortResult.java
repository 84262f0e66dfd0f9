package org.imaginglakehouse.transform.cohort;

import org.imaginglakehouse.core.job.JobResult;

/** Result of {@code cohort create} / {@code cohort rerun}: counts plus the member hash. */
public final class CohortResult extends JobResult {
  private final String cohort;
  private final String hash;
  private final Boolean identical;
  private final boolean legacyHash;

  CohortResult(JobResult generic, String cohort, String hash, Boolean identical) {
    this(generic, cohort, hash, identical, false);
  }

  CohortResult(
      JobResult generic, String cohort, String hash, Boolean identical, boolean legacyHash) {
    super(generic);
    this.cohort = cohort;
    this.hash = hash;
    this.identical = identical;
    this.legacyHash = legacyHash;
  }

  public String cohort() {
    return cohort;
  }

  /** Order-independent hash of the members ({@link Cohorts#hash}). */
  public String hash() {
    return hash;
  }

  /** For a re-run: whether the re-executed result equals the stored members; else null. */
  public Boolean identical() {
    return identical;
  }

  public long members() {
    return count("members");
  }

  @Override
  public String summary() {
    StringBuilder out = new StringBuilder(super.summary());
    out.append("  cohort: ").append(cohort).append(System.lineSeparator());
    if (hash != null) {
      out.append("  member hash: ").append(hash).append(System.lineSeparator());
    }
    if (identical != null) {
      out.append(
              identical
                  ? "  identical: yes (same rows, same count, same hash as when created)"
                  : "  identical: NO (see missing_rows / extra_rows)")
          .append(System.lineSeparator());
    }
    if (legacyHash) {
      out.append(
              "  note: this cohort's recorded hash predates the key-order fix; it was checked"
                  + " against the stored members with the old formula and the result compared"
                  + " row by row. `lakehouse cohort create --replace` re-pins it with the current"
                  + " hash (and the tables' current versions).")
          .append(System.lineSeparator());
    }
    return out.toString();
  }
}
