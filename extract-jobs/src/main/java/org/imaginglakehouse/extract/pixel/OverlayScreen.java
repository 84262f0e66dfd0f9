package org.imaginglakehouse.extract.pixel;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.imaginglakehouse.transform.ocr.OcrOutcome;
import org.imaginglakehouse.transform.ocr.OcrPass;
import org.imaginglakehouse.transform.ocr.OcrRunner;
import org.imaginglakehouse.transform.ocr.OcrSettings;
import org.imaginglakehouse.transform.pixel.DecodedImage;
import org.imaginglakehouse.transform.pixel.OverlayPlane;
import org.imaginglakehouse.transform.pixel.Overlays;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * Decides which overlay planes (groups 6000–601E) a project that keeps overlays ({@code
 * pixel.overlays: keep}) may release: each plane with its own OverlayData is rendered and read by
 * the engine of {@code lakehouse ocr} exactly as that job reads overlays ({@link OcrRunner}, its
 * overlay pass: set bits black on white, upscaled, the same frame sampling and confidences). A
 * plane on which any text word is read is removed; so is a plane embedded in the pixel data (no
 * OverlayData: its bits are cleared by the writer) and one whose data cannot be read (fail closed).
 * A plane kept keeps only the attributes that draw it: its free text (OverlayDescription,
 * OverlayLabel, comments) is removed. Plain Java; one instance per thread (Tesseract handles are
 * per thread).
 */
public final class OverlayScreen {
  /** Elements of a kept overlay group: geometry, type and bits, never free text. */
  static final Set<Integer> DRAWING =
      Set.of(
          0x0010, // OverlayRows
          0x0011, // OverlayColumns
          0x0015, // NumberOfFramesInOverlay
          0x0040, // OverlayType
          0x0045, // OverlaySubtype
          0x0050, // OverlayOrigin
          0x0051, // ImageFrameOrigin
          0x0100, // OverlayBitsAllocated
          0x0102, // OverlayBitPosition
          0x3000); // OverlayData

  /** What happened to the overlay planes of one image. */
  public record Result(int kept, int removedText, int removedEmbedded, int removedUnreadable) {
    public static final Result NONE = new Result(0, 0, 0, 0);

    public int removed() {
      return removedText + removedEmbedded + removedUnreadable;
    }
  }

  private final OcrSettings settings;

  /** {@code base}: the settings of {@code lakehouse ocr}; only its overlay reading is used. */
  public OverlayScreen(OcrSettings base) {
    this.settings = base.withPasses(List.of(OcrPass.OVERLAY), false);
  }

  /** Screens the overlay groups of {@code header} in place (removing those that may not go). */
  public Result screen(AttributeList header) {
    int kept = 0;
    int text = 0;
    int embedded = 0;
    int unreadable = 0;
    for (int group = 0x6000; group <= 0x601E; group += 2) {
      List<AttributeTag> tags = tags(header, group);
      if (tags.isEmpty()) {
        continue;
      }
      Attribute data = header.get(new AttributeTag(group, 0x3000));
      if (data == null) {
        embedded++;
        tags.forEach(header::remove);
        continue;
      }
      OverlayPlane plane = plane(header, group, data);
      OcrOutcome outcome = plane == null ? null : read(plane);
      if (outcome == null || outcome.status().equals(OcrOutcome.UNDECODABLE)) {
        unreadable++;
        tags.forEach(header::remove);
      } else if (outcome.words().stream()
          .anyMatch(w -> OcrRunner.isText(w.word(), settings.textConfidence()))) {
        text++;
        tags.forEach(header::remove);
      } else {
        kept++;
        for (AttributeTag t : tags) {
          if (!DRAWING.contains(t.getElement())) {
            header.remove(t);
          }
        }
      }
    }
    return new Result(kept, text, embedded, unreadable);
  }

  private static List<AttributeTag> tags(AttributeList header, int group) {
    List<AttributeTag> out = new ArrayList<>();
    for (AttributeTag t : header.keySet()) {
      if (t.getGroup() == group) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * The plane as {@code lakehouse ocr} parses it, or null when its geometry or data is unusable.
   */
  private static OverlayPlane plane(AttributeList header, int group, Attribute data) {
    int rows = value(header, group, 0x0010, 0);
    int columns = value(header, group, 0x0011, 0);
    byte[] bytes;
    try {
      bytes = NativePixels.bytes(data);
    } catch (RedactionException e) {
      return null;
    }
    if (rows <= 0 || columns <= 0 || bytes == null || bytes.length == 0) {
      return null;
    }
    return new OverlayPlane(
        group,
        rows,
        columns,
        1,
        1,
        Math.max(1, value(header, group, 0x0015, 1)),
        value(header, group, 0x0100, 1),
        value(header, group, 0x0102, 0),
        bytes);
  }

  private static int value(AttributeList header, int group, int element, int fallback) {
    return Attribute.getSingleIntegerValueOrDefault(
        header, new AttributeTag(group, element), fallback);
  }

  /** OCRs one plane with the overlay pass of {@code lakehouse ocr} (no image pixels). */
  private OcrOutcome read(OverlayPlane plane) {
    int n = plane.rows() * plane.columns();
    DecodedImage image =
        new DecodedImage(
            plane.rows(),
            plane.columns(),
            plane.frames(),
            8,
            false,
            false,
            false,
            f -> new int[n],
            List.of(plane),
            Overlays::fromOverlayData);
    PixelDescriptor descriptor =
        new PixelDescriptor(
            plane.label(),
            null,
            PixelRedactor.EXPLICIT_LE,
            plane.rows(),
            plane.columns(),
            plane.frames(),
            1,
            8,
            8,
            7,
            0,
            "MONOCHROME2",
            0,
            0L,
            (long) n * plane.frames(),
            "OB",
            new double[0],
            new double[0],
            1.0,
            0.0,
            List.of(plane),
            new double[0]);
    return new OcrRunner(settings).run(image, descriptor, System.nanoTime());
  }
}
