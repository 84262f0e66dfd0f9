package org.imaginglakehouse.transform.ocr;

import java.io.Serializable;
import java.util.List;

/**
 * What OCR found in one instance.
 *
 * @param status {@code text}, {@code no_text}, {@code undecodable} or {@code skipped_by_policy}
 * @param reason why it was undecodable or skipped (null otherwise)
 * @param words every word kept, with where it was found
 * @param framesTotal frames in the instance
 * @param framesRead frames actually OCRed (after sampling)
 * @param overlaysRead overlay planes OCRed (per frame they apply to)
 * @param tesseractCalls number of Tesseract recognitions
 * @param millis wall time spent
 */
public record OcrOutcome(
    String status,
    String reason,
    List<FoundWord> words,
    int framesTotal,
    int framesRead,
    int overlaysRead,
    int tesseractCalls,
    long millis)
    implements Serializable {
  public static final String TEXT = "text";
  public static final String NO_TEXT = "no_text";
  public static final String UNDECODABLE = "undecodable";
  public static final String SKIPPED = "skipped_by_policy";

  /** A word with its origin: {@code source} is {@code pixels} or an overlay label. */
  public record FoundWord(String source, int frame, String pass, int wordIndex, OcrWord word)
      implements Serializable {}
}
