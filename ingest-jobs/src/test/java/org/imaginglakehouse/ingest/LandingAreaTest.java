package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The settle rule of the watch mode, on listings (no files, no Spark). */
class LandingAreaTest {
  private static final long S = 1_000_000_000L;

  private static SourceFile file(String path, long size, long modified) {
    return new SourceFile(path, size, modified, SourceFile.isArchiveName(path));
  }

  private static List<String> paths(List<SourceFile> files) {
    return files.stream().map(SourceFile::path).toList();
  }

  @Test
  void aFileIsHandedOutOnceItsSizeAndTimeStayedTheSameForTheSettleTime() {
    LandingArea area = new LandingArea(10 * S);
    SourceFile a = file("/landing/a.dcm", 100, 1_000);
    assertThat(area.observe(List.of(a), 0)).isEmpty();
    assertThat(area.waiting()).isEqualTo(1);
    assertThat(area.observe(List.of(a), 9 * S)).isEmpty();
    assertThat(area.observe(List.of(a), 10 * S)).containsExactly(a);
    assertThat(area.waiting()).isZero();
    // Handed out once: later listings of the unchanged file return nothing.
    assertThat(area.observe(List.of(a), 30 * S)).isEmpty();
  }

  @Test
  void aGrowingOrTouchedFileWaitsUntilItStopsChanging() {
    LandingArea area = new LandingArea(10 * S);
    assertThat(area.observe(List.of(file("/landing/slow.dcm", 100, 1_000)), 0)).isEmpty();
    assertThat(area.observe(List.of(file("/landing/slow.dcm", 200, 2_000)), 8 * S)).isEmpty();
    // Same size, new modification time (rewritten in place): still not settled.
    assertThat(area.observe(List.of(file("/landing/slow.dcm", 200, 3_000)), 16 * S)).isEmpty();
    assertThat(area.observe(List.of(file("/landing/slow.dcm", 200, 3_000)), 25 * S)).isEmpty();
    SourceFile done = file("/landing/slow.dcm", 200, 3_000);
    assertThat(area.observe(List.of(done), 26 * S)).containsExactly(done);
  }

  @Test
  void theWritersClockIsNotTrusted() {
    // A modification time far in the past (copy with preserved times, or a server clock behind
    // ours) does not settle a file that was first listed just now.
    LandingArea area = new LandingArea(10 * S);
    assertThat(area.observe(List.of(file("/landing/old.dcm", 5, 0)), 100 * S)).isEmpty();
  }

  @Test
  void withoutASettleTimeEveryListedFileIsHandedOutAtOnce() {
    LandingArea area = new LandingArea(0);
    SourceFile a = file("/landing/a.dcm", 1, 1);
    SourceFile b = file("/landing/b/c.zip", 2, 2);
    assertThat(area.observe(List.of(a, b), 5)).containsExactly(a, b);
    assertThat(area.observe(List.of(a, b), 6)).isEmpty();
  }

  @Test
  void namesOfCopiesInProgressAreNeverHandedOut() {
    LandingArea area = new LandingArea(0);
    List<SourceFile> listing =
        List.of(
            file("/landing/.a.dcm.Xy12Qz", 1, 1),
            file("/landing/b.dcm.tmp", 1, 1),
            file("/landing/c.dcm.PART", 1, 1),
            file("/landing/d.partial", 1, 1),
            file("/landing/e.filepart", 1, 1),
            file("hdfs://nn/landing/f.dcm._COPYING_", 1, 1),
            file("/landing/.hidden/g.dcm", 1, 1),
            file("/landing/partial/h.dcm", 1, 1));
    assertThat(paths(area.observe(listing, 0)))
        .containsExactly("/landing/.hidden/g.dcm", "/landing/partial/h.dcm");
    // The rename to the final name makes the file an input.
    assertThat(paths(area.observe(List.of(file("/landing/a.dcm", 1, 1)), 1)))
        .containsExactly("/landing/a.dcm");
  }

  @Test
  void aChangedFileSettlesAgainAndAFileThatLeftIsForgotten() {
    LandingArea area = new LandingArea(2 * S);
    SourceFile v1 = file("/landing/a.dcm", 100, 1_000);
    area.observe(List.of(v1), 0);
    assertThat(area.observe(List.of(v1), 2 * S)).containsExactly(v1);
    SourceFile v2 = file("/landing/a.dcm", 120, 5_000);
    assertThat(area.observe(List.of(v2), 3 * S)).isEmpty();
    assertThat(area.observe(List.of(v2), 5 * S)).containsExactly(v2);
    // Moved away, then the same file comes back: it settles and is handed out again (the change
    // test of the ingest decides whether it is read).
    assertThat(area.observe(List.of(), 6 * S)).isEmpty();
    assertThat(area.waiting()).isZero();
    assertThat(area.observe(List.of(v2), 7 * S)).isEmpty();
    assertThat(area.observe(List.of(v2), 9 * S)).containsExactly(v2);
  }

  @Test
  void filesOfAFailedBatchAreHandedOutAgainUnlessTheyChanged() {
    LandingArea area = new LandingArea(0);
    SourceFile a = file("/landing/a.dcm", 1, 1);
    SourceFile b = file("/landing/b.dcm", 1, 1);
    assertThat(area.observe(List.of(a, b), 0)).containsExactly(a, b);
    area.retry(List.of(a, b));
    SourceFile bChanged = file("/landing/b.dcm", 2, 2);
    // b changed since: it is handed out as its new version (settle 0), a as before.
    assertThat(area.observe(List.of(a, bChanged), 1)).containsExactly(a, bChanged);
    assertThat(area.observe(List.of(a, bChanged), 2)).isEmpty();
  }

  @Test
  void aNegativeSettleTimeIsRefused() {
    assertThatThrownBy(() -> new LandingArea(-1)).hasMessageContaining("negative");
  }
}
