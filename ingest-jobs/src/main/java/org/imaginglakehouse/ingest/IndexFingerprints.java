package org.imaginglakehouse.ingest;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

/**
 * The change test's view of {@code file_index}: two sorted arrays of fingerprints ({@link
 * InputFingerprints}), one entry per index row for its input's path and one per row that can vouch
 * for its input's signature. Read on the driver ({@link DriverScan}), which matches the listing
 * against them: 16 bytes per index row instead of a path string each.
 */
record IndexFingerprints(long[] paths, long[] signatures) {
  private static final StructType COLUMNS =
      new StructType()
          .add("file_path", StringType.STRING)
          .add("archive_path", StringType.STRING)
          .add("file_size", LongType.LONG)
          .add("file_modified", TimestampType.TIMESTAMP)
          .add("container_size", LongType.LONG)
          .add("container_modified", TimestampType.TIMESTAMP)
          .add("status", StringType.STRING)
          .add("error_class", StringType.STRING);

  private static final StructType INPUT_COLUMNS =
      new StructType().add("file_path", StringType.STRING).add("archive_path", StringType.STRING);

  /** Per data file: its rows' path and signature fingerprints. */
  private static final class Prints {
    final LongList paths = new LongList();
    final LongList signatures = new LongList();
  }

  /** The fingerprints of every row of the index at {@code indexPath}. */
  static IndexFingerprints read(Configuration hadoopConf, String indexPath) {
    List<Prints> files =
        DriverScan.read(
            hadoopConf,
            indexPath,
            DriverScan.LATEST,
            COLUMNS,
            Prints::new,
            IndexFingerprints::readRow);
    List<LongList> paths = new ArrayList<>(files.size());
    List<LongList> signatures = new ArrayList<>(files.size());
    for (Prints p : files) {
      paths.add(p.paths);
      signatures.add(p.signatures);
    }
    return new IndexFingerprints(LongList.sorted(paths), LongList.sorted(signatures));
  }

  private static void readRow(Prints into, ColumnarBatch batch, int row) {
    boolean inArchive = !batch.getColumnVector(1).isNullAt(row);
    String input = batch.getColumnVector(inArchive ? 1 : 0).getString(row);
    long path = InputFingerprints.path(input);
    into.paths.add(path);
    // An unreadable file cannot vouch for its input: it is read again on every run (the cause,
    // I/O or permissions, is usually transient).
    ColumnVector status = batch.getColumnVector(6);
    ColumnVector errorClass = batch.getColumnVector(7);
    boolean retry =
        !status.isNullAt(row)
            && status.getString(row).equals("error")
            && !errorClass.isNullAt(row)
            && errorClass.getString(row).equals("unreadable");
    ColumnVector size = batch.getColumnVector(inArchive ? 4 : 2);
    ColumnVector modified = batch.getColumnVector(inArchive ? 5 : 3);
    // Without a size or time a row cannot vouch either: no listed input has its signature.
    if (!retry && !size.isNullAt(row) && !modified.isNullAt(row)) {
      into.signatures.add(
          InputFingerprints.signature(path, size.getLong(row), modified.getLong(row)));
    }
  }

  /**
   * The inputs (a file, or the archive of an entry) of the index rows whose path fingerprint is one
   * of {@code sortedPaths}, sorted.
   */
  static Set<String> inputsWithPaths(
      Configuration hadoopConf, String indexPath, long[] sortedPaths) {
    List<List<String>> files =
        DriverScan.read(
            hadoopConf,
            indexPath,
            DriverScan.LATEST,
            INPUT_COLUMNS,
            ArrayList::new,
            (into, batch, row) -> {
              ColumnVector archive = batch.getColumnVector(1);
              String input =
                  archive.isNullAt(row)
                      ? batch.getColumnVector(0).getString(row)
                      : archive.getString(row);
              if (Arrays.binarySearch(sortedPaths, InputFingerprints.path(input)) >= 0) {
                into.add(input);
              }
            });
    Set<String> out = new TreeSet<>();
    files.forEach(out::addAll);
    return out;
  }
}
