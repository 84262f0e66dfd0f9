package org.imaginglakehouse.extract.verify;

import java.io.Serializable;
import org.imaginglakehouse.core.Sha256;

/**
 * One verification finding, as stored in {@code project_<P>.verification_failures}: never the value
 * found, only its SHA-256 ({@code foundSha256}, null when nothing was matched, e.g. a parse error)
 * and the byte offset where it starts in the file (-1 when not applicable). {@code detail} names
 * the kind of value or the attribute keyword, never a value.
 *
 * @param path the file, relative to the extraction root
 * @param check what found it (see {@link Check})
 * @param severity {@code error} blocks release (unless approved), {@code warning} does not
 */
public record Failure(
    String path, String check, String foundSha256, long offset, String severity, String detail)
    implements Serializable {
  public static final String ERROR = "error";
  public static final String WARNING = "warning";

  /** The checks and their names in the table. */
  public static final class Check {
    public static final String RESIDUAL_VALUE = "residual_value";
    public static final String DETECTOR = "detector_"; // + chi, postcode, phone, email
    public static final String PARSE = "parse_failed";
    public static final String DCMDUMP = "dcmdump_failed";
    public static final String IOD_NEW_ERROR = "dciodvfy_new_error";
    public static final String UNMAPPED_REFERENCE = "unmapped_reference";
    public static final String DANGLING_REFERENCE = "dangling_reference";
    public static final String PATIENT_ID = "patient_id_mismatch";
    public static final String BIRTH_DATE = "birth_date_inconsistent";
    public static final String CHECKSUM = "checksum_mismatch";
    public static final String MISSING = "missing_file";
    public static final String UNLISTED = "unlisted_file";
    public static final String UNREADABLE = "unreadable_file";
    public static final String SOURCE_UNKNOWN = "source_unknown";

    private Check() {}
  }

  /**
   * A stable id (the same finding gets the same id in every run and in every extraction with the
   * same file), by which an approver names the failures approved: 16 hex digits of SHA-256 over the
   * finding. Unique within an extraction (the table's key is extraction_id, failure_id).
   */
  public String id() {
    return sha256(
            String.join(
                "\u0000",
                path,
                check,
                foundSha256 == null ? "" : foundSha256,
                Long.toString(offset),
                detail == null ? "" : detail))
        .substring(0, 16);
  }

  public static String sha256(String value) {
    return Sha256.hex(value);
  }

  public static String sha256(byte[] bytes) {
    return Sha256.hex(bytes);
  }
}
