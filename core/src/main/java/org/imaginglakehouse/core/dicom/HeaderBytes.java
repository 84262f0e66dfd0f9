package org.imaginglakehouse.core.dicom;

import java.io.IOException;

/**
 * The start of a file as a growing byte array, for {@link DirectHeaderReader}: the reader asks for
 * more bytes with {@link #ensure(int)} and reads them from {@link #array()} (which may be a new
 * array after each call).
 */
public interface HeaderBytes {
  /** The bytes read so far, from offset 0 of the file; valid up to {@link #available()}. */
  byte[] array();

  /** How many bytes of {@link #array()} are valid. */
  int available();

  /**
   * Reads on until at least {@code end} bytes are available or the file ends.
   *
   * @return whether {@code end} bytes are available
   */
  boolean ensure(int end) throws IOException;

  /** A whole file already in memory. */
  static HeaderBytes of(byte[] file) {
    return new HeaderBytes() {
      @Override
      public byte[] array() {
        return file;
      }

      @Override
      public int available() {
        return file.length;
      }

      @Override
      public boolean ensure(int end) {
        return end <= file.length;
      }
    };
  }
}
