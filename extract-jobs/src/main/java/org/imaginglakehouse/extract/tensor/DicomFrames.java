package org.imaginglakehouse.extract.tensor;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One released DICOM file read for a volume: its series metadata, one {@link FrameInfo} per frame
 * (geometry and rescale from the top level or, for enhanced multi-frame images, from the per-frame
 * and shared functional groups) and its stored pixel values. Compressed pixel data is decompressed
 * by PixelMed while the file is read; what it cannot decode fails with {@link VolumeException}.
 */
public final class DicomFrames {
  /** The de-identified header values a volume carries as columns, by DICOM keyword. */
  public static final List<String> METADATA =
      List.of(
          "PatientID",
          "StudyInstanceUID",
          "SeriesInstanceUID",
          "FrameOfReferenceUID",
          "Modality",
          "StudyDate",
          "SeriesDate",
          "SeriesDescription",
          "BodyPartExamined",
          "PhotometricInterpretation");

  private final String sopInstanceUid;
  private final Map<String, String> metadata;
  private final List<FrameInfo> frames;
  private final short[] words;
  private final byte[] bytes;
  private final int samplesPerFrame;
  private final int bitsStored;
  private final boolean signed;
  private final boolean planar;

  private DicomFrames(
      String sopInstanceUid,
      Map<String, String> metadata,
      List<FrameInfo> frames,
      short[] words,
      byte[] bytes,
      int samplesPerFrame,
      int bitsStored,
      boolean signed,
      boolean planar) {
    this.sopInstanceUid = sopInstanceUid;
    this.metadata = metadata;
    this.frames = frames;
    this.words = words;
    this.bytes = bytes;
    this.samplesPerFrame = samplesPerFrame;
    this.bitsStored = bitsStored;
    this.signed = signed;
    this.planar = planar;
  }

  /** Reads a whole file ({@code in} is closed by the caller). */
  public static DicomFrames read(InputStream in) throws IOException, VolumeException {
    AttributeList list = new AttributeList();
    try {
      list.setDecompressPixelData(true);
      list.read(new DicomInputStream(new BufferedInputStream(in, 1 << 16)));
      list.correctDecompressedImagePixelModule();
    } catch (DicomException | RuntimeException e) {
      throw new VolumeException(
          VolumeException.UNDECODABLE, "the file cannot be read or its pixels decoded");
    }
    return of(list);
  }

