package org.imaginglakehouse.extract;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.cohort.CohortCreateJob;
import org.imaginglakehouse.transform.ocr.OcrJob;
import org.imaginglakehouse.transform.promote.PromoteJob;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;

/**
 * A small lakehouse for the extract tests, made the way a site makes one: synthetic PACS, ingest,
 * promote (CHI→EUPI from the PACS's mapping table), and cohorts.
 */
final class ExtractLakehouse {
  /** Two project keys (64 hex characters each, as `openssl rand -hex 32` prints). */
  static final String KEY_A = "3f1c9a7e5b2d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f";

  static final String KEY_B = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110fedcba9876";

  final GroundTruth truth;
  final LakehouseConfig config;

  private ExtractLakehouse(GroundTruth truth, LakehouseConfig config) {
    this.truth = truth;
    this.config = config;
  }

  static ExtractLakehouse build(SparkSession spark, Path dir, LakehouseConfig home) {
    return build(
        spark,
        dir,
        home,
        SynthOptions.builder()
            .patients(6)
            .seed(23)
            .imagesScale(0.1)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .build());
  }

  /** The same with another synthetic PACS (e.g. a larger one for a benchmark). */
  static ExtractLakehouse build(
      SparkSession spark, Path dir, LakehouseConfig home, SynthOptions pacs) {
    return build(spark, dir, home, pacs, false, truth -> {});
  }

  /**
   * The same, with {@code beforeIngest} changing the PACS's files first, and {@code lakehouse ocr}
   * run between ingest and promote when {@code ocr}.
   */
  static ExtractLakehouse build(
      SparkSession spark,
      Path dir,
      LakehouseConfig home,
      SynthOptions pacs,
      boolean ocr,
      java.util.function.Consumer<GroundTruth> beforeIngest) {
    Path out = dir.resolve("pacs");
    SyntheticPacs.generate(out, pacs);
    GroundTruth truth = GroundTruth.read(out);
    beforeIngest.accept(truth);
    new IngestJob(spark, home, IngestJob.options(home, truth.dicomRoot().toString(), Map.of()))
        .execute();
    if (ocr) {
      new OcrJob(spark, home, JobOptions.of(home, OcrJob.NAME, Map.of())).execute();
    }
    LakehouseConfig config =
        home.with(PseudonymConfig.SOURCE, "csv")
            .with(PseudonymConfig.LOCATION, truth.linkedDir().resolve("chi_eupi.csv").toString());
    new PromoteJob(spark, config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
        .execute();
    return new ExtractLakehouse(truth, config);
  }

  void cohort(SparkSession spark, String name, String sql) {
    CohortCreateJob.of(
            spark,
            config,
            Map.of(
                CohortCreateJob.OPTION_NAME,
                name,
                CohortCreateJob.OPTION_SQL,
                sql,
                CohortCreateJob.OPTION_REPLACE,
                "true"))
        .execute();
  }

  static Path projectFile(Path dir, String project, String yaml) throws Exception {
    Path file = dir.resolve(project + "-" + System.nanoTime() + ".yaml");
    Files.writeString(file, "project: " + project + "\n" + yaml, StandardCharsets.UTF_8);
    return file;
  }

  ExtractResult extract(SparkSession spark, Map<String, String> options, String key) {
    String project = options.get(ExtractJob.OPTION_PROJECT);
    return new ExtractJob(
            spark,
            config,
            JobOptions.of(config, ExtractJob.NAME, options),
            Map.of("LAKEHOUSE_PROJECT_" + project.toUpperCase() + "_KEY", key))
        .execute();
  }

  /**
   * The ground-truth file an extracted file came from, by the files table's {@code
   * source_uid_sha256}: any file ingest reads as an instance, including one missing its preamble.
   */
  GroundTruth.FileEntry sourceOf(String sourceUidSha256) {
    return truth.files().stream()
        .filter(
            f ->
                f.isReadableInstance()
                    && ExtractJob.sha256Hex(f.sopInstanceUid()).equals(sourceUidSha256))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no ingested ground-truth file for " + sourceUidSha256));
  }
}
