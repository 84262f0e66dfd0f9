package org.imaginglakehouse.extract.pixel;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.imaginglakehouse.transform.pixel.DecodedImage;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * One image after {@link PixelRedactor}: its source header, its redacted frames (interleaved stored
 * values), the regions blacked out and the signature rules that applied. {@link #toFile} writes it
 * uncompressed, without overlays or icon, with BurnedInAnnotation NO; call it only after {@link
 * RedactionCheck} passed.
 */
public final class RedactedImage {
  private final AttributeList list;
  private final int[][] frames;
  private final int rows;
  private final int columns;
  private final int samples;
  private final int bitsAllocated;
  private final int bitsStored;
  private final boolean signed;
  private final String photometric;
  private List<Region> regions;
  private List<String> rules;

  RedactedImage(
      AttributeList list,
      int[][] frames,
      int rows,
      int columns,
      int samples,
      int bitsAllocated,
      int bitsStored,
      boolean signed,
      String photometric,
      List<Region> regions,
      List<String> rules) {
    this.list = list;
    this.frames = frames;
    this.rows = rows;
    this.columns = columns;
    this.samples = samples;
    this.bitsAllocated = bitsAllocated;
    this.bitsStored = bitsStored;
    this.signed = signed;
    this.photometric = photometric;
    this.regions = regions;
    this.rules = rules;
  }

  /** The regions blacked out on every frame. */
  public List<Region> regions() {
    return regions;
  }

  /** Names of the signature rules that applied. */
  public List<String> rules() {
    return rules;
  }

  public int frameCount() {
    return frames.length;
  }

  /** The source header (with the source's identity: for the identity check only). */
  AttributeList header() {
    return list;
  }

  /** The redacted frames as {@code lakehouse ocr} sees pixels (colour as luminance). */
  public DecodedImage decoded() {
    boolean colour = samples == 3;
    DecodedImage.FrameLoader loader =
        f -> {
          int[] in = frames[f];
          int[] out = new int[rows * columns];
          for (int i = 0; i < out.length; i++) {
            if (colour) {
              out[i] =
                  (int)
                      Math.round(0.299 * in[3 * i] + 0.587 * in[3 * i + 1] + 0.114 * in[3 * i + 2]);
            } else {
              int v = in[i];
              out[i] = signed ? (v << (32 - bitsStored)) >> (32 - bitsStored) : v;
            }
          }
          return out;
        };
    if (colour && photometric.equals("YBR_FULL")) {
      // Y is the luminance.
      loader =
          f -> {
            int[] in = frames[f];
            int[] out = new int[rows * columns];
            for (int i = 0; i < out.length; i++) {
              out[i] = in[3 * i];
            }
            return out;
          };
    }
    return new DecodedImage(
        rows,
        columns,
        frames.length,
        colour ? 8 : bitsStored,
        signed && !colour,
        photometric.equals("MONOCHROME1"),
        colour,
        loader,
        List.of(),
        (plane, frame) -> new boolean[0]);
  }

  /** Window and rescale of the header, for the OCR passes. */
  public PixelDescriptor descriptor() {
    double slope = first(TagFromName.RescaleSlope, 1.0);
    double intercept = first(TagFromName.RescaleIntercept, 0.0);
    return new PixelDescriptor(
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID),
        null,
        PixelRedactor.EXPLICIT_LE,
        rows,
        columns,
        frames.length,
        samples,
        bitsAllocated,
        bitsStored,
        bitsStored - 1,
        signed ? 1 : 0,
        photometric,
        0,
        0L,
        (long) rows * columns * samples * frames.length * (bitsAllocated / 8),
        bitsAllocated == 8 ? "OB" : "OW",
        Attribute.getDoubleValues(list, TagFromName.WindowCenter),
        Attribute.getDoubleValues(list, TagFromName.WindowWidth),
        slope,
        intercept,
        List.of(),
        new double[0]);
  }

  private double first(AttributeTag tag, double fallback) {
    double[] v = Attribute.getDoubleValues(list, tag);
    return v == null || v.length == 0 ? fallback : v[0];
  }

  /**
   * The whole file, explicit VR little endian: redacted pixels, overlays (60xx) and icon removed,
   * BurnedInAnnotation NO. Still the source's header otherwise: the caller de-identifies it. With
   * {@code keepOverlays} (the project keeps overlays after their OCR check, {@link OverlayScreen},
   * which the caller runs) the overlays with their own OverlayData stay; embedded ones (their bits
   * were cleared) always go.
   */
  public byte[] toFile(boolean keepOverlays) throws DicomException, IOException {
    for (AttributeTag tag : new ArrayList<>(list.keySet())) {
      int group = tag.getGroup();
      if ((group & 0xFF00) == 0x6000
          && group % 2 == 0
          && (!keepOverlays || list.get(new AttributeTag(group, 0x3000)) == null)) {
        list.remove(tag);
      }
    }
    PixelRedactor.DROPPED.forEach(list::remove);
    list.put(NativePixels.write(frames, bitsAllocated));
    putCs(TagFromName.PhotometricInterpretation, photometric);
    putUs(TagFromName.BitsAllocated, bitsAllocated);
    putUs(TagFromName.BitsStored, bitsStored);
    putUs(TagFromName.HighBit, bitsStored - 1);
    putUs(TagFromName.PixelRepresentation, signed ? 1 : 0);
    if (samples == 3) {
      putUs(TagFromName.PlanarConfiguration, 0);
    } else {
      list.remove(TagFromName.PlanarConfiguration);
    }
    putCs(TagFromName.BurnedInAnnotation, "NO");
    FileMetaInformation.addFileMetaInformation(
        list, TransferSyntax.ExplicitVRLittleEndian, "LAKEHOUSE");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
    return out.toByteArray();
  }

  private void putCs(AttributeTag tag, String value) throws DicomException {
    Attribute a = new CodeStringAttribute(tag);
    a.addValue(value);
    list.put(a);
  }

  private void putUs(AttributeTag tag, int value) throws DicomException {
    Attribute a = new UnsignedShortAttribute(tag);
    a.addValue(value);
    list.put(a);
  }

  /** Records what was blacked out (the frames were changed in place). */
  RedactedImage withRegions(List<Region> blackedOut, List<String> appliedRules) {
    this.regions = blackedOut;
    this.rules = appliedRules;
    return this;
  }

  int samples() {
    return samples;
  }

  int bitsStored() {
    return bitsStored;
  }

  boolean signed() {
    return signed;
  }

  String photometric() {
    return photometric;
  }

  /** One redacted frame as stored values (interleaved samples), for thumbnails. */
  public int[] frame(int index) {
    return frames[index];
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }
}
