package org.imaginglakehouse.transform.ocr;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.sourceforge.tess4j.ITessAPI.TessBaseAPI;
import net.sourceforge.tess4j.ITessAPI.TessOcrEngineMode;
import net.sourceforge.tess4j.ITessAPI.TessPageIteratorLevel;
import net.sourceforge.tess4j.ITessAPI.TessResultIterator;
import net.sourceforge.tess4j.TessAPI;
import org.imaginglakehouse.core.LakehouseException;

/**
 * One Tesseract handle (TessBaseAPI through Tess4J's JNA binding to Debian's libtesseract). A
 * handle is not thread-safe: use one per thread, see {@link TesseractPool}. We hand Tesseract 8-bit
 * grey rasters directly (no Leptonica or ImageIO conversion) and read words, confidences and boxes
 * from the result iterator.
 *
 * <p>Tesseract uses OpenMP inside; with several handles in parallel threads it must run with {@code
 * OMP_THREAD_LIMIT=1} (environment variable, set before the JVM starts) or the threads
 * oversubscribe the cores.
 */
public final class TesseractEngine implements AutoCloseable {
  /** Debian's tessdata directory for Tesseract 5. */
  public static final String DEFAULT_TESSDATA = "/usr/share/tesseract-ocr/5/tessdata";

  public static final String DEFAULT_LANGUAGE = "eng";

  private final TessAPI api;
  private TessBaseAPI handle;

  public TesseractEngine(String tessdata, String language, int pageSegMode) {
    ensureLibraryPath();
    Path data = Path.of(tessdata);
    if (!Files.isRegularFile(data.resolve(language + ".traineddata"))) {
      throw new LakehouseException(
          "Tesseract language data "
              + data.resolve(language + ".traineddata")
              + " not found: install tesseract-ocr-"
              + language
              + " or set the tessdata option");
    }
    try {
      this.api = TessAPI.INSTANCE;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new LakehouseException(
          "Cannot load libtesseract (install tesseract-ocr, or point -Djna.library.path at the"
              + " directory holding libtesseract.so.5): "
              + e.getMessage(),
          e);
    }
    this.handle = api.TessBaseAPICreate();
    int rc =
        api.TessBaseAPIInit2(handle, data.toString(), language, TessOcrEngineMode.OEM_LSTM_ONLY);
    if (rc != 0) {
      api.TessBaseAPIDelete(handle);
      handle = null;
      throw new LakehouseException(
          "Tesseract initialisation failed for language " + language + " in " + tessdata);
    }
    api.TessBaseAPISetPageSegMode(handle, pageSegMode);
    // Our passes invert explicitly; Tesseract's own per-line inversion retry doubles the time.
    api.TessBaseAPISetVariable(handle, "tessedit_do_invert", "0");
    api.TessBaseAPISetVariable(handle, "debug_file", "/dev/null");
  }

  /** JNA looks in jna.library.path and the system paths; add Debian's multiarch directory. */
  private static void ensureLibraryPath() {
    String current = System.getProperty("jna.library.path");
    String debian = "/usr/lib/x86_64-linux-gnu";
    if (current == null || current.isBlank()) {
      System.setProperty("jna.library.path", debian);
    } else if (!current.contains(debian)) {
      System.setProperty("jna.library.path", current + java.io.File.pathSeparator + debian);
    }
  }

  /**
   * Recognises an 8-bit grey raster (row-major, {@code width} bytes per row). Boxes are divided by
   * {@code scale} so they refer to the raster before any upscaling.
   */
  public List<OcrWord> recognise(byte[] grey, int width, int height, double scale) {
    return recognise(grey, width, height, scale, -1);
  }

  /**
   * As {@link #recognise(byte[], int, int, double)}, with a page segmentation mode for this call
   * only ({@code -1}: the handle's own).
   */
  public List<OcrWord> recognise(
      byte[] grey, int width, int height, double scale, int pageSegMode) {
    if (handle == null) {
      throw new IllegalStateException("Tesseract handle closed");
    }
    int previousMode = -1;
    if (pageSegMode >= 0) {
      previousMode = api.TessBaseAPIGetPageSegMode(handle);
      api.TessBaseAPISetPageSegMode(handle, pageSegMode);
    }
    ByteBuffer buffer = ByteBuffer.allocateDirect(grey.length);
    buffer.put(grey).flip();
    api.TessBaseAPISetImage(handle, buffer, width, height, 1, width);
    List<OcrWord> words = new ArrayList<>();
    try {
      if (api.TessBaseAPIRecognize(handle, null) != 0) {
        return words;
      }
      TessResultIterator it = api.TessBaseAPIGetIterator(handle);
      if (it == null) {
        return words;
      }
      try {
        var page = api.TessResultIteratorGetPageIterator(it);
        int line = -1;
        IntBuffer l = IntBuffer.allocate(1);
        IntBuffer t = IntBuffer.allocate(1);
        IntBuffer r = IntBuffer.allocate(1);
        IntBuffer b = IntBuffer.allocate(1);
        do {
          if (api.TessPageIteratorIsAtBeginningOf(page, TessPageIteratorLevel.RIL_TEXTLINE) != 0) {
            line++;
          }
          Pointer text = api.TessResultIteratorGetUTF8Text(it, TessPageIteratorLevel.RIL_WORD);
          if (text == null) {
            continue;
          }
          String word;
          try {
            word = text.getString(0, "UTF-8").strip();
          } finally {
            api.TessDeleteText(text);
          }
          if (word.isEmpty()) {
            continue;
          }
          float conf = api.TessResultIteratorConfidence(it, TessPageIteratorLevel.RIL_WORD);
          l.clear();
          t.clear();
          r.clear();
          b.clear();
          api.TessPageIteratorBoundingBox(page, TessPageIteratorLevel.RIL_WORD, l, t, r, b);
          int x0 = (int) Math.floor(l.get(0) / scale);
          int y0 = (int) Math.floor(t.get(0) / scale);
          int x1 = (int) Math.ceil(r.get(0) / scale);
          int y1 = (int) Math.ceil(b.get(0) / scale);
          words.add(new OcrWord(word, conf, x0, y0, x1 - x0, y1 - y0, Math.max(line, 0)));
        } while (api.TessPageIteratorNext(page, TessPageIteratorLevel.RIL_WORD) != 0);
      } finally {
        api.TessResultIteratorDelete(it);
      }
      return words;
    } finally {
      api.TessBaseAPIClear(handle);
      if (previousMode >= 0) {
        api.TessBaseAPISetPageSegMode(handle, previousMode);
      }
    }
  }

  @Override
  public void close() {
    if (handle != null) {
      api.TessBaseAPIEnd(handle);
      api.TessBaseAPIDelete(handle);
      handle = null;
    }
  }
}
