package org.imaginglakehouse.ingest;

import java.util.Arrays;
import java.util.List;

/** A growable array of primitive longs: a per-file accumulator of {@link DriverScan} reads. */
final class LongList {
  private long[] values = new long[1024];
  private int size;

  void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
  }

  int size() {
    return size;
  }

  /** The values of all {@code lists}, in one sorted array. */
  static long[] sorted(List<LongList> lists) {
    int total = 0;
    for (LongList list : lists) {
      total += list.size;
    }
    long[] out = new long[total];
    int at = 0;
    for (LongList list : lists) {
      System.arraycopy(list.values, 0, out, at, list.size);
      at += list.size;
    }
    Arrays.sort(out);
    return out;
  }
}
