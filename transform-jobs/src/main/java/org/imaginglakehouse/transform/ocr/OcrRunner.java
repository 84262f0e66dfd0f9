package org.imaginglakehouse.transform.ocr;

import java.util.ArrayList;
import java.util.List;
import net.sourceforge.tess4j.ITessAPI.TessPageSegMode;
import org.imaginglakehouse.transform.pixel.DecodedImage;
import org.imaginglakehouse.transform.pixel.OverlayPlane;
import org.imaginglakehouse.transform.pixel.PixelDecodeException;
import org.imaginglakehouse.transform.pixel.PixelDecoder;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;

/**
 * Runs the OCR passes over the (sampled) frames and overlays of one instance with this thread's
 * Tesseract handle. Plain Java: the Spark job calls it per instance on the executors.
 */
public final class OcrRunner {
  /**
   * White margin around a panel's crop. Tesseract misread or skipped boxed text cropped with the
   * dark surroundings or flush with the edge; on a white page with a margin it reads it in every
   * page segmentation mode.
   */
  static final int PANEL_MARGIN = 10;

  private final OcrSettings settings;

  public OcrRunner(OcrSettings settings) {
    this.settings = settings;
  }

  /** Decodes and OCRs one instance; never throws for bad pixel data (status undecodable). */
  public OcrOutcome run(PixelDescriptor descriptor) {
    long start = System.nanoTime();
    DecodedImage image;
    try {
      image = PixelDecoder.decode(descriptor);
    } catch (PixelDecodeException e) {
      return new OcrOutcome(
          OcrOutcome.UNDECODABLE,
          e.getMessage(),
          List.of(),
          descriptor.frames(),
          0,
          0,
          0,
          elapsed(start));
    } catch (RuntimeException e) {
      return new OcrOutcome(
          OcrOutcome.UNDECODABLE,
          "decoder failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
          List.of(),
          descriptor.frames(),
          0,
          0,
          0,
          elapsed(start));
    }
    return run(image, descriptor, start);
  }

  /** OCRs an already decoded image. */
  public OcrOutcome run(DecodedImage image, PixelDescriptor descriptor, long startNanos) {
    TesseractEngine engine =
        TesseractPool.get(settings.tessdata(), settings.language(), settings.pageSegMode());
    List<OcrOutcome.FoundWord> found = new ArrayList<>();
    int[] frames = DecodedImage.sampleFrames(image.frameCount(), settings.maxFrames());
    int calls = 0;
    int overlaysRead = 0;
    boolean text = false;
    double centre = first(descriptor.windowCentre());
    double width = first(descriptor.windowWidth());
    int w = image.columns();
    int h = image.rows();
    int factor = OcrPreprocessor.upscaleFactor(w, h, settings.upscaleMinSide());
    try {
      for (int f : frames) {
        int[] values = image.frame(f);
        int[] windowed = null;
        for (OcrPass pass : settings.passes()) {
          if (pass == OcrPass.OVERLAY) {
            continue;
          }
          if (pass != OcrPass.AS_IS && windowed == null) {
            windowed =
                image.colour()
                    ? values
                    : OcrPreprocessor.window(
                        values,
                        centre,
                        width,
                        descriptor.rescaleSlope(),
                        descriptor.rescaleIntercept(),
                        image.monochrome1());
          }
          boolean passText;
          if (pass == OcrPass.PANELS) {
            int[] panelCalls = {0};
            passText = readPanels(engine, windowed, w, h, factor, f, found, panelCalls);
            calls += panelCalls[0];
          } else {
            int[] grey =
                switch (pass) {
                  case INVERTED -> invert(windowed);
                  case AS_IS -> OcrPreprocessor.fullRange(values, image.monochrome1());
                  case THRESHOLDED ->
                      OcrPreprocessor.adaptiveThreshold(
                          windowed, w, h, OcrPreprocessor.THRESHOLD_WINDOW, 25);
                  default -> windowed;
                };
            OcrPreprocessor.Raster8 raster = OcrPreprocessor.toRaster(grey, w, h, factor);
            List<OcrWord> words =
                engine.recognise(raster.pixels(), raster.width(), raster.height(), raster.scale());
            calls++;
            passText = addWords(found, "pixels", f, pass, words);
          }
          text |= passText;
          if (passText && settings.stopAfterText()) {
            break;
          }
        }
        for (OverlayPlane plane : image.overlays()) {
          if (plane.frames() <= 1 && f != frames[0]) {
            continue; // a single-frame overlay applies to all frames: read it once
          }
          boolean[] mask = image.overlay(plane, f);
          int ow = plane.columns();
          int oh = plane.rows();
          int of = OcrPreprocessor.upscaleFactor(ow, oh, settings.upscaleMinSide());
          OcrPreprocessor.Raster8 raster =
              OcrPreprocessor.toRaster(OcrPreprocessor.overlay(mask), ow, oh, of);
          List<OcrWord> words =
              engine.recognise(raster.pixels(), raster.width(), raster.height(), raster.scale());
          calls++;
          overlaysRead++;
          text |= addWords(found, plane.label(), f, OcrPass.OVERLAY, words);
        }
      }
    } catch (PixelDecodeException e) {
      return new OcrOutcome(
          OcrOutcome.UNDECODABLE,
          e.getMessage(),
          found,
          image.frameCount(),
          frames.length,
          overlaysRead,
          calls,
          elapsed(startNanos));
    }
    return new OcrOutcome(
        text ? OcrOutcome.TEXT : OcrOutcome.NO_TEXT,
        null,
        found,
        image.frameCount(),
        frames.length,
        overlaysRead,
        calls,
        elapsed(startNanos));
  }

