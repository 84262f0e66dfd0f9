package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.imaginglakehouse.ingest.SopSettlement.Decision;
import org.imaginglakehouse.ingest.SopSettlement.Kept;
import org.imaginglakehouse.ingest.SopSettlement.SopRow;
import org.junit.jupiter.api.Test;

class SopSettlementTest {
  private static TreeMap<String, List<String>> batch(String sop, String... paths) {
    TreeMap<String, List<String>> m = new TreeMap<>();
    m.put(sop, List.of(paths));
    return m;
  }

  @Test
  void withinABatchTheSmallestPathWinsAndOnlyThisRunsRowsGo() {
    Decision d =
        SopSettlement.decide("me", batch("u1", "/b/2.dcm", "/b/1.dcm"), Map.of(), Map.of());
    assertThat(d.fixes()).containsEntry("u1", new Kept("/b/1.dcm", "me"));
    assertThat(d.duplicateOf()).containsExactly(Map.entry("/b/2.dcm", "/b/1.dcm"));
    assertThat(d.appended()).isEqualTo(1);
    Set<String> paths = Set.of("/b/1.dcm", "/b/2.dcm");
    assertThat(SopSettlement.deletes(row("u1", "/b/2.dcm", "me", 5), d.fixes(), "me", paths))
        .isTrue();
    assertThat(SopSettlement.deletes(row("u1", "/b/1.dcm", "me", 5), d.fixes(), "me", paths))
        .isFalse();
  }

  @Test
  void anotherRunsRowSeenInTheTableWinsAndIsNeverDeleted() {
    // Two ingests at once: this one sees the other's row of the UID (another path).
    List<SopRow> table = List.of(row("u1", "/a/x.dcm", "other", 9), row("u1", "/b/y.dcm", "me", 5));
    Set<String> paths = Set.of("/b/y.dcm");
    Map<String, SopRow> existing = SopSettlement.earliestOthers(table, "me", paths);
    assertThat(existing).containsOnlyKeys("u1");
    assertThat(existing.get("u1").runId()).isEqualTo("other");
    Decision d =
        SopSettlement.decide("me", batch("u1", "/b/y.dcm"), existing, Map.of("/b/y.dcm", "c"));
    assertThat(d.duplicateOf()).containsExactly(Map.entry("/b/y.dcm", "/a/x.dcm"));
    assertThat(d.appended()).isZero();
    assertThat(SopSettlement.deletes(table.get(1), d.fixes(), "me", paths)).isTrue();
    assertThat(SopSettlement.deletes(table.get(0), d.fixes(), "me", paths)).isFalse();
  }

  @Test
  void aFileReadAgainKeepsItsRowUnlessItChangedAndEarlierRowsOfItGo() {
    // A killed run's row of the file, and this run's row of the same file.
    SopRow killed = row("u1", "/a/x.dcm", "killed", 3);
    SopRow mine = row("u1", "/a/x.dcm", "me", 5);
    Set<String> paths = Set.of("/a/x.dcm");
    Map<String, SopRow> existing = SopSettlement.earliestOthers(List.of(killed, mine), "me", paths);
    Decision same =
        SopSettlement.decide("me", batch("u1", "/a/x.dcm"), existing, Map.of("/a/x.dcm", "c"));
    assertThat(same.fixes()).containsEntry("u1", new Kept("/a/x.dcm", "killed"));
    assertThat(same.again()).isEqualTo(1);
    assertThat(same.duplicateOf()).isEmpty();
    assertThat(SopSettlement.deletes(mine, same.fixes(), "me", paths)).isTrue();
    Decision changed =
        SopSettlement.decide("me", batch("u1", "/a/x.dcm"), existing, Map.of("/a/x.dcm", "new"));
    assertThat(changed.fixes()).containsEntry("u1", new Kept("/a/x.dcm", "me"));
    assertThat(SopSettlement.deletes(killed, changed.fixes(), "me", paths)).isTrue();
    assertThat(SopSettlement.deletes(mine, changed.fixes(), "me", paths)).isFalse();
  }

  @Test
  void theOldestIngestThenTheSmallestPathIsTheRowThatStays() {
    List<SopRow> rows =
        List.of(
            row("u1", "/z.dcm", "r1", 1), row("u1", "/a.dcm", "r2", 2), row("u2", "/b", "r3", 7));
    Map<String, SopRow> existing = SopSettlement.earliestOthers(rows, "me", Set.of());
    assertThat(existing.get("u1").path()).isEqualTo("/z.dcm");
    assertThat(existing.get("u2").path()).isEqualTo("/b");
  }

  private static SopRow row(String sop, String path, String run, long micros) {
    return new SopRow(sop, path, run, "c", micros);
  }
}
