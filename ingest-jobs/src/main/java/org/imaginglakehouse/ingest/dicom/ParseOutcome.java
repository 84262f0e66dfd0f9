package org.imaginglakehouse.ingest.dicom;

import java.io.Serializable;

/** What parsing one file gave: an instance, a rejection with a reason, or an explicit skip. */
public sealed interface ParseOutcome extends Serializable {
  /** A valid DICOM instance. */
  record Instance(ParsedHeader header) implements ParseOutcome {}

  /** Not ingestible: quarantined in {@code ingest_errors}. */
  record Rejected(ErrorClass errorClass, String message) implements ParseOutcome {}

  /** Valid but deliberately not an instance (e.g. a DICOMDIR media directory). */
  record Skipped(String reason, String message) implements ParseOutcome {}
}
