package org.imaginglakehouse.extract;

import org.imaginglakehouse.core.job.JobResult;

/** Result of {@code lakehouse extract}: counts plus where the extraction is. */
public final class ExtractResult extends JobResult {
  private final String extractionId;
  private final String location;
  private final String keyId;

  ExtractResult(JobResult generic, String extractionId, String location, String keyId) {
    super(generic);
    this.extractionId = extractionId;
    this.location = location;
    this.keyId = keyId;
  }

  public String extractionId() {
    return extractionId;
  }

  /** The extraction's directory (images, metadata.csv/.parquet, MANIFEST.sha256). */
  public String location() {
    return location;
  }

  public String keyId() {
    return keyId;
  }

  @Override
  public String summary() {
    StringBuilder out = new StringBuilder(super.summary());
    if (extractionId != null) {
      out.append("  extraction: ").append(extractionId).append(System.lineSeparator());
      out.append("  location: ").append(location).append(System.lineSeparator());
      out.append("  key id: ").append(keyId).append(System.lineSeparator());
    }
    if (count("rejected") > 0) {
      out.append(
              "  rejected instances and their reasons: SELECT reason, count(*) FROM"
                  + " project_<project>.rejections WHERE extraction_id = '")
          .append(extractionId)
          .append("' GROUP BY reason")
          .append(System.lineSeparator());
    }
    return out.toString();
  }
}
