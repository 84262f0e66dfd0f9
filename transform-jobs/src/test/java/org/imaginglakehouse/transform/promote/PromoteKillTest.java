package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of promote between its table commits, twice, then a re-run, gives exactly the tables of
 * one clean promotion of the same {@code identifiable.instances} (the run id aside).
 */
class PromoteKillTest extends SparkTestBase {
  @Test
  void killedPromotionsFollowedByAReRunEqualOneCleanRun() throws Exception {
    Path out = tempDir.resolve("synth");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(8)
            .seed(5)
            .imagesScale(0.02)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .parquet(false)
            .build());
    GroundTruth gt = GroundTruth.read(out);
    String mapping = gt.linkedDir().resolve("chi_eupi.csv").toString();
    LakehouseConfig killed = withMapping(newHomeConfig("killed"), mapping);
    LakehouseConfig clean = withMapping(newHomeConfig("clean"), mapping);
    new IngestJob(spark(), killed, IngestJob.options(killed, gt.dicomRoot().toString(), Map.of()))
        .execute();
    ZoneLayout k = ZoneLayout.from(killed);
    ZoneLayout c = ZoneLayout.from(clean);
    // The same instances table for both: a copy of the Delta directory.
    KilledJvm.copyTable(
        k.table(Zone.IDENTIFIABLE, PromoteJob.INSTANCES),
        c.table(Zone.IDENTIFIABLE, PromoteJob.INSTANCES));

    String image = k.table(Zone.DEIDENTIFIED, PromoteJob.IMAGE);
    String study = k.table(Zone.DEIDENTIFIED, PromoteJob.STUDY);
    List<String> args = List.of(killed.home(), mapping);
    // Kill 1: the image table is written, series/study/state/watermark are not.
    KilledJvm.killWhen(
        repoRoot(), tempDir, PromoteMain.class, args, () -> KilledJvm.commits(image) >= 1, 20);
    assertThat(KilledJvm.commits(k.table(Zone.IDENTIFIABLE, PromoteJob.WATERMARK))).isZero();
    // Kill 2: the re-run has committed the study table again, before state and watermark.
    long studyCommits = KilledJvm.commits(study);
    KilledJvm.killWhen(
        repoRoot(),
        tempDir,
        PromoteMain.class,
        args,
        () -> KilledJvm.commits(study) > studyCommits,
        20);
    assertThat(KilledJvm.commits(k.table(Zone.IDENTIFIABLE, PromoteJob.WATERMARK))).isZero();

    PromoteJob.Result finished = promote(killed);
    assertThat(finished.promoted()).isPositive();
    promote(clean);

    for (Zone zone : List.of(Zone.DEIDENTIFIED, Zone.IDENTIFIABLE)) {
      for (String table :
          zone == Zone.DEIDENTIFIED
              ? List.of(
                  PromoteJob.IMAGE,
                  PromoteJob.SERIES,
                  PromoteJob.STUDY,
                  PromoteJob.QUALITY,
                  PromoteJob.REJECTION_COUNTS)
              : List.of(PromoteJob.REJECTIONS, PromoteJob.STATE)) {
        List<String> ignore = List.of("run_id");
        List<String> expected = KilledJvm.rows(spark(), c.table(zone, table), ignore);
        assertThat(KilledJvm.rows(spark(), k.table(zone, table), ignore))
            .as(zone + "." + table)
            .isEqualTo(expected);
        if (List.of(PromoteJob.IMAGE, PromoteJob.SERIES, PromoteJob.STUDY).contains(table)) {
          assertThat(expected).as(table).isNotEmpty();
        }
      }
    }
    // And a further run finds nothing to do.
    assertThat(promote(killed).processed()).isZero();
  }

  private static PromoteJob.Result promote(LakehouseConfig config) {
    return new PromoteJob(
            spark(), config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
        .execute();
  }

  private static LakehouseConfig withMapping(LakehouseConfig config, String mapping) {
    return config.with(PseudonymConfig.SOURCE, "csv").with(PseudonymConfig.LOCATION, mapping);
  }
}
