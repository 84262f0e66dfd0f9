package org.imaginglakehouse.core;

/** Argument and state checks whose messages say what failed and what to do about it. */
public final class Preconditions {
  private Preconditions() {}

  /**
   * Throws {@link LakehouseException} with a formatted message when {@code condition} is false.
   *
   * <p>Example: {@code checkArgument(exists, "Cannot ingest %s: %s", path, "no such file")}.
   */
  public static void checkArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new LakehouseException(String.format(format, args));
    }
  }

  /** Returns {@code value} or throws {@link LakehouseException} when it is null. */
  public static <T> T checkNotNull(T value, String format, Object... args) {
    if (value == null) {
      throw new LakehouseException(String.format(format, args));
    }
    return value;
  }
}
