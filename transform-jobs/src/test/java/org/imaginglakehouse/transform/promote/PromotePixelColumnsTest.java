package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.schemas.inventory.PixelColumn;
import org.imaginglakehouse.transform.features.FeaturesJob;
import org.imaginglakehouse.transform.features.FeaturesTables;
import org.imaginglakehouse.transform.ocr.OcrJob;
import org.imaginglakehouse.transform.ocr.OcrTables;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.imaginglakehouse.transform.testing.InstancesFixture;
import org.imaginglakehouse.transform.testing.InstancesFixture.Instance;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;

/**
 * Pixel-derived columns in the image inventory, on real DICOM files: promote before the pixel jobs
 * (columns NULL), features then OCR run after it, and each following promote updates the affected
 * rows incrementally; a re-run with nothing new commits nothing; the leak scan still passes; a
 * template asking for OCR text is refused.
 */
class PromotePixelColumnsTest extends SparkTestBase {
  private static final String US_CLASS = "1.2.840.10008.5.1.4.1.1.6.1";
  private static final String SC_CLASS = "1.2.840.10008.5.1.4.1.1.7";

  @Test
  void pixelColumnsArriveIncrementallyAfterFeaturesAndOcr() throws Exception {
    assertThat(PixelColumn.FEATURES).isEqualTo(FeaturesTables.INSTANCE_TABLE);
    assertThat(PixelColumn.OCR_FLAGS).isEqualTo(OcrTables.FLAGS_TABLE);
    // Every catalogue column reads only columns the pixel jobs mark promotable.
    PromoteJob.checkPixelSources(List.copyOf(PixelColumn.CATALOG.values()));

    LakehouseConfig base = newHomeConfig("pixcols");
    Path mapping = tempDir.resolve("pixcols-chi_eupi.csv");
    Files.writeString(mapping, "chi,eupi\n0101701234,E1\n");
    LakehouseConfig config =
        base.with(PseudonymConfig.SOURCE, "csv").with(PseudonymConfig.LOCATION, mapping.toString());
    ZoneLayout layout = ZoneLayout.from(config);
    Path files = Files.createDirectories(tempDir.resolve("pixcols-files"));
    List<Instance> instances = new ArrayList<>();
    // Study A: an ultrasound with the patient's name and birth date burned in, and a secondary
    // capture (OT → OTHER template) without text.
    instances.add(burnedInUltrasound(files, "1.7.1"));
    Instance sc =
        new Instance(
            TestDicom.write(
                files.resolve("sc.dcm"), "1.7.1.2.1", TestDicom.square(256, List.of(), 21)));
    sc.modality = "OT";
    sc.sopClass = SC_CLASS;
    sc.study = "1.7.1";
    sc.series = "1.7.1.2";
    instances.add(sc);
    // Study B: a CT image (OCR skips CT ORIGINAL\PRIMARY by policy).
    Instance ct =
        new Instance(
            TestDicom.write(
                files.resolve("ct.dcm"), "1.7.2.1.1", TestDicom.square(64, List.of(), 3)));
    ct.study = "1.7.2";
    ct.series = "1.7.2.1";
    instances.add(ct);
    InstancesFixture.write(
        spark(), layout.table(Zone.IDENTIFIABLE, "instances"), instances, "overwrite");

    // 1. Promote before any pixel job: the rows exist, their pixel columns are NULL.
    PromoteJob.Result first = promote(config, Map.of());
    assertThat(first.promoted()).isEqualTo(3);
    Map<String, Row> images = images(layout);
    assertThat(images).hasSize(3);
    for (Row r : images.values()) {
      assertThat(r.<String>getAs("ocr_status")).isNull();
      assertThat(r.<Boolean>getAs("burned_in_text")).isNull();
      assertThat(r.<String>getAs("pixel_decode_status")).isNull();
      assertThat(r.<Double>getAs("pixel_mean")).isNull();
    }
    assertThat(promote(config, Map.of()).processed()).isZero();

    // 2. Features run after the promotion: the next promote fills the feature columns.
    new FeaturesJob(spark(), config, JobOptions.of(config, FeaturesJob.NAME, Map.of())).execute();
    PromoteJob.Result afterFeatures = promote(config, Map.of());
    assertThat(afterFeatures.fullRebuild()).isFalse();
    assertThat(afterFeatures.processed()).isEqualTo(3);
    images = images(layout);
    for (Row r : images.values()) {
      assertThat(r.<String>getAs("pixel_decode_status")).isEqualTo("decoded");
      assertThat(r.<Double>getAs("pixel_mean")).isNotNull();
      assertThat(r.<Double>getAs("pixel_background_fraction")).isBetween(0.0, 1.0);
      assertThat(r.<String>getAs("ocr_status")).isNull();
    }
    assertThat(images.get("1.7.1.1.1").<Double>getAs("pixel_max")).isEqualTo(4095.0);

    // 3. OCR after that: the OCR columns arrive; the words never do.
    new OcrJob(spark(), config, JobOptions.of(config, OcrJob.NAME, Map.of())).execute();
    PromoteJob.Result afterOcr = promote(config, Map.of());
    assertThat(afterOcr.fullRebuild()).isFalse();
    assertThat(afterOcr.processed()).isEqualTo(3);
    images = images(layout);
    Row usRow = images.get("1.7.1.1.1");
    assertThat(usRow.<String>getAs("ocr_status")).isEqualTo("text");
    assertThat(usRow.<Boolean>getAs("burned_in_text")).isTrue();
    assertThat(usRow.<Boolean>getAs("ocr_identity_match")).isTrue();
    assertThat(usRow.<Integer>getAs("ocr_text_word_count")).isPositive();
    Row scRow = images.get("1.7.1.2.1");
    assertThat(scRow.<String>getAs("ocr_status")).isEqualTo("no_text");
    assertThat(scRow.<Boolean>getAs("burned_in_text")).isFalse();
    Row ctRow = images.get("1.7.2.1.1");
    assertThat(ctRow.<String>getAs("ocr_status")).isEqualTo("skipped_by_policy");
    assertThat(ctRow.<Boolean>getAs("burned_in_text")).isNull();
    assertThat(ctRow.<Boolean>getAs("ocr_identity_match")).isNull();
    assertThat(ctRow.<Integer>getAs("ocr_text_word_count")).isNull();
    assertThat(ctRow.<String>getAs("pixel_decode_status")).isEqualTo("decoded");
    assertThat(
            spark().read().format("delta").load(layout.table(Zone.DEIDENTIFIED, "image")).columns())
        .doesNotContain("word", "confidence", "status_reason", "decode_reason", "file_checksum");

    // 4. Nothing new: no inventory commit.
    long imageVersion = version(layout.table(Zone.DEIDENTIFIED, "image"));
    PromoteJob.Result again = promote(config, Map.of());
    assertThat(again.processed()).isZero();
    assertThat(version(layout.table(Zone.DEIDENTIFIED, "image"))).isEqualTo(imageVersion);

    // 4b. OCR rewrote a flag row without changing a promoted value: only the watermark moves.
    spark()
        .sql(
            "UPDATE delta.`"
                + layout.table(Zone.IDENTIFIABLE, OcrTables.FLAGS_TABLE)
                + "` SET ocr_ms = ocr_ms + 1 WHERE SOPInstanceUID = '1.7.2.1.1'");
    PromoteJob.Result same = promote(config, Map.of());
    assertThat(same.count("studies_affected")).isZero();
    assertThat(same.processed()).isZero();
    assertThat(version(layout.table(Zone.DEIDENTIFIED, "image"))).isEqualTo(imageVersion);

    // 4c. The CT file is re-ingested with other content: its pixel rows describe the old file, so
    // its pixel columns are NULL (not processed) again; only its study is re-promoted.
    spark()
        .sql(
            "UPDATE delta.`"
                + layout.table(Zone.IDENTIFIABLE, "instances")
                + "` SET file_checksum = 'c2' WHERE SOPInstanceUID = '1.7.2.1.1'");
    PromoteJob.Result reingested = promote(config, Map.of());
    assertThat(reingested.processed()).isEqualTo(1);
    images = images(layout);
    assertThat(images.get("1.7.2.1.1").<String>getAs("pixel_decode_status")).isNull();
    assertThat(images.get("1.7.2.1.1").<String>getAs("ocr_status")).isNull();
    assertThat(images.get("1.7.1.1.1").<String>getAs("ocr_status")).isEqualTo("text");
    imageVersion = version(layout.table(Zone.DEIDENTIFIED, "image"));

    // 5. The burned-in name and birth date are in identifiable.pixel_text, never in the inventory.
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, OcrTables.TEXT_TABLE))
                .count())
        .isPositive();
    var ids = LeakScanner.identifiers(spark(), layout);
    assertThat(ids).contains("doe", "jane");
    assertThat(LeakScanner.scan(spark(), layout, ids)).isEmpty();

    // 6. A template asking for OCR words or boxes is refused before anything is written.
    Path dir = Files.createDirectories(tempDir.resolve("pixcols-refused").resolve("templates"));
    for (String t :
        List.of("study", "CT", "MR", "US", "CR_DX", "MG", "PT", "NM", "XA_RF", "SR", "OTHER")) {
      copy("templates/" + t + ".yaml", dir.getParent());
    }
    copy("promotion-rules.yaml", dir.getParent());
    Path usTemplate = dir.resolve("US.yaml");
    Files.writeString(
        usTemplate,
        Files.readString(usTemplate).replace("pixel:\n", "pixel:\n  - word\n  - box_left\n"));
    assertThatThrownBy(
            () -> promote(config, Map.of(PromoteJob.OPTION_TEMPLATES, dir.getParent().toString())))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("US.pixel.word: word is OCR text content")
        .hasMessageContaining("US.pixel.box_left");
    assertThat(version(layout.table(Zone.DEIDENTIFIED, "image"))).isEqualTo(imageVersion);
  }

  /**
   * An ultrasound image {@code <study>.1.1} (series {@code <study>.1}) with the patient's name and
   * birth date burned in (the fixture's patient, CHI 0101701234).
   */
  static Instance burnedInUltrasound(Path files, String study) throws Exception {
    Instance us =
        new Instance(
            TestDicom.write(
                files.resolve("us.dcm"),
                study + ".1.1",
                TestDicom.square(
                    256, List.of(new TestDicom.Text("DOE JANE 01/01/1970", 10, 10, 14)), 20)));
    us.modality = "US";
    us.sopClass = US_CLASS;
    us.study = study;
    us.series = study + ".1";
    return us;
  }

  static PromoteJob.Result promote(LakehouseConfig config, Map<String, String> options) {
    PromoteJob.Result r =
        new PromoteJob(spark(), config, JobOptions.of(config, PromoteJob.NAME, options), Map.of())
            .execute();
    System.out.print(r.summary());
    return r;
  }

  static Map<String, Row> images(ZoneLayout layout) {
    return spark()
        .read()
        .format("delta")
        .load(layout.table(Zone.DEIDENTIFIED, "image"))
        .collectAsList()
        .stream()
        .collect(Collectors.toMap(r -> r.getAs("SOPInstanceUID"), r -> r));
  }

  static long version(String path) {
    return DeltaTable.forPath(spark(), path).history(1).select("version").first().getLong(0);
  }

  private static void copy(String relative, Path dir) throws Exception {
    try (var in =
        PromotePixelColumnsTest.class.getClassLoader().getResourceAsStream("promote/" + relative)) {
      Files.write(dir.resolve(relative), in.readAllBytes());
    }
  }
}
