package org.imaginglakehouse.ingest;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SOPInstanceUIDs one run has appended, as 64-bit fingerprints (8 bytes each, one sorted array
 * per batch). When a run starts on an empty {@code instances} table, a later batch's duplicates can
 * only be among these, so the driver finds the candidates without scanning the table. A false
 * positive (two UIDs sharing a fingerprint) only costs a scan for that UID; there are no false
 * negatives.
 */
final class SopFingerprints {
  private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

  private final List<long[]> batches = new ArrayList<>();

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
