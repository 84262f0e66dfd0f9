package org.imaginglakehouse.extract.deid;

/**
 * The source no longer matches the checksum ingest recorded ({@code changed_since_ingest}): its
 * catalogue rows describe another file. With a whole-file checksum ({@code sha256:}) this is known
 * only after the file was written, so the caller must discard what was written.
 */
public final class SourceChangedException extends SourceRejectedException {
  private static final long serialVersionUID = 1L;

  public SourceChangedException(String message) {
    super(Reason.CHANGED_SINCE_INGEST, message);
  }
}
