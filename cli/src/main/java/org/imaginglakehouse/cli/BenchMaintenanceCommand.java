package org.imaginglakehouse.cli;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.maintenance.OptimizeJob;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.ingest.bench.BenchClock;
import org.imaginglakehouse.transform.promote.PromoteJob;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse bench-maintenance}: the small-file behaviour of many incremental feeds. Runs N
 * feeds of M files of a synthetic PACS through ingest and promote into one fresh home in this JVM
 * (as a long-lived scheduler driver would), then prints the data files and bytes per table and the
 * time of typical analyst queries on {@code deidentified.image}, cold and warm, before and after
 * {@code optimize} of both zones, and the optimize time. Not a test: numbers for
 * docs/benchmarks.md.
 */
@Command(
    name = "bench-maintenance",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse synth --out /tmp/pacs --patients 1070 --seed 1 --pixel-size tiny --no-parquet",
      "  lakehouse bench-maintenance --pacs /tmp/pacs --feeds 100 --files-per-feed 1000"
          + " --bench-home /tmp/maint-home"
    },
    description =
        "Benchmark maintenance: ingest + promote N small feeds, then file counts and analyst"
            + " query times on deidentified.image before and after optimize.")
final class BenchMaintenanceCommand extends LakehouseCommand {
  @Option(names = "--pacs", required = true, description = "A PACS made by lakehouse synth.")
  Path pacs;

  @Option(names = "--feeds", description = "Number of feeds (default 100).")
  int feeds = 100;

  @Option(names = "--files-per-feed", description = "Files per feed (default 1000).")
  int filesPerFeed = 1000;

  @Option(
      names = "--bench-home",
      description = "Fresh lakehouse home (a path or s3a:// URI; deleted first).")
  String benchHome = "/tmp/lakehouse-bench-maintenance";

  @Option(names = "--warm-runs", description = "Warm runs per query (median; default 3).")
  int warmRuns = 3;

  static final List<String> TABLES =
      List.of(
          "deidentified.image",
          "deidentified.series",
          "deidentified.study",
          "identifiable.instances",
          "identifiable.file_index");

