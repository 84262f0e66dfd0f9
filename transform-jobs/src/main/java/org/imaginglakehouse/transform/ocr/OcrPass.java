package org.imaginglakehouse.transform.ocr;

import java.util.Locale;

/**
 * The image variants Tesseract is run on. Tesseract (with its own inversion retry switched off for
 * speed) reads dark text on a light background, while burned-in annotations are usually light on
 * dark: {@link #INVERTED} and {@link #THRESHOLDED} cover light text, {@link #WINDOWED} and {@link
 * #AS_IS} dark text and text that only shows at full dynamic range.
 */
public enum OcrPass {
  /** Windowed to 8 bits (window centre/width, or 0.5-99.5 percentile), as displayed. */
  WINDOWED,
  /** Full stored range mapped linearly to 8 bits, no windowing. */
  AS_IS,
  /** Local adaptive threshold (25×25 mean, as IsIdentifiable): bright strokes become black. */
  THRESHOLDED,
  /** The windowed image negated: light text becomes dark text on a light background. */
  INVERTED,
  /**
   * Each bright panel of the windowed image (a light, mostly uniform rectangle such as an
   * ultrasound label box) read on its own as a block of text. Whole-frame layout analysis can take
   * such boxes for pictures and skip the dark text in them, notably when several sit side by side.
   */
  PANELS,
  /** An overlay plane: set bits drawn black on white. */
  OVERLAY;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OcrPass fromId(String id) {
    try {
      return valueOf(id.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new org.imaginglakehouse.core.LakehouseException(
          "Unknown OCR pass '" + id + "': use windowed, as_is, thresholded, inverted or panels");
    }
  }
}
