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
 * The SOPInstanceUIDs {@code instances} may hold during a run, as 64-bit fingerprints (8 bytes
 * each, sorted arrays): those of the table when the run started ({@link #addTable}) and those each
 * batch appended ({@link #add}). A batch's duplicates can only be among these, so the driver finds
 * the candidates without a Spark scan of the table, and only they are looked up. A false positive
 * (two UIDs sharing a fingerprint, or a row deleted since) only costs a lookup for that UID; there
 * are no false negatives.
 */
final class SopFingerprints {
  private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

  private final List<long[]> batches = new ArrayList<>();

  private static final StructType SOP_COLUMN =
      new StructType().add("SOPInstanceUID", StringType.STRING);

  /** Records the UIDs of {@code instances} at {@code version}, read on the driver. */
  void addTable(Configuration hadoopConf, String instancesPath, long version) {
    List<LongList> files =
        DriverScan.read(
            hadoopConf,
            instancesPath,
            version,
            SOP_COLUMN,
            LongList::new,
            (into, batch, row) -> {
              ColumnVector sop = batch.getColumnVector(0);
              if (!sop.isNullAt(row)) {
                into.add(fingerprint(sop.getString(row)));
              }
            });
    batches.add(LongList.sorted(files));
  }

  /** Records the UIDs of one appended batch. */
  void add(Collection<String> sops) {
    long[] prints = new long[sops.size()];
    int i = 0;
    for (String sop : sops) {
      prints[i++] = fingerprint(sop);
    }
    Arrays.sort(prints);
    batches.add(prints);
  }

  /** The given UIDs that may have been recorded: every recorded one, and rare false positives. */
  Set<String> candidates(Collection<String> sops) {
    Set<String> out = new TreeSet<>();
    for (String sop : sops) {
      long print = fingerprint(sop);
      for (long[] batch : batches) {
        if (Arrays.binarySearch(batch, print) >= 0) {
          out.add(sop);
          break;
        }
      }
    }
    return out;
  }

  private static long fingerprint(String sop) {
    return FINGERPRINT.hashUnencodedChars(sop).asLong();
  }
}
