package org.imaginglakehouse.extract;

import java.util.Locale;
import java.util.Map;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark harness (not a unit test: it runs only with {@code -Dverify.bench=true}; {@code
 * -Dverify.bench.patients=N}, default 20): builds a synthetic lakehouse (SMALL pixels), extracts
 * everything without verification, then verifies the same extraction with the default samples, once
 * per {@code -Dverify.bench.ocr-samples=0,0.1} (the {@code --ocr-sample} values, default 0), and
 * prints files/s and MB/s of each. Command and results: docs/benchmarks.md.
 */
@EnabledIfSystemProperty(named = "verify.bench", matches = "true")
class VerifyBench extends SparkTestBase {
  @Test
  void verifyThroughputNextToExtract() throws Exception {
    int patients = Integer.getInteger("verify.bench.patients", 20);
    ExtractLakehouse lake =
        ExtractLakehouse.build(
            spark(),
            tempDir,
            newHomeConfig("bench"),
            org.imaginglakehouse.synth.SynthOptions.builder()
                .patients(patients)
                .seed(29)
                .imagesScale(0.5)
                .pixelSize(org.imaginglakehouse.synth.SynthOptions.PixelSize.SMALL)
                .threads(1)
                .build());
    lake.cohort(spark(), "everything", "SELECT eupi, StudyInstanceUID FROM deidentified.study");
    String yaml = ExtractLakehouse.projectFile(tempDir, "bench", "cohorts: ['*']\n").toString();
    ExtractResult extract =
        lake.extract(
            spark(),
            Map.of(
                ExtractJob.OPTION_PROJECT, "bench",
                ExtractJob.OPTION_PROJECT_CONFIG, yaml,
                ExtractJob.OPTION_COHORT, "everything",
                ExtractJob.OPTION_VERIFY, "false"),
            ExtractLakehouse.KEY_A);
    print("extract", extract, extract.count("written"), extract.count("bytes_written"));
    for (String ocr : System.getProperty("verify.bench.ocr-samples", "0").split(",")) {
      VerifyResult verify =
          VerifyJob.of(
                  spark(),
                  lake.config,
                  Map.of(
                      VerifyJob.OPTION_PROJECT,
                      "bench",
                      VerifyJob.OPTION_EXTRACTION,
                      "everything",
                      VerifyJob.OPTION_OCR_SAMPLE,
                      ocr))
              .execute();
      print(
          "verify --ocr-sample " + ocr,
          verify,
          verify.count("files_verified"),
          verify.count("bytes_verified"));
      System.out.println(verify.summary());
    }
  }

  private static void print(String what, JobResult r, long files, long bytes) {
    double s = r.duration().toMillis() / 1000.0;
    System.out.printf(
        Locale.ROOT,
        "BENCH %s: %d files, %.1f MB in %.1f s = %.1f files/s, %.2f MB/s (timings %s)%n",
        what,
        files,
        bytes / 1e6,
        s,
        files / s,
        bytes / 1e6 / s,
        r.timingsMillis());
  }
}
