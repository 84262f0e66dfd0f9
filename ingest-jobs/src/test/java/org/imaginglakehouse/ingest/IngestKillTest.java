package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TagFromName;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.testing.DicomFixture;
import org.imaginglakehouse.ingest.testing.PacsFixture;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of an ingest, then a re-run, gives exactly the tables of one clean run
 * (ignoring the run id and time columns, which differ between any two runs).
 */
class IngestKillTest extends SparkTestBase {
  private static final Map<String, List<String>> VOLATILE =
      Map.of(
          "instances", List.of("ingest_run_id", "ingest_time"),
          "ingest_errors", List.of("run_id", "recorded_at"),
          "file_index", List.of("run_id", "indexed_at"));

  @Test
  void killedRunsFollowedByAReRunEqualOneCleanRun() throws Exception {
    PacsFixture pacs = PacsFixture.build(tempDir.resolve("pacs"));
    for (int i = 0; i < 40; i++) {
      DicomFixture.ct("1.2.826.0.1.9.7.1." + i, "1.2.826.0.1.9.7", "1.2.826.0.1.9.7.1")
          .set(TagFromName.PatientName, "Extra^" + i)
          .write(pacs.root.resolve("P7/s1/" + i + ".dcm"));
    }
    String source = pacs.root.toString();
    LakehouseConfig killed = newHomeConfig("killed");
    LakehouseConfig clean = newHomeConfig("clean");
    ZoneLayout killedLayout = ZoneLayout.from(killed);
    String index = killedLayout.table(Zone.IDENTIFIABLE, "file_index");
    String instances = killedLayout.table(Zone.IDENTIFIABLE, "instances");

    // First kill: after two batches are fully committed (file_index has 3 commits).
    killAfter(killed.home(), source, () -> commits(index) >= 3);
    long indexedAfterFirstKill = commits(index);
    // Second kill: as soon as the re-run has appended instances of its first batch, i.e. between
    // the instances commit and the file_index commit of that batch.
    long instancesBefore = commits(instances);
    killAfter(killed.home(), source, () -> commits(instances) > instancesBefore);
    assertThat(commits(index)).isGreaterThanOrEqualTo(indexedAfterFirstKill);

    // Finish in this JVM, and compare with a clean run.
    IngestResult finished =
        new IngestJob(
                spark(), killed, IngestJob.options(killed, source, Map.of("batch-size", "15")))
            .execute();
    assertThat(finished.accountedFor()).isTrue();
    // At least the two batches committed before the first kill are not read again.
    assertThat(finished.count("read")).isLessThanOrEqualTo(finished.count("listed") - 2 * 15);
    new IngestJob(spark(), clean, IngestJob.options(clean, source, Map.of())).execute();

    ZoneLayout cleanLayout = ZoneLayout.from(clean);
    for (String table : VOLATILE.keySet()) {
      List<String> a =
          fingerprint(killedLayout.table(Zone.IDENTIFIABLE, table), VOLATILE.get(table));
      List<String> b =
          fingerprint(cleanLayout.table(Zone.IDENTIFIABLE, table), VOLATILE.get(table));
      assertThat(a).as(table).isNotEmpty().isEqualTo(b);
    }
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(killedLayout.table(Zone.IDENTIFIABLE, "instances"))
                .count())
        .isEqualTo(pacs.count("instance") + 40);
  }

  private static List<String> fingerprint(String table, List<String> ignore) {
    return KilledJvm.rows(spark(), table, ignore);
  }

  private static long commits(String table) {
    return KilledJvm.commits(table);
  }

  /** Starts the ingest in a separate JVM and kills it (-9) once {@code when} holds. */
  private static void killAfter(String home, String source, java.util.function.BooleanSupplier when)
      throws Exception {
    KilledJvm.killWhen(
        repoRoot(), tempDir, IngestMain.class, List.of(home, source, "15"), when, 20);
  }
}