  @Override
  protected int run() throws Exception {
    PrintStream out = context().out();
    SparkSession spark = context().spark();
    LakehouseConfig config =
        context()
            .config()
            .with(LakehouseConfig.HOME, benchHome)
            .with(PseudonymConfig.SOURCE, "csv")
            .with(
                PseudonymConfig.LOCATION,
                pacs.resolve("linked").resolve("chi_eupi.csv").toString());
    org.apache.hadoop.fs.Path home = new org.apache.hadoop.fs.Path(benchHome);
    FileSystem fs = home.getFileSystem(spark.sparkContext().hadoopConfiguration());
    fs.delete(home, true);
    ZoneLayout layout = ZoneLayout.from(config);
    List<Path> lists = feedLists();
    out.printf(Locale.ROOT, "load average at start: %s%n", BenchClock.loadAverage());
    out.printf(Locale.ROOT, "%d feeds x %d files into %s%n", lists.size(), filesPerFeed, benchHome);
    out.flush();
    long t0 = System.nanoTime();
    double ingestSeconds = 0;
    double promoteSeconds = 0;
    for (int i = 0; i < lists.size(); i++) {
      long ti = System.nanoTime();
      new IngestJob(spark, config, IngestJob.options(config, lists.get(i).toString(), Map.of()))
          .execute();
      long tp = System.nanoTime();
      new PromoteJob(spark, config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
          .execute();
      ingestSeconds += (tp - ti) / 1e9;
      promoteSeconds += BenchClock.seconds(tp);
      if ((i + 1) % 10 == 0 || i + 1 == lists.size()) {
        out.printf(
            Locale.ROOT,
            "feeds %d/%d: %.0f s (ingest %.0f s, promote %.0f s), load %s%n",
            i + 1,
            lists.size(),
            BenchClock.seconds(t0),
            ingestSeconds,
            promoteSeconds,
            BenchClock.loadAverage());
        out.flush();
      }
    }
    new ZoneCatalog(spark, layout, Set.of(Zone.IDENTIFIABLE, Zone.DEIDENTIFIED)).registerAll();
    String series =
        spark
            .sql(
                "SELECT SeriesInstanceUID FROM deidentified.series ORDER BY SeriesInstanceUID"
                    + " LIMIT 1 OFFSET "
                    + Math.max(0, spark.table("deidentified.series").count() / 2))
            .first()
            .getString(0);
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put(
        "count_by_modality", "SELECT Modality, count(*) FROM deidentified.image GROUP BY Modality");
    queries.put(
        "study_date_range",
        "SELECT count(*) FROM deidentified.image i JOIN deidentified.study s"
            + " ON i.StudyInstanceUID = s.StudyInstanceUID"
            + " WHERE s.StudyDate BETWEEN DATE'2015-01-01' AND DATE'2016-12-31'");
    queries.put(
        "series_point_lookup",
        "SELECT count(*), sum(DicomFileSize) FROM deidentified.image WHERE SeriesInstanceUID = '"
            + series
            + "'");
    report("before optimize", layout, queries);
    for (Zone zone : List.of(Zone.IDENTIFIABLE, Zone.DEIDENTIFIED)) {
      long to = System.nanoTime();
      JobResult r =
          new OptimizeJob(
                  spark,
                  config,
                  JobOptions.of(
                      config, OptimizeJob.NAME, Map.of(OptimizeJob.OPTION_ZONE, zone.id())))
              .execute();
      out.printf(
          Locale.ROOT,
          "optimize %s: %.1f s, %d files compacted%n",
          zone.id(),
          BenchClock.seconds(to),
          r.count("files_compacted"));
    }
    report("after optimize", layout, queries);
    out.printf(Locale.ROOT, "load average at end: %s%n", BenchClock.loadAverage());
    return 0;
  }

  private void report(String when, ZoneLayout layout, Map<String, String> queries) {
    PrintStream out = context().out();
    SparkSession spark = context().spark();
    out.printf(Locale.ROOT, "== %s ==%n", when);
    for (String table : TABLES) {
      String[] parts = table.split("\\.");
      Row d =
          DeltaTable.forPath(spark, layout.table(Zone.fromId(parts[0]), parts[1])).detail().first();
      out.printf(
          Locale.ROOT,
          "%-26s %,8d data files %,14d bytes%n",
          table,
          d.getLong(d.fieldIndex("numFiles")),
          d.getLong(d.fieldIndex("sizeInBytes")));
    }
    for (Map.Entry<String, String> q : queries.entrySet()) {
      // Cold: no Delta snapshot cached (the log is listed and replayed again), nothing cached.
      DeltaLog.clearCache();
      spark.catalog().clearCache();
      long tc = System.nanoTime();
      long rows = spark.sql(q.getValue()).collectAsList().size();
      double cold = BenchClock.seconds(tc);
      double[] warm = new double[warmRuns];
      for (int i = 0; i < warmRuns; i++) {
        long tw = System.nanoTime();
        spark.sql(q.getValue()).collectAsList();
        warm[i] = BenchClock.seconds(tw);
      }
      Arrays.sort(warm);
      out.printf(
          Locale.ROOT,
          "query %-20s cold %6.2f s  warm (median of %d) %6.2f s  (%d result rows)%n",
          q.getKey(),
          cold,
          warmRuns,
          warm[warmRuns / 2],
          rows);
    }
    out.flush();
  }

  /** The PACS's files, sorted by path, cut into the feeds' file lists (next to the PACS). */
  private List<Path> feedLists() throws IOException {
    List<String> files;
    try (Stream<Path> walk = Files.walk(pacs.resolve("dicom"))) {
      files = walk.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
    }
    long needed = (long) feeds * filesPerFeed;
    if (files.size() < needed) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s holds %,d files, fewer than %d feeds x %d files: make a larger PACS with"
                  + " lakehouse synth --patients",
              pacs,
              files.size(),
              feeds,
              filesPerFeed));
    }
    Path dir = Files.createDirectories(pacs.resolve("feeds-" + feeds + "x" + filesPerFeed));
    List<Path> lists = new ArrayList<>();
    for (int i = 0; i < feeds; i++) {
      Path list = dir.resolve(String.format(Locale.ROOT, "feed-%03d.lst", i));
      Files.write(list, files.subList(i * filesPerFeed, (i + 1) * filesPerFeed));
      lists.add(list);
    }
    return lists;
  }
}
