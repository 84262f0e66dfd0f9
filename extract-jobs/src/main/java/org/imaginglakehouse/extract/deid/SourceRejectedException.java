package org.imaginglakehouse.extract.deid;

/**
 * A source file that {@link ExtractFileWriter} refuses to write, with a typed reason the job
 * records. Messages describe the structure only (offsets, tags, transfer syntax), never a value.
 */
public class SourceRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a source is refused; {@link #code()} is what the job records. */
  public enum Reason {
    /** Big endian, deflated, bzip2 or an unknown transfer syntax: not written (fail closed). */
    UNSUPPORTED_TRANSFER_SYNTAX("unsupported_transfer_syntax"),
    /** No file meta information (a raw data set): the transfer syntax would be a guess. */
    NO_META_HEADER("no_meta_header"),
    /** The header cannot be parsed or the PixelData element is malformed. */
    CORRUPT("corrupt"),
    /** The file ends before the header or the pixel data does. */
    TRUNCATED("truncated"),
    /** The file's checksum differs from the one ingest recorded. */
    CHANGED_SINCE_INGEST("changed_since_ingest"),
    /** The header rewrite refused or failed. */
    REWRITE_FAILED("rewrite_failed"),
    /** Pixels to redact that cannot be decoded and written back without loss (fail closed). */
    REDACTION_UNSUPPORTED("redaction_unsupported"),
    /** Text or identity still readable after the redaction, or nothing located to black out. */
    REDACTION_FAILED("redaction_failed"),
    /**
     * An embedded overlay (pixel bits outside BitsStored) declared where it cannot be cleared
     * without decoding: compressed data, or inside the stored bits.
     */
    EMBEDDED_OVERLAY("embedded_overlay");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public SourceRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public SourceRejectedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
