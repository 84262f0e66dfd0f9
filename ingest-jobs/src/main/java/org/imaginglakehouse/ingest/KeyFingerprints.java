package org.imaginglakehouse.ingest;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

/**
 * The keys a table may hold during a run (the SOPInstanceUIDs of {@code instances}, the file paths
 * of {@code ingest_errors}), as 64-bit fingerprints (8 bytes each, sorted arrays): those of the
 * table when the run started ({@link #addTable}) and those each batch appended ({@link #add}). A
 * batch's keys can only be in the table if they are among these, so the driver finds the candidates
 * without a Spark scan of the table, and only they are looked up. A false positive (two keys
 * sharing a fingerprint, or a row deleted since) only costs a lookup; there are no false negatives.
 */
final class KeyFingerprints {
  private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

  private final List<long[]> batches = new ArrayList<>();

  private final StructType keyColumn;

  /** Fingerprints of the string column {@code column}. */
  KeyFingerprints(String column) {
    this.keyColumn = new StructType().add(column, StringType.STRING);
  }

  /** Records the keys of the table at {@code version}, read on the driver. */
  void addTable(Configuration hadoopConf, String tablePath, long version) {
    List<LongList> files =
        DriverScan.read(
            hadoopConf,
            tablePath,
            version,
            keyColumn,
            LongList::new,
            (into, batch, row) -> {
              ColumnVector key = batch.getColumnVector(0);
              if (!key.isNullAt(row)) {
                into.add(fingerprint(key.getString(row)));
              }
            });
    batches.add(LongList.sorted(files));
  }

  /** Records the keys of one appended batch. */
  void add(Collection<String> keys) {
    long[] prints = new long[keys.size()];
    int i = 0;
    for (String key : keys) {
      prints[i++] = fingerprint(key);
    }
    Arrays.sort(prints);
    batches.add(prints);
  }

  /** The given keys that may have been recorded: every recorded one, and rare false positives. */
  Set<String> candidates(Collection<String> keys) {
    Set<String> out = new TreeSet<>();
    for (String key : keys) {
      long print = fingerprint(key);
      for (long[] batch : batches) {
        if (Arrays.binarySearch(batch, print) >= 0) {
          out.add(key);
          break;
        }
      }
    }
    return out;
  }

  private static long fingerprint(String key) {
    return FINGERPRINT.hashUnencodedChars(key).asLong();
  }
}
