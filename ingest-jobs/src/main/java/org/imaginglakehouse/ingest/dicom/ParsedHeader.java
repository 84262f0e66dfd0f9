package org.imaginglakehouse.ingest.dicom;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A validated DICOM header: the typed attributes of {@code identifiable.instances} (by keyword),
 * the pixel data location and the complete flattened header.
 */
public final class ParsedHeader implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Top-level attributes stored as STRING columns, raw as in the file (charset-decoded). */
  public static final List<String> STRING_KEYWORDS =
      List.of(
          "SOPInstanceUID",
          "SOPClassUID",
          "StudyInstanceUID",
          "SeriesInstanceUID",
          "PatientID",
          "PatientName",
          "PatientBirthDate",
          "PatientSex",
          "PatientAge",
          "Modality",
          "StudyDate",
          "StudyTime",
          "SeriesDate",
          "SeriesTime",
          "AccessionNumber",
          "Manufacturer",
          "ManufacturerModelName",
          "InstitutionName",
          "BodyPartExamined",
          "StudyDescription",
          "SeriesDescription",
          "BurnedInAnnotation",
          "TransferSyntaxUID",
          "SpecificCharacterSet",
          "PhotometricInterpretation");

  /** Top-level attributes stored as INT columns (IS or US in the file). */
  public static final List<String> INT_KEYWORDS =
      List.of(
          "SeriesNumber",
          "InstanceNumber",
          "Rows",
          "Columns",
          "NumberOfFrames",
          "SamplesPerPixel",
          "BitsAllocated",
          "BitsStored",
          "HighBit",
          "PixelRepresentation");

  private final Map<String, String> strings;
  private final Map<String, Integer> ints;
  private final List<String> imageType;
  private final Long pixelDataOffset;
  private final Long pixelDataLength;
  private final String pixelDataVr;
  private final long headerLength;
  private final String checksum;
  private final List<HeaderEntry> header;

  ParsedHeader(
      Map<String, String> strings,
      Map<String, Integer> ints,
      List<String> imageType,
      Long pixelDataOffset,
      Long pixelDataLength,
      String pixelDataVr,
      long headerLength,
      String checksum,
      List<HeaderEntry> header) {
    this.strings = Collections.unmodifiableMap(strings);
    this.ints = Collections.unmodifiableMap(ints);
    this.imageType = imageType;
    this.pixelDataOffset = pixelDataOffset;
    this.pixelDataLength = pixelDataLength;
    this.pixelDataVr = pixelDataVr;
    this.headerLength = headerLength;
    this.checksum = checksum;
    this.header = Collections.unmodifiableList(header);
  }

  /** A STRING attribute by keyword (one of {@link #STRING_KEYWORDS}), or null when absent. */
  public String string(String keyword) {
    return strings.get(keyword);
  }

  /** An INT attribute by keyword (one of {@link #INT_KEYWORDS}), or null when absent/invalid. */
  public Integer integer(String keyword) {
    return ints.get(keyword);
  }

  public String sopInstanceUid() {
    return strings.get("SOPInstanceUID");
  }

  /** ImageType values, or null when absent. */
  public List<String> imageType() {
    return imageType;
  }

  /** File offset of the top-level PixelData value (after its element header), or null. */
  public Long pixelDataOffset() {
    return pixelDataOffset;
  }

  /** PixelData value length; -1 for undefined length (encapsulated); null without PixelData. */
  public Long pixelDataLength() {
    return pixelDataLength;
  }

  public String pixelDataVr() {
    return pixelDataVr;
  }

  /** Bytes before the PixelData value (or the whole file without PixelData). */
  public long headerLength() {
    return headerLength;
  }

  /** See {@link DicomHeaderParser.ChecksumMode}: {@code sha256:<hex>} of the checksummed bytes. */
  public String checksum() {
    return checksum;
  }

  public List<HeaderEntry> header() {
    return header;
  }
}
