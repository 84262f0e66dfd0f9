package org.imaginglakehouse.transform.ocr;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link TesseractEngine} per thread (Spark executor task thread), created on first use and
 * kept for the life of the JVM, so the ~100 ms initialisation is paid once per thread rather than
 * per image. Handles are keyed by their settings, so differently configured jobs in one JVM do not
 * share a handle.
 */
public final class TesseractPool {
  private static final ThreadLocal<Map<String, TesseractEngine>> ENGINES =
      ThreadLocal.withInitial(ConcurrentHashMap::new);

  private TesseractPool() {}

  /** This thread's engine for the given settings. */
  public static TesseractEngine get(String tessdata, String language, int pageSegMode) {
    String key = tessdata + "|" + language + "|" + pageSegMode;
    return ENGINES
        .get()
        .computeIfAbsent(key, k -> new TesseractEngine(tessdata, language, pageSegMode));
  }
}
