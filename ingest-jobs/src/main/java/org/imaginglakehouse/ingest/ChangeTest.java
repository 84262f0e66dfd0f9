package org.imaginglakehouse.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * The ingest's change test on the driver: a listing against {@code file_index}, in one read of the
 * index ({@link IndexFingerprints}). Public so that {@code lakehouse bench-index} times exactly
 * what the ingest runs.
 *
 * @param todo new or changed inputs, in listing order
 * @param known those of {@code todo} that were indexed before (changed), by path
 * @param missing indexed inputs under one of the listed directories that the listing no longer
 *     holds (sorted)
 * @param unchanged index rows whose input still has its signature
 */
public record ChangeTest(
    List<SourceFile> todo, Set<String> known, List<String> missing, long unchanged) {

  /**
   * Matches {@code found} against the Delta table {@code indexPath} (which must have data files);
   * {@code scopes} are the listed directories (an indexed input under one of them that {@code
   * found} does not hold is missing).
   */
  public static ChangeTest run(
      Configuration hadoopConf, String indexPath, List<SourceFile> found, List<String> scopes) {
    long[] listedPaths = new long[found.size()];
    for (int i = 0; i < listedPaths.length; i++) {
      listedPaths[i] = InputFingerprints.path(found.get(i).path());
    }
    long[] sortedListedPaths = listedPaths.clone();
    Arrays.sort(sortedListedPaths);
    IndexFingerprints index =
        IndexFingerprints.read(hadoopConf, indexPath, sortedListedPaths, scopes);
    // An input is unchanged when every index row of it (one per file, one per archive entry)
    // still has its signature; any other indexed input has changed.
    List<SourceFile> todo = new ArrayList<>();
    Set<String> known = new HashSet<>();
    long unchanged = 0;
    for (int i = 0; i < listedPaths.length; i++) {
      SourceFile f = found.get(i);
      int indexed = InputFingerprints.occurrences(index.paths(), listedPaths[i]);
      int same =
          indexed == 0
              ? 0
              : InputFingerprints.occurrences(
                  index.signatures(),
                  InputFingerprints.signature(
                      listedPaths[i], f.size(), f.modifiedMillis() * 1_000L));
      if (indexed > 0 && same == indexed) {
        unchanged += indexed;
      } else {
        todo.add(f);
        if (indexed > 0) {
          known.add(f.path());
        }
      }
    }
    return new ChangeTest(todo, known, new ArrayList<>(index.unlisted()), unchanged);
  }
}
