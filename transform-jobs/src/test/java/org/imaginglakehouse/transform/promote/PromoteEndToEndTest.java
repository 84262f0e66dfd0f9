package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.junit.jupiter.api.Test;

/** synth → ingest → promote on a small synthetic PACS, with the leak scan. */
class PromoteEndToEndTest extends SparkTestBase {
  @Test
  void syntheticPacsPromotesWithoutLeaks() {
    Path out = tempDir.resolve("synth");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(30)
            .seed(11)
            .imagesScale(0.01)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .build());
    GroundTruth gt = GroundTruth.read(out);
    // The sample must hold the free text that makes a leak likely: a study description naming its
    // patient (promoted by every template), else the leak scan proves little.
    assertThat(
            gt.instances().stream()
                .filter(f -> f.isValidDicom() && f.phi() != null)
                .flatMap(f -> f.phi().stream())
                .filter(l -> l.kind().equals("FREE_TEXT_NAME"))
                .map(GroundTruth.PhiLocation::keyword))
        .contains("StudyDescription");
    LakehouseConfig config = newHomeConfig("e2e");
    new IngestJob(spark(), config, IngestJob.options(config, gt.dicomRoot().toString(), Map.of()))
        .execute();
    LakehouseConfig c =
        config
            .with(PseudonymConfig.SOURCE, "csv")
            .with(PseudonymConfig.LOCATION, gt.linkedDir().resolve("chi_eupi.csv").toString());
    PromoteJob.Result result =
        new PromoteJob(spark(), c, JobOptions.of(c, PromoteJob.NAME, Map.of()), Map.of()).execute();
    assertThat(result.promoted()).isPositive();
    ZoneLayout layout = ZoneLayout.from(c);
    long studies =
        spark().read().format("delta").load(layout.table(Zone.DEIDENTIFIED, "study")).count();
    assertThat(studies).isPositive();
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.DEIDENTIFIED, "image"))
                .where("eupi IS NULL")
                .count())
        .isZero();
    Set<String> ids = LeakScanner.identifiers(spark(), layout);
    assertThat(ids).isNotEmpty();
    assertThat(LeakScanner.scan(spark(), layout, ids)).isEmpty();
  }
}
