package org.imaginglakehouse.ingest.dicom;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import org.imaginglakehouse.core.dicom.HeaderBytes;

/**
 * Keeps the first {@code limit} bytes read through it (for the DICM check and the header checksum)
 * and optionally feeds every byte read into a digest (full-file checksum). Counts bytes read.
 */
final class RecordingInputStream extends FilterInputStream {
  private final int limit;
  private final MessageDigest streamDigest;
  private byte[] buffer = new byte[8192];
  private int recorded;
  private long count;

  RecordingInputStream(InputStream in, int limit, MessageDigest streamDigest) {
    super(in);
    this.limit = limit;
    this.streamDigest = streamDigest;
  }

  private boolean sourceFailed;
  private boolean endReached;

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = super.read();
    } catch (IOException e) {
      sourceFailed = true;
      throw e;
    }
    if (b >= 0) {
      record(new byte[] {(byte) b}, 0, 1);
    } else {
      endReached = true;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (IOException e) {
      sourceFailed = true;
      throw e;
    }
    if (n > 0) {
      record(b, off, n);
    } else if (n < 0) {
      endReached = true;
    }
    return n;
  }

  /** True when reading the underlying source failed (not a parse problem). */
  boolean sourceFailed() {
    return sourceFailed;
  }

  /** True when the end of the source was reached. */
  boolean endReached() {
    return endReached;
  }

  @Override
  public long skip(long n) throws IOException {
    if (streamDigest == null && recorded >= limit) {
      long skipped = super.skip(n);
      count += Math.max(0, skipped);
      return skipped;
    }
    // Read instead of skipping so that recording and digest stay complete.
    byte[] scratch = new byte[(int) Math.min(n, 65536)];
    int r = read(scratch, 0, scratch.length);
    return Math.max(r, 0);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void record(byte[] b, int off, int n) {
    count += n;
    if (streamDigest != null) {
      streamDigest.update(b, off, n);
    }
    int keep = Math.min(n, limit - recorded);
    if (keep > 0) {
      if (recorded + keep > buffer.length) {
        buffer =
            Arrays.copyOf(buffer, Math.min(limit, Math.max(buffer.length * 2, recorded + keep)));
      }
      System.arraycopy(b, off, buffer, recorded, keep);
      recorded += keep;
    }
  }

  /**
   * The kept bytes as a {@link HeaderBytes}: asking for more reads on in blocks of at least {@code
   * block} bytes, never past the recording limit (so that everything read stays kept and the file
   * can be read again from its start).
   */
  HeaderBytes headerBytes(int block) {
    return new HeaderBytes() {
      @Override
      public byte[] array() {
        return buffer;
      }

      @Override
      public int available() {
        return recorded;
      }

      @Override
      public boolean ensure(int end) throws IOException {
        byte[] scratch = null;
        while (recorded < end && !endReached) {
          int want = Math.min(Math.max(block, end - recorded), limit - recorded);
          if (want <= 0) {
            return false;
          }
          if (scratch == null || scratch.length < want) {
            scratch = new byte[want];
          }
          read(scratch, 0, want);
        }
        return recorded >= end;
      }
    };
  }

  /** Bytes kept from the start of the stream. */
  byte[] buffer() {
    return buffer;
  }

  int recorded() {
    return recorded;
  }

  /** The digest of every byte read (full-file mode only). */
  byte[] digest() {
    return streamDigest.digest();
  }

  long count() {
    return count;
  }
}
