package org.imaginglakehouse.ingest;

import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * 64-bit fingerprints of an input's path and of its change signature (path, size, modification time
 * in microseconds), Spark's {@code xxhash64} over the same values. The change test computes both
 * sides on the driver: the index side as it reads {@code file_index} ({@link IndexFingerprints}),
 * the listing side here.
 *
 * <p>A collision between a changed input's new signature and another index signature (about n /
 * 2^64 per changed input, 5e-14 for a million) would leave that input unread until it changes
 * again; a path collision only mislabels a new input as changed, which costs a no-op delete.
 */
final class InputFingerprints {
  /** Spark's seed for {@code xxhash64}. */
  private static final long SEED = 42L;

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
