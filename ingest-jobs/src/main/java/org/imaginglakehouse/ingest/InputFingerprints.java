package org.imaginglakehouse.ingest;

import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * 64-bit fingerprints of an input's path and of its change signature (path, size, modification time
 * in microseconds), equal to Spark SQL's {@code xxhash64} over the same values. The change test
 * computes the index side in SQL ({@link #PATH_SQL}, {@link #SIGNATURE_SQL}) and the listing side
 * here, so only two longs per index row reach the driver instead of a path string each.
 *
 * <p>A collision between a changed input's new signature and another index signature (about n /
 * 2^64 per changed input, 5e-14 for a million) would leave that input unread until it changes
 * again; a path collision only mislabels a new input as changed, which costs a no-op delete.
 */
final class InputFingerprints {
  /** Spark's seed for {@code xxhash64}. */
  private static final long SEED = 42L;

  /** The input of an index row: the archive for a zip entry, else the file. */
  static final String INPUT_SQL = "coalesce(archive_path, file_path)";

  /** Fingerprint of an index row's input path. */
  static final String PATH_SQL = "xxhash64(" + INPUT_SQL + ")";

  /**
   * Fingerprint of an index row's input signature; NULL when the row cannot vouch for its input: no
   * size or time, or an unreadable file, which is retried every run (the cause, I/O or permissions,
   * is usually transient).
   */
  static final String SIGNATURE_SQL =
      "CASE WHEN status = 'error' AND error_class = 'unreadable' THEN NULL"
          + " ELSE xxhash64("
          + INPUT_SQL
          + ", CASE WHEN archive_path IS NULL THEN file_size ELSE container_size END,"
          + " unix_micros(CASE WHEN archive_path IS NULL THEN file_modified"
          + " ELSE container_modified END)) END";

  private InputFingerprints() {}

  static long path(String path) {
    return XXH64.hashUTF8String(UTF8String.fromString(path), SEED);
  }

  /** {@code xxhash64(path, size, modifiedMicros)}, given {@code path(path)}. */
  static long signature(long pathFingerprint, long size, long modifiedMicros) {
    return XXH64.hashLong(modifiedMicros, XXH64.hashLong(size, pathFingerprint));
  }

  /** How often {@code key} occurs in {@code sorted}. */
  static int occurrences(long[] sorted, long key) {
    int at = Arrays.binarySearch(sorted, key);
    if (at < 0) {
      return 0;
    }
    int from = at;
    while (from > 0 && sorted[from - 1] == key) {
      from--;
    }
    int to = at;
    while (to < sorted.length - 1 && sorted[to + 1] == key) {
      to++;
    }
    return to - from + 1;
  }
}
