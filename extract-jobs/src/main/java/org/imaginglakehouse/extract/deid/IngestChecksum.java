package org.imaginglakehouse.extract.deid;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ingest's {@code file_checksum} (docs/ingest.md, ingest-jobs {@code DicomHeaderParser}),
 * recomputed while a source is read: {@code sha256h:} + SHA-256 of the bytes before the PixelData
 * value (the whole file without PixelData), at most the first 8 MiB, followed by the file length as
 * 8 big-endian bytes; or {@code sha256:} + SHA-256 of the whole file.
 */
final class IngestChecksum {
  static final String HEADER_PREFIX = "sha256h:";
  static final String FULL_PREFIX = "sha256:";

  /** Ingest digests at most this many header bytes. */
  static final int HEADER_LIMIT = 8 << 20;

  /** Which form an expected checksum has. */
  enum Mode {
    NONE,
    HEADER,
    FULL
  }

  private IngestChecksum() {}

  static Mode modeOf(String expected) {
    if (expected == null) {
      return Mode.NONE;
    }
    if (expected.startsWith(HEADER_PREFIX)) {
      return Mode.HEADER;
    }
    if (expected.startsWith(FULL_PREFIX)) {
      return Mode.FULL;
    }
    throw new IllegalArgumentException(
        "Unknown checksum form: expected " + HEADER_PREFIX + "<hex> or " + FULL_PREFIX + "<hex>");
  }

  static String header(byte[] bytes, int available, long headerLength, long fileLength) {
    MessageDigest digest = sha256();
    int n = (int) Math.min(Math.min(headerLength, HEADER_LIMIT), available);
    digest.update(bytes, 0, n);
    byte[] length = new byte[8];
    for (int i = 0; i < 8; i++) {
      length[i] = (byte) (fileLength >>> (56 - 8 * i));
    }
    digest.update(length);
    return HEADER_PREFIX + HexFormat.of().formatHex(digest.digest());
  }

  static String full(MessageDigest digest) {
    return FULL_PREFIX + HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
