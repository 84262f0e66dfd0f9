package org.imaginglakehouse.ingest;

import org.imaginglakehouse.core.job.JobResult;

/**
 * What an ingest run did. Every input file is in exactly one bucket: {@code inputs = unchanged +
 * instances + duplicates + rejected + skipped}.
 */
public final class IngestResult extends JobResult {
  public static final String INPUTS = "inputs";
  public static final String UNCHANGED = "unchanged";
  public static final String INSTANCES = "instances";
  public static final String DUPLICATES = "duplicates";
  public static final String REJECTED = "rejected";
  public static final String SKIPPED = "skipped";
  public static final String LISTED = "listed";

  /** Indexed inputs that a listed directory no longer holds (not part of {@code inputs}). */
  public static final String MISSING = "missing";

  /** Missing inputs whose rows were deleted ({@code --on-missing remove}). */
  public static final String REMOVED = "removed_missing";

  /** Prefix of per-class rejection counts, e.g. {@code rejected.truncated}. */
  public static final String REJECTED_PREFIX = "rejected.";

  IngestResult(JobResult generic) {
    super(generic);
  }

  public long inputs() {
    return count(INPUTS);
  }

  public long unchanged() {
    return count(UNCHANGED);
  }

  public long instances() {
    return count(INSTANCES);
  }

  public long duplicates() {
    return count(DUPLICATES);
  }

  public long rejected() {
    return count(REJECTED);
  }

  public long skipped() {
    return count(SKIPPED);
  }

  public long missing() {
    return count(MISSING);
  }

  /** True when the buckets add up to the inputs. */
  public boolean accountedFor() {
    return inputs() == unchanged() + instances() + duplicates() + rejected() + skipped();
  }
}
