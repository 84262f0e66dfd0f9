package org.imaginglakehouse.synth;

/** The kinds of non-DICOM or broken files mixed into a synthetic archive. */
public enum JunkKind {
  /** A valid DICOM file cut inside its header (mid-element). */
  TRUNCATED,
  /** An empty file with a .dcm name. */
  ZERO_LENGTH,
  /** Random bytes with a .dcm name. */
  RANDOM_BYTES,
  /** A plain text file (a radiographer's note) in the tree. */
  TEXT_FILE,
  /** A DICOMDIR (Media Storage Directory) file: valid DICOM, but not an image. */
  DICOMDIR,
  /** A DICOM file without the 128-byte preamble and "DICM" prefix (starts at the meta header). */
  MISSING_PREAMBLE,
  /**
   * A second, complete DICOM file carrying the SOPInstanceUID of another file in the archive
   * (different path, different SeriesDescription).
   */
  DUPLICATE_SOP_INSTANCE_UID,
  /** A DICOM file whose header is intact but whose PixelData value is cut short. */
  PIXEL_DATA_TRUNCATED
}
