package org.imaginglakehouse.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.features.FeaturesJob;
import org.imaginglakehouse.transform.features.FeaturesTables;
import org.imaginglakehouse.transform.ocr.OcrJob;
import org.imaginglakehouse.transform.ocr.OcrTables;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the features and OCR jobs after their first batch, then a re-run, gives exactly the
 * tables of one clean run over the same instances (run ids, times and per-image timings aside).
 */
class PixelKillTest extends SparkTestBase {
  private static final String BATCH = "12";

  @Test
  void killedPixelJobsFollowedByAReRunEqualOneCleanRun() throws Exception {
    Path out = tempDir.resolve("synth");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(3)
            .seed(31)
            .imagesScale(0.02)
            .pixelSize(SynthOptions.PixelSize.SMALL)
            .burnedInRate(0.6)
            .modalityMix(Map.of("US", 0.5, "OT", 0.2, "DX", 0.1, "CT", 0.2))
            .junkRate(0)
            .threads(1)
            .parquet(false)
            .build());
    GroundTruth gt = GroundTruth.read(out);
    LakehouseConfig killed = newHomeConfig("killed");
    LakehouseConfig clean = newHomeConfig("clean");
    new IngestJob(spark(), killed, IngestJob.options(killed, gt.dicomRoot().toString(), Map.of()))
        .execute();
    ZoneLayout k = ZoneLayout.from(killed);
    ZoneLayout c = ZoneLayout.from(clean);
    KilledJvm.copyTable(
        k.table(Zone.IDENTIFIABLE, "instances"), c.table(Zone.IDENTIFIABLE, "instances"));

    // Each job is killed once its first batch is committed (the table's creation is commit 0).
    Map<String, String> doneTable =
        Map.of(FeaturesJob.NAME, FeaturesTables.INSTANCE_TABLE, OcrJob.NAME, OcrTables.FLAGS_TABLE);
    for (String job : List.of(FeaturesJob.NAME, OcrJob.NAME)) {
      String table = k.table(Zone.IDENTIFIABLE, doneTable.get(job));
      KilledJvm.killWhen(
          repoRoot(),
          tempDir,
          PixelMain.class,
          List.of(killed.home(), job, BATCH),
          () -> KilledJvm.commits(table) >= 2,
          20);
    }
    for (String job : List.of(FeaturesJob.NAME, OcrJob.NAME)) {
      PixelMain.run(spark(), killed, job, BATCH);
      PixelMain.run(spark(), clean, job, BATCH);
    }

    for (String table :
        List.of(
            FeaturesTables.INSTANCE_TABLE,
            FeaturesTables.SERIES_TABLE,
            OcrTables.FLAGS_TABLE,
            OcrTables.TEXT_TABLE)) {
      String killedTable = k.table(Zone.IDENTIFIABLE, table);
      List<String> volatileColumns = new ArrayList<>(List.of("run_id", "processed_time"));
      for (String column : spark().read().format("delta").load(killedTable).columns()) {
        if (column.endsWith("_ms")) {
          volatileColumns.add(column); // timings differ between any two runs
        }
      }
      List<String> expected =
          KilledJvm.rows(spark(), c.table(Zone.IDENTIFIABLE, table), volatileColumns);
      assertThat(KilledJvm.rows(spark(), killedTable, volatileColumns))
          .as(table)
          .isEqualTo(expected);
      if (!table.equals(OcrTables.TEXT_TABLE)) {
        assertThat(expected).as(table).isNotEmpty();
      }
    }
  }
}
