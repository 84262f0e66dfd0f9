package org.imaginglakehouse.ingest.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.ingest.Discovery;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.ingest.IngestResult;
import org.imaginglakehouse.ingest.SourceFile;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser;
import org.imaginglakehouse.ingest.dicom.ParseOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse bench-ingest}: end-to-end ingest throughput into Delta next to the parse-only
 * limit of the same files in the same run, plus the cost of an incremental re-run with 0.1% new
 * files. Not a test: prints numbers for docs/benchmarks.md.
 */
@Command(
    name = "bench-ingest",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse bench-ingest --files 10000 --dir /tmp/bench-pacs --bench-home /tmp/bench-home"
    },
    description =
        "Benchmark the ingest: generate N small DICOM files, measure the parse-only limit (one"
            + " process), the end-to-end ingest into a fresh lakehouse home, and an incremental"
            + " re-run with 0.1%% new files.")
public final class BenchIngestCommand extends LakehouseCommand {
  @Option(names = "--files", description = "Number of files (default 100000).")
  int files = 100_000;

  @Option(names = "--dir", description = "Where the archive is generated (reused if complete).")
  Path dir = Path.of("/tmp/lakehouse-bench-pacs");

  @Option(names = "--bench-home", description = "Fresh lakehouse home for the measured runs.")
  Path benchHome = Path.of("/tmp/lakehouse-bench-home");

  @Override
  protected int run() throws Exception {
    var out = context().out();
    Path archive = dir.resolve("archive");
    int existing = countMarker();
    if (existing != files) {
      out.printf(Locale.ROOT, "generating %,d files under %s ...%n", files, archive);
      deleteTree(dir);
      long t = System.nanoTime();
      generate(archive, 0, files);
      Files.writeString(dir.resolve("COMPLETE"), Integer.toString(files));
      out.printf(Locale.ROOT, "  generated in %.1f s%n", seconds(t));
    }
    out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());

    // 1. Listing alone.
    long t0 = System.nanoTime();
    List<SourceFile> listed =
        new Discovery(new Configuration(), 16).discover(List.of(archive.toString()));
    double listSeconds = seconds(t0);
    out.printf(
        Locale.ROOT,
        "listing: %,d files in %.2f s (%,.0f files/s)%n",
        listed.size(),
        listSeconds,
        listed.size() / listSeconds);

    // 2. Parse-only limit: one process, tight loop, 1 thread and one thread per core.
    int cores = Runtime.getRuntime().availableProcessors();
    // Warm-up (untimed): without it the 1-thread figure mostly measures JIT compilation.
    parseOnly(listed.subList(0, Math.min(listed.size(), 20_000)), cores);
    double limit1 = parseOnly(listed, 1);
    double limitN = parseOnly(listed, cores);
    out.printf(
        Locale.ROOT,
        "parse-only limit: %,.0f instances/s (1 thread), %,.0f instances/s (%d threads)%n",
        limit1,
        limitN,
        cores);

    // 3. End-to-end ingest into a fresh home. The Spark session is started first and timed on its
    // own: a scheduler's long-lived driver pays it once, a one-off CLI run pays it every time.
    long ts = System.nanoTime();
    context().spark();
    out.printf(
        Locale.ROOT, "spark session start: %.1f s (not in the figures below)%n", seconds(ts));
    deleteTree(benchHome);
    LakehouseConfig config = context().config().with(LakehouseConfig.HOME, benchHome.toString());
    long t1 = System.nanoTime();
    IngestResult full = ingest(config, archive);
    double fullSeconds = seconds(t1);
    double e2e = full.instances() / fullSeconds;
    out.print(full.summary());
    out.printf(
        Locale.ROOT,
        "end-to-end: %,d instances in %.1f s = %,.0f instances/s (%.0f%% of the %d-thread limit, %.0f%% of the 1-thread limit)%n",
        full.instances(),
        fullSeconds,
        e2e,
        100 * e2e / limitN,
        cores,
        100 * e2e / limit1);

    // 4. Incremental: 0.1% new files.
    int extra = Math.max(1, files / 1000);
    generate(archive.resolve("incremental-" + System.currentTimeMillis()), files, files + extra);
    long t2 = System.nanoTime();
    IngestResult inc = ingest(config, archive);
    double incSeconds = seconds(t2);
    out.print(inc.summary());
    out.printf(
        Locale.ROOT,
        "incremental: %,d new of %,d files in %.1f s = %.1f%% of the full run%n",
        inc.count("read"),
        inc.inputs(),
        incSeconds,
        100 * incSeconds / fullSeconds);

    // 5. Unchanged re-run.
    long t3 = System.nanoTime();
    IngestResult same = ingest(config, archive);
    out.print(same.summary());
    out.printf(
        Locale.ROOT, "unchanged re-run: read %d files, %.1f s%n", same.count("read"), seconds(t3));
    out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    // Leave the extra files out of the next bench run's archive.
    deleteTree(dir);
    return 0;
  }

  private IngestResult ingest(LakehouseConfig config, Path source) {
    JobOptions options = IngestJob.options(config, source.toString(), Map.of());
    return new IngestJob(context().spark(), config, options).execute();
  }

  private static double parseOnly(List<SourceFile> listed, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong instances = new AtomicLong();
    long t = System.nanoTime();
    try {
      int per = (listed.size() + threads - 1) / threads;
      List<Future<?>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < threads; i++) {
        List<SourceFile> slice =
            listed.subList(
                Math.min(listed.size(), i * per), Math.min(listed.size(), (i + 1) * per));
        futures.add(
            pool.submit(
                () -> {
                  DicomHeaderParser parser =
                      new DicomHeaderParser(DicomHeaderParser.ChecksumMode.HEADER);
                  for (SourceFile f : slice) {
                    try (InputStream in = Files.newInputStream(Path.of(f.path()))) {
                      if (parser.parse(in, f.size(), f.name()) instanceof ParseOutcome.Instance) {
                        instances.incrementAndGet();
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return instances.get() / seconds(t);
  }

  private static void generate(Path root, int from, int to) throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new java.util.ArrayList<>();
      int chunk = 1000;
      for (int start = from; start < to; start += chunk) {
        int s = start;
        int e = Math.min(to, start + chunk);
        futures.add(pool.submit(() -> BenchArchive.write(root, s, e, 42)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private int countMarker() {
    try {
      Path marker = dir.resolve("COMPLETE");
      return Files.exists(marker) ? Integer.parseInt(Files.readString(marker).trim()) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "n/a";
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
