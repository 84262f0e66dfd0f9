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
 * The change test's view of {@code file_index}, read on the driver in one pass ({@link
 * DriverScan}): two sorted arrays of fingerprints ({@link InputFingerprints}), one entry per index
 * row for its input's path and one per row that can vouch for its input's signature (16 bytes per
 * row instead of a path string), and the inputs under the listed directories that the listing no
 * longer holds ({@code unlisted}, sorted; usually none).
 */
record IndexFingerprints(long[] paths, long[] signatures, Set<String> unlisted) {
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

  /** Per data file: its rows' fingerprints and unlisted inputs. */
  private static final class Prints {
    final LongList paths = new LongList();
    final LongList signatures = new LongList();
    final Set<String> unlisted = new TreeSet<>();
  }

  /**
   * Reads the index at {@code indexPath}. {@code listedPaths} holds the sorted path fingerprints of
   * the listing; an index row whose input is not among them and starts with one of {@code scopes}
   * names an unlisted input. (A run over one source of a home that indexes others finds their
   * inputs unlisted too; the scopes keep them out.)
   */
  static IndexFingerprints read(
      Configuration hadoopConf, String indexPath, long[] listedPaths, List<String> scopes) {
    List<Prints> files =
        DriverScan.read(
            hadoopConf,
            indexPath,
            DriverScan.LATEST,
            COLUMNS,
            Prints::new,
            (into, batch, row) -> readRow(into, batch, row, listedPaths, scopes));
    List<LongList> paths = new ArrayList<>(files.size());
    List<LongList> signatures = new ArrayList<>(files.size());
    Set<String> unlisted = new TreeSet<>();
    for (Prints p : files) {
      paths.add(p.paths);
      signatures.add(p.signatures);
      unlisted.addAll(p.unlisted);
    }
    return new IndexFingerprints(LongList.sorted(paths), LongList.sorted(signatures), unlisted);
  }

  private static void readRow(
      Prints into, ColumnarBatch batch, int row, long[] listedPaths, List<String> scopes) {
    boolean inArchive = !batch.getColumnVector(1).isNullAt(row);
    String input = batch.getColumnVector(inArchive ? 1 : 0).getString(row);
    long path = InputFingerprints.path(input);
    into.paths.add(path);
    if (Arrays.binarySearch(listedPaths, path) < 0 && inScope(input, scopes)) {
      into.unlisted.add(input);
    }
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

  private static boolean inScope(String input, List<String> scopes) {
    for (String scope : scopes) {
      if (input.startsWith(scope)) {
        return true;
      }
    }
    return false;
  }
}
