package org.imaginglakehouse.transform.ocr;

import java.io.Serializable;
import java.util.List;
import net.sourceforge.tess4j.ITessAPI.TessPageSegMode;

/**
 * How images are OCRed.
 *
 * @param passes passes in the order they are run
 * @param stopAfterText stop running further passes on a frame once one pass found text (faster;
 *     identity matching then sees only that pass's words)
 * @param maxFrames frames per instance at most; longer cines are sampled evenly, always including
 *     the first and last frame (0 = all frames)
 * @param upscaleMinSide images whose shorter side is below this are upscaled (integer factor ≤ 4)
 * @param minConfidence words below this Tesseract confidence are dropped
 * @param textConfidence a frame has text when a word with at least this confidence and at least two
 *     letters or digits was read
 */
public record OcrSettings(
    List<OcrPass> passes,
    boolean stopAfterText,
    int maxFrames,
    int upscaleMinSide,
    float minConfidence,
    float textConfidence,
    String tessdata,
    String language,
    int pageSegMode)
    implements Serializable {

  /**
   * Tesseract page segmentation: automatic. On the synthetic PACS's ultrasound frames "sparse text"
   * missed the top annotation line (boxed name and CHI) that automatic layout reads; see
   * docs/benchmarks.md.
   */
  public static final int DEFAULT_PAGE_SEG_MODE = TessPageSegMode.PSM_AUTO;

  /**
   * Version of the detection code behind the passes: bump it whenever a change can make the same
   * settings read different text (2 = the panels pass), so that the next OCR run re-reads every
   * instance flagged by older code. See {@link #fingerprint()}.
   */
  public static final int DETECTOR_VERSION = 2;

  public static final List<OcrPass> DEFAULT_PASSES =
      List.of(
          OcrPass.INVERTED, OcrPass.WINDOWED, OcrPass.THRESHOLDED, OcrPass.AS_IS, OcrPass.PANELS);

  public static OcrSettings defaults() {
    return new OcrSettings(
        DEFAULT_PASSES,
        false,
        16,
        400,
        40f,
        70f,
        TesseractEngine.DEFAULT_TESSDATA,
        TesseractEngine.DEFAULT_LANGUAGE,
        DEFAULT_PAGE_SEG_MODE);
  }

  public OcrSettings withPasses(List<OcrPass> p, boolean stop) {
    return new OcrSettings(
        p,
        stop,
        maxFrames,
        upscaleMinSide,
        minConfidence,
        textConfidence,
        tessdata,
        language,
        pageSegMode);
  }

  /**
   * Everything that decides what an instance's flags say: detector version, passes, frame sampling,
   * upscaling, confidences, language and page segmentation. Stored with each flags row; an instance
   * whose flags carry another fingerprint is OCRed again (unless the run keeps outdated flags). The
   * tessdata path is left out: moving the language data changes nothing.
   */
  public String fingerprint() {
    return String.format(
        java.util.Locale.ROOT,
        "v%d;passes=%s;stop_after_text=%b;max_frames=%d;upscale_min_side=%d;min_confidence=%s;"
            + "text_confidence=%s;language=%s;psm=%d",
        DETECTOR_VERSION,
        passIds(passes),
        stopAfterText,
        maxFrames,
        upscaleMinSide,
        Float.toString(minConfidence),
        Float.toString(textConfidence),
        language,
        pageSegMode);
  }

  /** Pass ids joined by commas, as the {@code passes} option takes them. */
  public static String passIds(List<OcrPass> passes) {
    return String.join(",", passes.stream().map(OcrPass::id).toList());
  }
}
