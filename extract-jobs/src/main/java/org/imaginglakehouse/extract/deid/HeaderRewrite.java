package org.imaginglakehouse.extract.deid;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;

/**
 * What {@link ExtractFileWriter} does to a header: receives the complete header of the source, file
 * meta information (group 0002) included, PixelData excluded, and returns the list to write (the
 * same list changed in place, or a new one).
 */
@FunctionalInterface
public interface HeaderRewrite {
  /** Leaves the header as it is. */
  HeaderRewrite IDENTITY = header -> header;

  AttributeList apply(AttributeList header) throws DicomException;
}
