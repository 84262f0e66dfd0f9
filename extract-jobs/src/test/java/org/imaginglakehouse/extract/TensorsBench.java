package org.imaginglakehouse.extract;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.synth.SynthOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark harness (not a unit test: it runs only with {@code -Dtensors.bench=true}; {@code
 * -Dtensors.bench.patients=N}, default 20; {@code -Dtensors.bench.series=N}, default 100): a
 * CT-only synthetic PACS at real size (512x512), extracted without verification, then {@code
 * lakehouse tensors} without verification (the cost of the Arrow files next to the DICOM extract),
 * then src/test/python/tensors_bench.py loading the same CT series into NumPy from the Arrow files
 * and with pydicom, alternating, twice each, in the repo's .venv. Results: docs/benchmarks.md.
 */
@EnabledIfSystemProperty(named = "tensors.bench", matches = "true")
class TensorsBench extends SparkTestBase {
  @Test
  void arrowVolumesNextToTheExtractAndLoadedAgainstPydicom() throws Exception {
    int patients = Integer.getInteger("tensors.bench.patients", 20);
    ExtractLakehouse lake =
        ExtractLakehouse.build(
            spark(),
            tempDir,
            newHomeConfig("bench"),
            SynthOptions.builder()
                .patients(patients)
                .seed(29)
                .imagesScale(1.0)
                .modalityMix(Map.of("CT", 1.0))
                .pixelSize(SynthOptions.PixelSize.FULL)
                .threads(2)
                .build());
    lake.cohort(spark(), "everything", "SELECT eupi, StudyInstanceUID FROM deidentified.study");
    String yaml =
        ExtractLakehouse.projectFile(tempDir, "bench", "cohorts: ['*']\nmodalities: [CT]\n")
            .toString();
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
    JobResult tensors =
        TensorsJob.of(
                spark(),
                lake.config,
                Map.of(
                    TensorsJob.OPTION_PROJECT, "bench",
                    TensorsJob.OPTION_EXTRACTION, "everything",
                    TensorsJob.OPTION_VERIFY, "false"))
            .execute();
    print("tensors", tensors, tensors.count("volumes"), tensors.count("volume_bytes"));
    System.out.println(tensors.summary());
    Path root = Path.of(extract.location());
    String series = Integer.toString(Integer.getInteger("tensors.bench.series", 100));
    for (String mode : new String[] {"none", "arrow", "pydicom", "arrow", "pydicom"}) {
      System.out.println("BENCH load " + python(root, mode, series));
    }
  }

  private static String python(Path root, String mode, String series) throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    Path log = Files.createTempFile("tensors-bench-", ".log");
    Process p =
        new ProcessBuilder(
                repo.resolve(".venv/bin/python").toString(),
                repo.resolve("extract-jobs/src/test/python/tensors_bench.py").toString(),
                root.toString(),
                repo.resolve("docs/ml-ready.md").toString(),
                mode,
                series)
            .redirectError(log.toFile())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(mode + ": " + Files.readString(log));
    }
    return out;
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
