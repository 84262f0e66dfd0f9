package org.imaginglakehouse.ingest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;

/**
 * The duplicate rule of one ingest batch, as plain data: for each SOPInstanceUID the batch read,
 * which row of {@code instances} stays, which files of the batch are duplicates of it, and which
 * rows go.
 *
 * <p>The rule: a row of another run (or of an earlier batch of this run) already in the table wins
 * (the oldest ingest, then the smallest path); among the batch's own files the smallest path wins.
 * A file the batch read again keeps its earlier row unless its content changed. The batch deletes
 * only rows it wrote itself and rows of files it read again, never another run's row of another
 * file: two ingests running at once that both read a UID each keep their own row or give way to the
 * other's, and the Delta transaction the deletion commits in fails when the row it gave way to was
 * deleted in the meantime (see {@link InstanceSettle}), so between them exactly one row stays.
 */
final class SopSettlement {
  private SopSettlement() {}

  /** A row of instances: its UID, file, run, checksum and ingest time (microseconds). */
  record SopRow(String sop, String path, String runId, String checksum, long ingestMicros) {}

  /** The row that stays for a UID. */
  record Kept(String path, String runId) {}

  /**
   * The outcome for a batch: the kept row of every UID that needs rows deleted ({@code fixes}), the
   * batch's duplicate files (path → the kept row's path), new instances and files read again whose
   * row stays.
   */
  record Decision(
      Map<String, Kept> fixes, Map<String, String> duplicateOf, long appended, long again) {}

  /**
   * For each UID among {@code rows}, the row other than the batch's own (this run's rows of the
   * batch's files) that wins: the oldest ingest, then the smallest path, then the run id.
   */
  static Map<String, SopRow> earliestOthers(
      Collection<SopRow> rows, String runId, Set<String> batchPaths) {
    Map<String, SopRow> out = new HashMap<>();
    Comparator<SopRow> order =
        Comparator.comparingLong(SopRow::ingestMicros)
            .thenComparing(SopRow::path)
            .thenComparing(SopRow::runId);
    for (SopRow r : rows) {
      if (r.runId().equals(runId) && batchPaths.contains(r.path())) {
        continue;
      }
      out.merge(r.sop(), r, (a, b) -> order.compare(a, b) <= 0 ? a : b);
    }
    return out;
  }

  /**
   * Decides a batch: {@code pathsBySop} the batch's files per UID, {@code existing} the winning row
   * of other runs per UID ({@link #earliestOthers}), {@code checksums} the checksum each file of
   * the batch was read with.
   */
  static Decision decide(
      String runId,
      SortedMap<String, List<String>> pathsBySop,
      Map<String, SopRow> existing,
      Map<String, String> checksums) {
    Map<String, Kept> fixes = new HashMap<>();
    Map<String, String> duplicateOf = new HashMap<>();
    long appended = 0;
    long again = 0;
    for (Map.Entry<String, List<String>> e : pathsBySop.entrySet()) {
      List<String> paths = new ArrayList<>(e.getValue());
      java.util.Collections.sort(paths);
      SopRow old = existing.get(e.getKey());
      String keptPath;
      String keptRun;
      if (old != null) {
        boolean readAgain = checksums.containsKey(old.path());
        // The file that gave the old row was read again (after a kill, say): keep the fresh row
        // if the content changed in between, else the old one.
        boolean refreshed = readAgain && !Objects.equals(checksums.get(old.path()), old.checksum());
        keptPath = old.path();
        keptRun = refreshed ? runId : old.runId();
        fixes.put(e.getKey(), new Kept(keptPath, keptRun));
        if (readAgain) {
          again++;
        }
      } else {
        keptPath = paths.get(0);
        keptRun = runId;
        appended++;
        if (paths.size() > 1) {
          fixes.put(e.getKey(), new Kept(keptPath, keptRun));
        }
      }
      for (String path : paths) {
        if (!path.equals(keptPath)) {
          duplicateOf.put(path, keptPath);
        }
      }
    }
    return new Decision(fixes, duplicateOf, appended, again);
  }

  /**
   * Whether the batch deletes {@code row}: a row of a UID with a kept row ({@code fixes}) that is
   * not the kept one, and that this run wrote or whose file the batch read again.
   */
  static boolean deletes(
      SopRow row, Map<String, Kept> fixes, String runId, Set<String> batchPaths) {
    Kept kept = fixes.get(row.sop());
    if (kept == null || (kept.path().equals(row.path()) && kept.runId().equals(row.runId()))) {
      return false;
    }
    return row.runId().equals(runId) || batchPaths.contains(row.path());
  }
}
