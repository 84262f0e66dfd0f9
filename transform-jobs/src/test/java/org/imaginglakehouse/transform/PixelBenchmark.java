package org.imaginglakehouse.transform;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.imaginglakehouse.transform.features.FeatureCalculator;
import org.imaginglakehouse.transform.features.FeatureRegistry;
import org.imaginglakehouse.transform.ocr.OcrRunner;
import org.imaginglakehouse.transform.ocr.OcrSettings;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speed harness, not a test: runs only with {@code -Dpixel.bench=true} and prints figures for
 * docs/benchmarks.md (it asserts nothing). 512×512 12-bit frames, half with burned-in text.
 */
class PixelBenchmark {
  @TempDir Path dir;

  @Test
  void bench() throws Exception {
    assumeTrue(Boolean.getBoolean("pixel.bench"), "benchmark: run with -Dpixel.bench=true");
    int n = Integer.getInteger("pixel.bench.frames", 20);
    List<PixelDescriptor> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestDicom.Spec s = new TestDicom.Spec();
      s.rows = 512;
      s.cols = 512;
      List<TestDicom.Text> texts =
          i % 2 == 0
              ? List.of(
                  new TestDicom.Text("SMITH^JOHN  0101701234", 10, 10, 14),
                  new TestDicom.Text("DOB 01/01/1970", 10, 480, 14))
              : List.of();
      s.frames = List.of(TestDicom.frame(512, 512, 12, i, 4095, texts));
      images.add(TestDicom.write(dir.resolve(i + ".dcm"), "1.7." + i, s));
    }
    StringBuilder out = new StringBuilder();
    for (boolean stop : new boolean[] {false, true}) {
      OcrSettings settings = OcrSettings.defaults().withPasses(OcrSettings.DEFAULT_PASSES, stop);
      OcrRunner runner = new OcrRunner(settings);
      runner.run(images.get(0)); // warm-up: handle creation, JIT
      long start = System.nanoTime();
      for (PixelDescriptor d : images) {
        runner.run(d);
      }
      double perFrame = (System.nanoTime() - start) / 1e6 / n;
      double twoCores = parallel(images, settings, 2);
      out.append(
          String.format(
              Locale.ROOT,
              "ocr 512x512 (%s%s): %.0f ms/frame on 1 core; %.2f frames/s on 2 threads%n",
              OcrSettings.passIds(settings.passes()),
              stop ? ", stop-after-text" : "",
              perFrame,
              twoCores));
    }
    FeatureCalculator features = new FeatureCalculator(32, FeatureRegistry.all());
    features.compute(images.get(0));
    long start = System.nanoTime();
    for (int r = 0; r < 3; r++) {
      for (PixelDescriptor d : images) {
        features.compute(d);
      }
    }
    double rowsPerSecond = 3.0 * n / ((System.nanoTime() - start) / 1e9);
    out.append(
        String.format(
            Locale.ROOT, "features 512x512 12-bit: %.1f rows/s on 1 core%n", rowsPerSecond));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "pixel-bench.txt"), out);
    System.out.print(out);
  }

  private static double parallel(List<PixelDescriptor> images, OcrSettings settings, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> warm = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        warm.add(pool.submit(() -> new OcrRunner(settings).run(images.get(0))));
      }
      for (Future<?> f : warm) {
        f.get();
      }
      long start = System.nanoTime();
      List<Future<?>> jobs = new ArrayList<>();
      for (PixelDescriptor d : images) {
        jobs.add(pool.submit(() -> new OcrRunner(settings).run(d)));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
      return images.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdown();
    }
  }
}
