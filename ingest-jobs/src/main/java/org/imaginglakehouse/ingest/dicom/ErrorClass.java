package org.imaginglakehouse.ingest.dicom;

/** Why a file did not become an instance; the {@code error_class} of {@code ingest_errors}. */
public enum ErrorClass {
  /** No DICM preamble and no plausible DICOM data set start, or nothing parseable. */
  NOT_DICOM("not_dicom"),
  /** Pixel data (or the header) extends past the end of the file. */
  TRUNCATED("truncated"),
  /** The header parsed, but has no (0008,0018) SOPInstanceUID. */
  NO_SOP_INSTANCE_UID("no_sop_instance_uid"),
  /** The header stops parsing before the end of the file with bytes left that are not DICOM. */
  CORRUPT_HEADER("corrupt_header"),
  /** The file could not be read (I/O error, permission, vanished between listing and reading). */
  UNREADABLE("unreadable"),
  /** Another file carries the same SOPInstanceUID and was ingested first. */
  DUPLICATE_SOP("duplicate_sop");

  private final String id;

  ErrorClass(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}