  static DicomFrames of(AttributeList list) throws VolumeException {
    Attribute pixels = list.get(TagFromName.PixelData);
    if (pixels == null) {
      throw new VolumeException(VolumeException.UNDECODABLE, "no PixelData");
    }
    int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
    int channels = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
    int frameCount = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1);
    int allocated = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 0);
    int stored = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, allocated);
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
    String photometric =
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation);
    if (rows <= 0 || columns <= 0 || frameCount <= 0) {
      throw new VolumeException(VolumeException.UNDECODABLE, "Rows, Columns or frames missing");
    }
    if (allocated != 8 && allocated != 16) {
      throw new VolumeException(
          VolumeException.UNSUPPORTED_PIXELS, allocated + "-bit pixel data is not supported");
    }
    if (photometric.startsWith("PALETTE") || (channels != 1 && channels != 3)) {
      throw new VolumeException(
          VolumeException.UNSUPPORTED_PIXELS, "palette colour or unusual samples per pixel");
    }
    short[] words = null;
    byte[] bytes = null;
    long needed = (long) rows * columns * channels * frameCount;
    try {
      if (pixels instanceof OtherWordAttribute && allocated == 16) {
        words = pixels.getShortValues();
      } else if (pixels instanceof OtherByteAttribute || allocated == 8) {
        bytes = pixels.getByteValues();
      }
    } catch (DicomException e) {
      throw new VolumeException(VolumeException.UNDECODABLE, "PixelData values cannot be read");
    }
    if (allocated == 16 && words == null && bytes != null) {
      words = new short[bytes.length / 2];
      for (int i = 0; i < words.length; i++) {
        words[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] & 0xff) << 8);
      }
      bytes = null;
    }
    long have = words != null ? words.length : bytes != null ? bytes.length : 0;
    if (have < needed) {
      throw new VolumeException(
          VolumeException.UNDECODABLE,
          "PixelData holds " + have + " values, Rows x Columns x samples x frames needs " + needed);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String keyword : METADATA) {
      AttributeTag tag = list.getDictionary().getTagFromName(keyword);
      String value = tag == null ? "" : Attribute.getSingleStringValueOrEmptyString(list, tag);
      metadata.put(keyword, value.isBlank() ? null : value.trim());
    }
    String sop = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
    String instance =
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.InstanceNumber).trim();
    Integer instanceNumber = instance.matches("-?\\d+") ? Integer.valueOf(instance) : null;
    DicomFrames out =
        new DicomFrames(
            sop,
            metadata,
            new ArrayList<>(),
            words,
            bytes,
            rows * columns * channels,
            Math.min(stored, allocated),
            signed,
            channels == 3
                && Attribute.getSingleIntegerValueOrDefault(
                        list, TagFromName.PlanarConfiguration, 0)
                    == 1);
    FunctionalGroups groups = new FunctionalGroups(list);
    for (int f = 0; f < frameCount; f++) {
      long[] range = out.range(f);
      out.frames.add(
          new FrameInfo(
              sop,
              f + 1,
              instanceNumber,
              groups.doubles(
                  f, TagFromName.PlanePositionSequence, TagFromName.ImagePositionPatient),
              groups.doubles(
                  f, TagFromName.PlaneOrientationSequence, TagFromName.ImageOrientationPatient),
              groups.doubles(f, TagFromName.PixelMeasuresSequence, TagFromName.PixelSpacing),
              channels == 1
                  ? groups.single(
                      f, TagFromName.PixelValueTransformationSequence, TagFromName.RescaleSlope, 1)
                  : 1,
              channels == 1
                  ? groups.single(
                      f,
                      TagFromName.PixelValueTransformationSequence,
                      TagFromName.RescaleIntercept,
                      0)
                  : 0,
              rows,
              columns,
              channels,
              range[0],
              range[1]));
    }
    return out;
  }

  public String sopInstanceUid() {
    return sopInstanceUid;
  }

  /** {@link #METADATA} values (null when absent or empty). */
  public Map<String, String> metadata() {
    return metadata;
  }

  public List<FrameInfo> frames() {
    return frames;
  }

  /**
   * Stored values of frame {@code index} (0-based), row-major with interleaved channels: the low
   * BitsStored bits of each value (overlay bits above are dropped), sign-extended when signed.
   */
  public int[] stored(int index) {
    int n = samplesPerFrame;
    int[] out = new int[n];
    int base = index * n;
    int plane = n / 3;
    for (int i = 0; i < n; i++) {
      int raw = words != null ? words[base + i] & 0xffff : bytes[base + i] & 0xff;
      int v = raw & (bitsStored >= 32 ? -1 : (1 << bitsStored) - 1);
      if (signed && bitsStored < 32) {
        v = (v << (32 - bitsStored)) >> (32 - bitsStored);
      }
      // Planar configuration 1 stores R...R G...G B...B: interleave.
      out[planar ? (i % plane) * 3 + i / plane : i] = v;
    }
    return out;
  }

  private long[] range(int index) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int v : stored(index)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new long[] {min, max};
  }

  /** Values of an attribute for one frame: per-frame group, shared group, then the top level. */
  private static final class FunctionalGroups {
    private final AttributeList top;
    private final SequenceAttribute perFrame;
    private final AttributeList shared;

    FunctionalGroups(AttributeList top) {
      this.top = top;
      this.perFrame =
          top.get(TagFromName.PerFrameFunctionalGroupsSequence) instanceof SequenceAttribute s
              ? s
              : null;
      this.shared =
          SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(
              top, TagFromName.SharedFunctionalGroupsSequence);
    }

    double[] doubles(int frame, AttributeTag macro, AttributeTag tag) {
      Attribute a = find(frame, macro, tag);
      if (a == null) {
        return null;
      }
      try {
        double[] v = a.getDoubleValues();
        return v == null || v.length == 0 ? null : v;
      } catch (DicomException | NumberFormatException e) {
        return null;
      }
    }

    double single(int frame, AttributeTag macro, AttributeTag tag, double otherwise) {
      double[] v = doubles(frame, macro, tag);
      return v == null ? otherwise : v[0];
    }

    private Attribute find(int frame, AttributeTag macro, AttributeTag tag) {
      if (perFrame != null && frame < perFrame.getNumberOfItems()) {
        Attribute a = inMacro(perFrame.getItem(frame).getAttributeList(), macro, tag);
        if (a != null) {
          return a;
        }
      }
      Attribute a = inMacro(shared, macro, tag);
      return a != null ? a : top.get(tag);
    }

    private static Attribute inMacro(AttributeList group, AttributeTag macro, AttributeTag tag) {
      if (group == null) {
        return null;
      }
      AttributeList item =
          SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(group, macro);
      return item == null ? null : item.get(tag);
    }
  }
}
