package org.imaginglakehouse.ingest.dicom;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps PixelMed from flooding executor logs. PixelMed reports every malformed element through its
 * slf4j shim (log4j2 inside Spark, java.util.logging elsewhere) with a stack trace, and a few code
 * paths print to {@code System.err}; on a PACS copy with thousands of junk files this buries the
 * real log. Validation results are reported as data ({@code ingest_errors}) instead.
 *
 * <p>{@link #install()} turns the {@code com.pixelmed} loggers off and replaces {@code System.err}
 * by a stream that drops output only from threads currently inside {@link #quietly}; other threads
 * still print normally.
 */
public final class QuietPixelMed {
  private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);
  // Strong reference: java.util.logging keeps loggers weakly and would forget the level.
  private static final Logger JUL = Logger.getLogger("com.pixelmed");
  private static volatile boolean installed;

  private QuietPixelMed() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    JUL.setLevel(Level.OFF);
    try {
      Class<?> configurator = Class.forName("org.apache.logging.log4j.core.config.Configurator");
      Class<?> level = Class.forName("org.apache.logging.log4j.Level");
      Method setLevel = configurator.getMethod("setLevel", String.class, level);
      setLevel.invoke(null, "com.pixelmed", level.getField("OFF").get(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      // No log4j2 core: PixelMed then logs through java.util.logging, silenced above.
    }
    PrintStream original = System.err;
    System.setErr(
        new PrintStream(
            new OutputStream() {
              @Override
              public void write(int b) {
                if (!QUIET.get()) {
                  original.write(b);
                }
              }

              @Override
              public void write(byte[] b, int off, int len) {
                if (!QUIET.get()) {
                  original.write(b, off, len);
                }
              }

              @Override
              public void flush() {
                original.flush();
              }
            },
            true));
    installed = true;
  }

  /** Runs {@code action} with this thread's stderr output dropped. */
  public static <T, E extends Exception> T quietly(ThrowingSupplier<T, E> action) throws E {
    install();
    boolean before = QUIET.get();
    QUIET.set(true);
    try {
      return action.get();
    } finally {
      QUIET.set(before);
    }
  }

  /** A supplier that may throw. */
  @FunctionalInterface
  public interface ThrowingSupplier<T, E extends Exception> {
    T get() throws E;
  }
}
