package org.imaginglakehouse.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.features.FeaturesJob;
import org.imaginglakehouse.transform.features.FeaturesTables;
import org.imaginglakehouse.transform.ocr.OcrJob;
import org.imaginglakehouse.transform.ocr.OcrTables;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;
import org.imaginglakehouse.transform.testing.InstancesFixture;
import org.imaginglakehouse.transform.testing.InstancesFixture.Instance;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;

/** Features and OCR jobs on a small instances table: outputs, incremental and idempotent runs. */
class PixelJobsTest extends SparkTestBase {

  @Test
  void featuresAndOcrAreIncrementalAndIdempotent() throws Exception {
    LakehouseConfig config = newHomeConfig("jobs");
    ZoneLayout layout = ZoneLayout.from(config);
    Path files = Files.createDirectories(tempDir.resolve("jobs-files"));
    List<Instance> instances = new ArrayList<>();
    // Series A: CT ORIGINAL/PRIMARY, 3 slices 5 mm apart -> skipped by OCR policy.
    for (int i = 0; i < 3; i++) {
      Instance ct =
          new Instance(
              TestDicom.write(
                  files.resolve("ct" + i + ".dcm"),
                  "1.9.1." + i,
                  TestDicom.square(64, List.of(), i)));
      ct.series = "1.9.1";
      ct.extraHeader.put("00200032", List.of("0", "0", Double.toString(5.0 * i)));
      ct.extraHeader.put("00200037", List.of("1", "0", "0", "0", "1", "0"));
      instances.add(ct);
    }
    // Series B: the same two positions acquired twice, with contrast -> repeated volume.
    for (int i = 0; i < 4; i++) {
      Instance ct =
          new Instance(
              TestDicom.write(
                  files.resolve("rep" + i + ".dcm"),
                  "1.9.2." + i,
                  TestDicom.square(64, List.of(), 10 + i)));
      ct.series = "1.9.2";
      ct.extraHeader.put("00200032", List.of("0", "0", Double.toString(5.0 * (i % 2))));
      ct.extraHeader.put("00200037", List.of("1", "0", "0", "0", "1", "0"));
      ct.extraHeader.put("00180010", List.of("IOMERON"));
      instances.add(ct);
    }
    // US with the patient's name and birth date burned in.
    Instance us =
        new Instance(
            TestDicom.write(
                files.resolve("us.dcm"),
                "1.9.3.1",
                TestDicom.square(
                    256, List.of(new TestDicom.Text("DOE JANE 01/01/1970", 10, 10, 14)), 20)));
    us.modality = "US";
    us.series = "1.9.3";
    instances.add(us);
    // SC without text.
    Instance sc =
        new Instance(
            TestDicom.write(
                files.resolve("sc.dcm"), "1.9.4.1", TestDicom.square(256, List.of(), 21)));
    sc.modality = "OT";
    sc.series = "1.9.4";
    instances.add(sc);
    // Undecodable: JPEG-LS.
    PixelDescriptor ls =
        PixelDescriptor.basic(
            "1.9.5.1",
            files.resolve("sc.dcm").toString(),
            "1.2.840.10008.1.2.4.80",
            256,
            256,
            1,
            1,
            16,
            12,
            0,
            "MONOCHROME2",
            400,
            -1,
            "OB");
    Instance jls = new Instance(ls);
    jls.modality = "US";
    jls.series = "1.9.5";
    instances.add(jls);
    String instancesPath = layout.table(Zone.IDENTIFIABLE, "instances");
    InstancesFixture.write(spark(), instancesPath, instances, "overwrite");

    FeaturesJob.Result f = show(features(config).execute());
    assertThat(f.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(f.decoded()).isEqualTo(9);
    assertThat(f.undecodable()).isEqualTo(1);
    assertThat(f.summary())
        .contains(
            "  rejections: 1 new this run (exit code 3), 1 on record",
            "  list this run's: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.pixel_features WHERE decode_status = 'undecodable' AND run_id = '"
                + f.runId()
                + "'\"")
        .doesNotContain("1.9.5.1");
    Row usRow =
        spark()
            .sql("SELECT * FROM identifiable.pixel_features WHERE SOPInstanceUID = '1.9.3.1'")
            .first();
    assertThat(usRow.<Integer>getAs("rows")).isEqualTo(256);
    assertThat(usRow.<Double>getAs("pixel_max")).isEqualTo(4095.0);
    assertThat(usRow.<Double>getAs("background_fraction")).isBetween(0.05, 0.9);
    assertThat(usRow.getList(usRow.fieldIndex("histogram"))).hasSize(16);
    Map<String, Double> extra = usRow.getJavaMap(usRow.fieldIndex("extra_features"));
    assertThat(extra).containsKeys("texture.entropy", "texture.edge_density");
    Row lsRow =
        spark()
            .sql(
                "SELECT decode_status, decode_reason FROM identifiable.pixel_features WHERE SOPInstanceUID = '1.9.5.1'")
            .first();
    assertThat(lsRow.getString(0)).isEqualTo("undecodable");
    assertThat(lsRow.getString(1)).contains("JPEG-LS");
    Row a =
        spark()
            .sql(
                "SELECT * FROM identifiable.series_pixel_features WHERE SeriesInstanceUID = '1.9.1'")
            .first();
    assertThat(a.<Integer>getAs("instance_count")).isEqualTo(3);
    assertThat(a.<String>getAs("orientation")).isEqualTo("AXIAL");
    assertThat(a.<Double>getAs("slice_spacing_mean"))
        .isCloseTo(5.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(a.<Boolean>getAs("spacing_regular")).isTrue();
    assertThat(a.<String>getAs("volume_interpretation")).isEqualTo("single_volume");
    Row b =
        spark()
            .sql(
                "SELECT * FROM identifiable.series_pixel_features WHERE SeriesInstanceUID = '1.9.2'")
            .first();
    assertThat(b.<Boolean>getAs("repeated_volume")).isTrue();
    assertThat(b.<String>getAs("volume_interpretation")).isEqualTo("repeated_volume_with_contrast");

    OcrJob.Result o = show(ocr(config).execute());
    assertThat(o.skipped()).isEqualTo(7);
    assertThat(o.withText()).isEqualTo(1);
    assertThat(o.noText()).isEqualTo(1);
    assertThat(o.undecodable()).isEqualTo(1);
    assertThat(o.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(o.summary()).contains("  rejections: 1 new this run (exit code 3), 1 on record");
    assertThat(o.identityMatches()).isEqualTo(1);
    Row flag =
        spark()
            .sql("SELECT * FROM identifiable.pixel_text_flags WHERE SOPInstanceUID = '1.9.3.1'")
            .first();
    assertThat(flag.<String>getAs("ocr_status")).isEqualTo("text");
    assertThat(flag.getList(flag.fieldIndex("matched_identity"))).contains("name", "birth_date");
    long words = spark().sql("SELECT * FROM identifiable.pixel_text").count();
    assertThat(words).isGreaterThanOrEqualTo(3);
    assertThat(
            spark()
                .sql(
                    "SELECT ocr_status, status_reason FROM identifiable.pixel_text_flags WHERE SOPInstanceUID = '1.9.1.0'")
                .first()
                .getString(1))
        .contains("original-primary-ct-mr");

    // A run killed after writing words but before flags, and a new instance arriving: only those
    // two are processed again, and the words of the interrupted instance are not doubled.
    spark()
        .sql(
            "DELETE FROM delta.`"
                + layout.table(Zone.IDENTIFIABLE, OcrTables.FLAGS_TABLE)
                + "` WHERE SOPInstanceUID = '1.9.3.1'");
    Instance late =
        new Instance(
            TestDicom.write(
                files.resolve("late.dcm"), "1.9.1.3", TestDicom.square(64, List.of(), 3)));
    late.series = "1.9.1";
    late.extraHeader.put("00200032", List.of("0", "0", "15"));
    late.extraHeader.put("00200037", List.of("1", "0", "0", "0", "1", "0"));
    InstancesFixture.write(spark(), instancesPath, List.of(late), "append");
    FeaturesJob.Result f2 = show(features(config).execute());
    assertThat(f2.count("pending")).isEqualTo(1);
    // The undecodable instance is on record from the first run: not new, exit code 0.
    assertThat(f2.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(f2.summary()).contains("  rejections: none new this run (exit code 0), 1 on record");
    assertThat(f2.series()).isEqualTo(1);
    assertThat(table(layout.table(Zone.IDENTIFIABLE, FeaturesTables.INSTANCE_TABLE)).count())
        .isEqualTo(11);
    Row a2 =
        table(layout.table(Zone.IDENTIFIABLE, FeaturesTables.SERIES_TABLE))
            .where("SeriesInstanceUID = '1.9.1'")
            .first();
    assertThat(a2.<Integer>getAs("instance_count")).isEqualTo(4);
    OcrJob.Result o2 = show(ocr(config).execute());
    assertThat(o2.count("pending")).isEqualTo(2);
    assertThat(o2.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(o2.summary()).contains("  rejections: none new this run (exit code 0), 1 on record");
    assertThat(o2.withText()).isEqualTo(1);
    assertThat(o2.skipped()).isEqualTo(1);
    assertThat(table(layout.table(Zone.IDENTIFIABLE, OcrTables.TEXT_TABLE)).count())
        .isEqualTo(words);
    assertThat(table(layout.table(Zone.IDENTIFIABLE, OcrTables.FLAGS_TABLE)).count()).isEqualTo(11);

    // Other OCR settings (or a newer detector) make every flag row outdated: read again, once.
    String flagsPath = layout.table(Zone.IDENTIFIABLE, OcrTables.FLAGS_TABLE);
    assertThat(
            show(ocr(config, Map.of(OcrJob.OPTION_PASSES, "inverted")).execute()).count("pending"))
        .isEqualTo(11);
    assertThat(table(flagsPath).where("ocr_settings LIKE 'v2;passes=inverted;%'").count())
        .isEqualTo(11);
    assertThat(
            show(ocr(config, Map.of(OcrJob.OPTION_PASSES, "inverted")).execute()).count("pending"))
        .isZero();
    assertThat(
            show(ocr(config, Map.of(OcrJob.OPTION_KEEP_OUTDATED, "true")).execute())
                .count("pending"))
        .isZero();
    // A flags table from before the fingerprint existed gets the column and is read again.
    table(flagsPath)
        .drop(OcrTables.OCR_SETTINGS)
        .localCheckpoint()
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(flagsPath);
    OcrJob.Result upgraded = show(ocr(config).execute());
    assertThat(upgraded.count("pending")).isEqualTo(11);
    assertThat(upgraded.withText()).isEqualTo(1);
    assertThat(
            table(flagsPath)
                .where(functions.col(OcrTables.OCR_SETTINGS).equalTo(ocrSettings(config)))
                .count())
        .isEqualTo(11);
    assertThat(table(layout.table(Zone.IDENTIFIABLE, OcrTables.TEXT_TABLE)).count())
        .isEqualTo(words);
  }

  private Dataset<Row> table(String path) {
    return spark().read().format("delta").load(path);
  }

  private String ocrSettings(LakehouseConfig config) {
    return ocr(config).settings().fingerprint();
  }

  private FeaturesJob features(LakehouseConfig config) {
    return new FeaturesJob(spark(), config, JobOptions.of(config, FeaturesJob.NAME, Map.of()));
  }

  private OcrJob ocr(LakehouseConfig config) {
    return ocr(config, Map.of());
  }

  private OcrJob ocr(LakehouseConfig config, Map<String, String> options) {
    return new OcrJob(spark(), config, JobOptions.of(config, OcrJob.NAME, options));
  }

  private static <T extends org.imaginglakehouse.core.job.JobResult> T show(T result) {
    System.out.print(result.summary());
    return result;
  }
}
