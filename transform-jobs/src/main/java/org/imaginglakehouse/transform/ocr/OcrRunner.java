package org.imaginglakehouse.transform.ocr;

import java.util.ArrayList;
import java.util.List;
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
          int[] grey;
          switch (pass) {
            case WINDOWED, INVERTED -> {
              if (windowed == null) {
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
              grey = pass == OcrPass.INVERTED ? invert(windowed) : windowed;
            }
            case AS_IS -> grey = OcrPreprocessor.fullRange(values, image.monochrome1());
            case THRESHOLDED -> {
              if (windowed == null) {
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
              grey =
                  OcrPreprocessor.adaptiveThreshold(
                      windowed, w, h, OcrPreprocessor.THRESHOLD_WINDOW, 25);
            }
            default -> {
              continue;
            }
          }
          OcrPreprocessor.Raster8 raster = OcrPreprocessor.toRaster(grey, w, h, factor);
          List<OcrWord> words =
              engine.recognise(raster.pixels(), raster.width(), raster.height(), raster.scale());
          calls++;
          boolean passText = addWords(found, "pixels", f, pass, words);
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
