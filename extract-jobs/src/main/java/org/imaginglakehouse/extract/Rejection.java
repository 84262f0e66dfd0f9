package org.imaginglakehouse.extract;

/**
 * Why an instance asked for is not in an extraction; stored as {@code reason} in {@code
 * project_<P>.rejections} and counted in the summary as {@code rejected_<reason>}.
 */
public enum Rejection {
  /** The UID asked for is not in the de-identified inventory (never promoted, or rejected). */
  NOT_IN_INVENTORY,
  /** The instance is in the inventory but not in {@code identifiable.instances} any more. */
  NOT_INGESTED,
  MODALITY_NOT_ALLOWED,
  SOP_CLASS_NOT_ALLOWED,
  /** ImageType values 1 and 2 are not on the project's list (default ORIGINAL\PRIMARY only). */
  IMAGE_TYPE_NOT_ALLOWED,
  /** The patient is on the project's opt-out list. */
  OPTED_OUT,
  /** The header says BurnedInAnnotation YES. */
  BURNED_IN_ANNOTATION,
  /** {@code lakehouse ocr} found text (or the patient's identity) in the pixels. */
  BURNED_IN_TEXT,
  /** The modality needs an OCR screening and the image has none (or it could not be decoded). */
  NOT_SCREENED,
  /** A transfer syntax the header rewrite cannot keep byte-exact (deflate, big endian). */
  UNSUPPORTED_TRANSFER_SYNTAX,
  /** The file is gone or unreadable. */
  SOURCE_MISSING,
  /** The file's checksum differs from the one ingest recorded. */
  CHANGED_SINCE_INGEST,
  /** The file could not be rewritten (the message says why, without values). */
  WRITE_FAILED,
  /** Pixels to redact that cannot be decoded and written back without loss (JPEG-LS, lossy...). */
  REDACTION_UNSUPPORTED,
  /** Text or identity still read by OCR after the redaction, or nothing located to black out. */
  REDACTION_FAILED,
  /** An embedded overlay that cannot be cleared without decoding the pixels (fail closed). */
  EMBEDDED_OVERLAY;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
