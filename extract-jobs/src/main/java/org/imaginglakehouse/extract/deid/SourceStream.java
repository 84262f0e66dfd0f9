package org.imaginglakehouse.extract.deid;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import org.imaginglakehouse.core.dicom.HeaderBytes;

/**
 * The source file as {@link ExtractFileWriter} reads it: counts every byte, digests every byte when
 * a whole-file checksum is checked, and keeps the bytes read while the header is parsed (PixelMed
 * and its buffers read ahead; the kept bytes let the writer find the PixelData element and copy it
 * from where parsing left off). Remembers whether the source itself failed, to tell an I/O error
 * from bad content.
 */
final class SourceStream extends InputStream {
  /** Longest header kept in memory; a longer one is refused. */
  static final int RECORD_LIMIT = 64 << 20;

  private final InputStream in;
  private final MessageDigest fullDigest;
  private byte[] recorded = new byte[65536];
  private int recordedCount;
  private boolean recording = true;
  private long count;
  private boolean failed;
  private boolean endReached;

  SourceStream(InputStream in, MessageDigest fullDigest) {
    this.in = in;
    this.fullDigest = fullDigest;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      failed = true;
      throw e;
    }
    if (n < 0) {
      endReached = true;
      return n;
    }
    count += n;
    if (fullDigest != null) {
      fullDigest.update(b, off, n);
    }
    if (recording && n > 0) {
      record(b, off, n);
    }
    return n;
  }

  /** Reads (never seeks) so that skipped bytes are counted, digested and kept too. */
  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[(int) Math.min(n, 65536)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  private void record(byte[] b, int off, int n) throws IOException {
    ensureCapacity(recordedCount + n);
    System.arraycopy(b, off, recorded, recordedCount, n);
    recordedCount += n;
  }

  private void ensureCapacity(int size) throws HeaderTooLargeException {
    if (size > recorded.length) {
      if (size > RECORD_LIMIT) {
        throw new HeaderTooLargeException();
      }
      recorded =
          Arrays.copyOf(recorded, Math.min(RECORD_LIMIT, Math.max(recorded.length * 2, size)));
    }
  }

  /** Reads on (keeping the bytes) until {@code n} bytes are kept or the source ends. */
  void fill(int n) throws IOException {
    byte[] scratch = new byte[8192];
    while (recording && recordedCount < n) {
      int r = read(scratch, 0, Math.min(scratch.length, n - recordedCount));
      if (r < 0) {
        return;
      }
    }
  }

  /**
   * The kept bytes as a {@link HeaderBytes}: asking for more reads on in blocks of at least 16 KiB
   * (kept, counted and digested like every other read).
   */
  HeaderBytes headerBytes() {
    return new HeaderBytes() {
      @Override
      public byte[] array() {
        return recorded;
      }

      @Override
      public int available() {
        return recordedCount;
      }

      @Override
      public boolean ensure(int end) throws IOException {
        while (recording && recordedCount < end) {
          int want = Math.max(end - recordedCount, 16384);
          if (recordedCount + want > RECORD_LIMIT) {
            want = Math.max(end - recordedCount, RECORD_LIMIT - recordedCount);
          }
          ensureCapacity(recordedCount + want);
          // Straight into the kept bytes (keeping them is then a copy onto themselves).
          if (read(recorded, recordedCount, want) < 0) {
            return false;
          }
        }
        return recordedCount >= end;
      }
    };
  }

  /** Stops keeping bytes: the rest is streamed. */
  void stopRecording() {
    recording = false;
  }

  byte[] recorded() {
    return recorded;
  }

  int recordedCount() {
    return recordedCount;
  }

  long count() {
    return count;
  }

  boolean failed() {
    return failed;
  }

  boolean endReached() {
    return endReached;
  }

  /** The header is longer than {@link #RECORD_LIMIT}. */
  static final class HeaderTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    HeaderTooLargeException() {
      super("header longer than " + (RECORD_LIMIT >> 20) + " MiB");
    }
  }
}
