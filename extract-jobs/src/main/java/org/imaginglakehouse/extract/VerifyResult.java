package org.imaginglakehouse.extract;

import org.imaginglakehouse.core.job.JobResult;

/** Result of {@code lakehouse verify}: counts, and whether the extraction may be released. */
public final class VerifyResult extends JobResult {
  private final String extractionId;
  private final String location;

  VerifyResult(JobResult generic, String extractionId, String location) {
    super(generic);
    this.extractionId = extractionId;
    this.location = location;
  }

  public String extractionId() {
    return extractionId;
  }

  public String location() {
    return location;
  }

  /** True when verification found no error (warnings allowed). */
  public boolean clean() {
    return status() == org.imaginglakehouse.core.job.JobStatus.SUCCEEDED;
  }

  @Override
  public String summary() {
    StringBuilder out = new StringBuilder(super.summary());
    if (extractionId != null) {
      out.append("  extraction: ").append(extractionId).append(System.lineSeparator());
      out.append(
              clean()
                  ? "  verified: no error; release with `lakehouse release`"
                  : "  NOT verified: see verification_failures.csv in the extraction, or SELECT * FROM"
                      + " project_<project>.verification_failures WHERE extraction_id = '"
                      + extractionId
                      + "'")
          .append(System.lineSeparator());
    }
    return out.toString();
  }
}
