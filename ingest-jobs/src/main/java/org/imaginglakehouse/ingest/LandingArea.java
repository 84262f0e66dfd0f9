package org.imaginglakehouse.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which files of a watched landing area are complete enough to ingest (plain Java, no Spark).
 *
 * <p>A file is <b>settled</b> when listings at least {@code settle} apart, by the watcher's own
 * clock, saw the same size and modification time: a copy still in progress grows or is touched
 * between listings and waits. The writer's clock is never compared with ours (an NFS server or
 * object store may be off by minutes). With {@code settle = 0} a file is settled when first listed,
 * for writers that only ever rename finished files into place (rsync's default, {@code mv} of a
 * copy on the same file system) and for object stores, whose objects appear whole.
 *
 * <p>Names of copies in progress are never settled, whatever their age: hidden names (a leading
 * dot: rsync's and many copy tools' temporary files) and the suffixes {@code .tmp}, {@code .part},
 * {@code .partial}, {@code .filepart} and {@code ._COPYING_} ({@code hdfs dfs -put}). Such a file
 * becomes an input when it is renamed to its final name. Ingesting it under its temporary name
 * would leave an instance row pointing at a path that is about to vanish, and quarantine the
 * renamed file as its duplicate.
 *
 * <p>Each settled file is handed out once per (size, modification time): a file that changes later
 * (re-sent, corrected) settles again and is handed out again; the ingest change test then re-reads
 * it. A file that leaves the listing is forgotten.
 */
final class LandingArea {
  private static final List<String> IN_PROGRESS_SUFFIXES =
      List.of(".tmp", ".part", ".partial", ".filepart", "._copying_");

  private final long settleNanos;
  private final Map<String, Seen> seen = new HashMap<>();

  /** What the listings said about one path. */
  private static final class Seen {
    final long size;
    final long modified;
    final long since;
    boolean handedOut;

    Seen(long size, long modified, long since) {
      this.size = size;
      this.modified = modified;
      this.since = since;
    }
  }

  LandingArea(long settleNanos) {
    if (settleNanos < 0) {
      throw new IllegalArgumentException("settle time must not be negative, got " + settleNanos);
    }
    this.settleNanos = settleNanos;
  }

  /** True for names that copy tools give files still being written (see the class comment). */
  static boolean inProgressName(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String lower = name.toLowerCase(Locale.ROOT);
    return name.startsWith(".") || IN_PROGRESS_SUFFIXES.stream().anyMatch(lower::endsWith);
  }

  /**
   * Takes a listing made at {@code nowNanos} (a monotonic clock) and returns the files it settles
   * that were not handed out before, in the listing's order; they count as handed out from now on
   * (call {@link #retry} if their ingest failed).
   */
  List<SourceFile> observe(List<SourceFile> listing, long nowNanos) {
    Map<String, Seen> before = new HashMap<>(seen);
    seen.clear();
    List<SourceFile> settled = new ArrayList<>();
    for (SourceFile f : listing) {
      if (inProgressName(f.path())) {
        continue;
      }
      Seen last = before.get(f.path());
      Seen now =
          last != null && last.size == f.size() && last.modified == f.modifiedMillis()
              ? last
              : new Seen(f.size(), f.modifiedMillis(), nowNanos);
      seen.put(f.path(), now);
      if (!now.handedOut && nowNanos - now.since >= settleNanos) {
        now.handedOut = true;
        settled.add(f);
      }
    }
    return settled;
  }

  /** Hands {@code files} out again at the next listing that still shows them unchanged. */
  void retry(List<SourceFile> files) {
    for (SourceFile f : files) {
      Seen s = seen.get(f.path());
      if (s != null && s.size == f.size() && s.modified == f.modifiedMillis()) {
        s.handedOut = false;
      }
    }
  }

  /** Files of the last listing that have not settled yet (copies in progress or too recent). */
  int waiting() {
    return (int) seen.values().stream().filter(s -> !s.handedOut).count();
  }
}
