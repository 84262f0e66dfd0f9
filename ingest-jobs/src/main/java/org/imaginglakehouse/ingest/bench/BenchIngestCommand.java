package org.imaginglakehouse.ingest.bench;

import static org.imaginglakehouse.ingest.bench.BenchClock.deleteTree;
import static org.imaginglakehouse.ingest.bench.BenchClock.loadAverage;
import static org.imaginglakehouse.ingest.bench.BenchClock.seconds;

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

  @Option(
      names = "--template",
      paramLabel = "FILE",
      description =
          "Realistic mode: the archive holds copies of these real DICOM files (Part 10, with file"
              + " meta information) with distinct study, series and SOP instance UIDs, instead of"
              + " tiny generated files. Repeatable; series k copies template k mod n.")
  List<Path> templates = new java.util.ArrayList<>();

  @Option(
      names = "--parse-only",
      description =
          "Generate the archive (if needed), list it and measure the parse-only limit, then stop:"
              + " bin/bench-ingest-real times the ingest and its peer as separate commands.")
  boolean parseOnly;

  @Override
  protected int run() throws Exception {
    var out = context().out();
    Path archive = dir.resolve("archive");
    String marker = marker();
    if (!marker.equals(readMarker())) {
      out.printf(Locale.ROOT, "generating %,d files under %s ...%n", files, archive);
      deleteTree(dir);
      long t = System.nanoTime();
      generate(archive, 0, files);
      Files.writeString(dir.resolve("COMPLETE"), marker);
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
    List<SourceFile> warmUp = listed.subList(0, Math.min(listed.size(), 20_000));
    parseOnly(warmUp, cores, false);
    parseOnly(warmUp, cores, true);
    // The reference first: PixelMed's AttributeList.read for every header, as before 2026-12-07.
    ParseLimit oneReference = parseOnly(listed, 1, false);
    ParseLimit allReference = parseOnly(listed, cores, false);
    ParseLimit one = parseOnly(listed, 1, true);
    ParseLimit all = parseOnly(listed, cores, true);
    double limit1 = one.perSecond();
    double limitN = all.perSecond();
    out.printf(
        Locale.ROOT,
        "parse-only limit: %,.0f instances/s (1 thread), %,.0f instances/s (%d threads)%n",
        limit1,
        limitN,
        cores);
    out.printf(
        Locale.ROOT,
        "  with PixelMed reading every header: %,.0f instances/s (1 thread), %,.0f instances/s"
            + " (%d threads)%n",
        oneReference.perSecond(),
        allReference.perSecond(),
        cores);
    out.printf(
        Locale.ROOT,
        "bytes per file: %,.0f read by the parser, header %,.0f, file %,.0f%n",
        all.bytesRead() / (double) listed.size(),
        all.headerBytes() / (double) Math.max(1, all.instances()),
        listed.stream().mapToLong(SourceFile::size).sum() / (double) listed.size());
    if (parseOnly) {
      out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
      return 0;
    }

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

  /** What one parse-only pass measured. */
  private record ParseLimit(double perSecond, long instances, long bytesRead, long headerBytes) {}

  /**
   * Parses every listed file on {@code threads} threads.
   *
   * @param directRead whether headers are read as ingest reads them ({@link
   *     org.imaginglakehouse.core.dicom.DirectHeaderReader}, PixelMed for the rest) or every one by
   *     PixelMed (the reference)
   */
  private static ParseLimit parseOnly(List<SourceFile> listed, int threads, boolean directRead)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong instances = new AtomicLong();
    AtomicLong bytesRead = new AtomicLong();
    AtomicLong headerBytes = new AtomicLong();
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
                      new DicomHeaderParser(DicomHeaderParser.ChecksumMode.HEADER, directRead);
                  for (SourceFile f : slice) {
                    try (CountingStream in =
                        new CountingStream(Files.newInputStream(Path.of(f.path())))) {
                      if (parser.parse(in, f.size(), f.name())
                          instanceof ParseOutcome.Instance ok) {
                        instances.incrementAndGet();
                        headerBytes.addAndGet(ok.header().headerLength());
                      }
                      bytesRead.addAndGet(in.count);
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
    return new ParseLimit(
        instances.get() / seconds(t), instances.get(), bytesRead.get(), headerBytes.get());
  }

  /** Counts the bytes a parser takes from a file (read or skipped). */
  private static final class CountingStream extends java.io.FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count += Math.max(0, n);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += Math.max(0, skipped);
      return skipped;
    }
  }

  private void generate(Path root, int from, int to) throws Exception {
    RealCopies copies = templates.isEmpty() ? null : new RealCopies(templates);
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new java.util.ArrayList<>();
      int chunk = 1000;
      for (int start = from; start < to; start += chunk) {
        int s = start;
        int e = Math.min(to, start + chunk);
        futures.add(
            pool.submit(
                () -> {
                  if (copies == null) {
                    BenchArchive.write(root, s, e, 42);
                  } else {
                    copies.write(root, s, e);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /** What the archive under {@link #dir} holds: the file count and the templates copied. */
  private String marker() {
    StringBuilder m = new StringBuilder(Integer.toString(files));
    for (Path t : templates) {
      m.append(' ').append(t.toAbsolutePath());
    }
    return m.toString();
  }

  private String readMarker() {
    try {
      Path marker = dir.resolve("COMPLETE");
      return Files.exists(marker) ? Files.readString(marker).trim() : "";
    } catch (IOException e) {
      return "";
    }
  }
}