  /**
   * The {@link OcrPass#PANELS} pass: each bright panel of the windowed frame is read on its own as
   * one block of text; word boxes are mapped back to frame coordinates and each panel's lines get
   * their own line numbers (so identity matching never joins words of two panels).
   */
  private boolean readPanels(
      TesseractEngine engine,
      int[] windowed,
      int w,
      int h,
      int factor,
      int frame,
      List<OcrOutcome.FoundWord> found,
      int[] calls) {
    List<OcrWord> words = new ArrayList<>();
    int lineBase = 0;
    for (OcrPreprocessor.Region panel : OcrPreprocessor.brightPanels(windowed, w, h)) {
      int[] crop = OcrPreprocessor.crop(windowed, w, panel, PANEL_MARGIN);
      OcrPreprocessor.Raster8 raster =
          OcrPreprocessor.toRaster(
              crop, panel.width() + 2 * PANEL_MARGIN, panel.height() + 2 * PANEL_MARGIN, factor);
      List<OcrWord> read =
          engine.recognise(
              raster.pixels(),
              raster.width(),
              raster.height(),
              raster.scale(),
              TessPageSegMode.PSM_SINGLE_BLOCK);
      calls[0]++;
      int lines = 0;
      for (OcrWord word : read) {
        words.add(
            new OcrWord(
                word.text(),
                word.confidence(),
                Math.max(0, word.left() - PANEL_MARGIN) + panel.x(),
                Math.max(0, word.top() - PANEL_MARGIN) + panel.y(),
                word.width(),
                word.height(),
                lineBase + word.line()));
        lines = Math.max(lines, word.line() + 1);
      }
      lineBase += lines;
    }
    return addWords(found, "pixels", frame, OcrPass.PANELS, words);
  }

  /** Keeps words above the minimum confidence; returns whether any counts as text. */
  private boolean addWords(
      List<OcrOutcome.FoundWord> found,
      String source,
      int frame,
      OcrPass pass,
      List<OcrWord> words) {
    boolean text = false;
    int index = 0;
    for (OcrWord word : words) {
      if (word.confidence() < settings.minConfidence() || alnum(word.text()) == 0) {
        continue;
      }
      found.add(new OcrOutcome.FoundWord(source, frame, pass.id(), index++, word));
      if (isText(word, settings.textConfidence())) {
        text = true;
      }
    }
    return text;
  }

  /** A word counts as text when confident and carrying at least two letters or digits. */
  public static boolean isText(OcrWord word, float textConfidence) {
    return word.confidence() >= textConfidence && alnum(word.text()) >= 2;
  }

  static int alnum(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (Character.isLetterOrDigit(s.charAt(i))) {
        n++;
      }
    }
    return n;
  }

  private static int[] invert(int[] grey) {
    int[] out = new int[grey.length];
    for (int i = 0; i < grey.length; i++) {
      out[i] = 255 - grey[i];
    }
    return out;
  }

  private static double first(double[] values) {
    return values == null || values.length == 0 ? Double.NaN : values[0];
  }

  private static long elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
