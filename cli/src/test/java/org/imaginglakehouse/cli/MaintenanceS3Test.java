package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.maintenance.CohortRetentionRule;
import org.imaginglakehouse.core.maintenance.OptimizeJob;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.testing.S3ProxyServer;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.cohort.CohortCreateJob;
import org.imaginglakehouse.transform.cohort.CohortRerunJob;
import org.imaginglakehouse.transform.cohort.CohortResult;
import org.imaginglakehouse.transform.promote.PromoteJob;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.junit.jupiter.api.Test;

/**
 * Maintenance on object storage (a lakehouse home on s3a:// served by S3Proxy): small incremental
 * feeds ingested and promoted, OPTIMIZE compacts every zone without changing a row, VACUUM deletes
 * the files no version needs any more but keeps those a live cohort's pinned versions need (the
 * cohort-retention rule raises a too-short retention), the cohort re-runs identical, and the log
 * retention properties of the de-identified tables cover the rule. Delta's retention check is off
 * in this session only, so that the rule, not Delta's 7-day floor, is what protects the files.
 */
class MaintenanceS3Test extends SparkTestBase {
  static final String COHORT = "all_images";

  @Test
  void optimizeAndVacuumOnS3KeepPinnedCohortsReproducible() throws Exception {
    Path pacs = tempDir.resolve("pacs");
    SyntheticPacs.generate(
        pacs,
        SynthOptions.builder()
            .patients(6)
            .seed(23)
            .imagesScale(0.1)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .build());
    GroundTruth truth = GroundTruth.read(pacs);
    List<Path> feeds = feeds(truth.dicomRoot(), 3);
    Configuration hadoop = spark().sparkContext().hadoopConfiguration();
    try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
      s3.createBucket("lake");
      // The S3A file system stays cached (this test makes many), and is closed at the end.
      Map<String, String> s3a = new java.util.HashMap<>(s3.hadoopSettings());
      s3a.remove("fs.s3a.impl.disable.cache");
      s3a.forEach(hadoop::set);
      spark().conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
      try {
        LakehouseConfig config =
            LakehouseConfig.builder()
                .flag(LakehouseConfig.HOME, "s3a://lake/home")
                .flag(PseudonymConfig.SOURCE, "csv")
                .flag(
                    PseudonymConfig.LOCATION, truth.linkedDir().resolve("chi_eupi.csv").toString())
                .build();
        ZoneLayout layout = ZoneLayout.from(config);
        Path image = s3.dataDir().resolve("lake/home/deidentified/image");
        Path instances = s3.dataDir().resolve("lake/home/identifiable/instances");

        // Two feeds, compacted before the cohort is made: what that compaction removed is needed
        // by no version a cohort pins.
        feed(config, feeds.get(0));
        feed(config, feeds.get(1));
        JobResult first = optimize(config, Zone.DEIDENTIFIED, Map.of());
        // The default 365-day cohort retention raised the log and tombstone retention of every
        // de-identified table (Delta's defaults are 30, 2 and 7 days).
        assertThat(first.count("retention_properties_raised")).isPositive();
        assertThat(retentionShorterThan(layout, Duration.ofDays(365))).isEmpty();
        Instant beforePin = Instant.now();
        CohortResult created =
            CohortCreateJob.of(
                    spark(),
                    config,
                    Map.of(
                        CohortCreateJob.OPTION_NAME,
                        COHORT,
                        CohortCreateJob.OPTION_SQL,
                        "SELECT eupi, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID,"
                            + " Modality FROM deidentified.image"))
                .execute();
        assertThat(created.members()).isPositive();
        // The third feed arrives after the cohort: small files again.
        feed(config, feeds.get(2));

        Map<String, String> before = contentHashes(layout);
        long imageFilesBefore = activeFiles(layout, Zone.DEIDENTIFIED, "image");
        long instancesFilesBefore = activeFiles(layout, Zone.IDENTIFIABLE, "instances");
        assertThat(imageFilesBefore).isGreaterThan(1);
        assertThat(instancesFilesBefore).isGreaterThan(1);
        TreeSet<String> imageObjectsBefore = dataObjects(image);
        TreeSet<String> pinnedFiles = filesOfVersion(layout, created);
        assertThat(imageObjectsBefore).containsAll(pinnedFiles);
        long instancesObjectsBefore = dataObjects(instances).size();

        // A retention of 0 h is asked; the rule raises it on the pinned tables.
        Map<String, String> belowTheRule = vacuumAtZeroHours(1);
        JobResult identifiable = optimize(config, Zone.IDENTIFIABLE, belowTheRule);
        JobResult deidentified = optimize(config, Zone.DEIDENTIFIED, belowTheRule);
        assertThat(identifiable.count("vacuum_retention_raised")).isZero();
        assertThat(deidentified.count("vacuum_retention_raised"))
            .as(deidentified.summary())
            .isPositive();
        assertThat(deidentified.count("files_compacted")).isPositive();

        // Compacted, same rows.
        assertThat(activeFiles(layout, Zone.DEIDENTIFIED, "image")).isLessThan(imageFilesBefore);
        assertThat(activeFiles(layout, Zone.IDENTIFIABLE, "instances"))
            .isLessThan(instancesFilesBefore);
        assertThat(contentHashes(layout)).isEqualTo(before);
        // Identifiable zone (no cohort reads it): every replaced file is gone from the bucket.
        assertThat(dataObjects(instances))
            .hasSize((int) activeFiles(layout, Zone.IDENTIFIABLE, "instances"));
        assertThat((long) dataObjects(instances).size()).isLessThan(instancesObjectsBefore);
        // De-identified: the retention was raised to the pin (whole hours: Delta rounds), so every
        // object, those the pin reads included, is still there.
        TreeSet<String> imageObjectsAfter = dataObjects(image);
        assertThat(imageObjectsAfter).containsAll(pinnedFiles).containsAll(imageObjectsBefore);
        assertThat(deidentified.count("vacuum_retain_hours_max")).isPositive();
        assertThat(rerun(config).identical()).isTrue();

        // The log and tombstones of every de-identified table still cover the 1-day rule.
        assertThat(retentionShorterThan(layout, Duration.ofDays(1))).isEmpty();

        // Once the cohort is past its retention the rule no longer protects it: VACUUM then
        // deletes its files and the re-run says it cannot be reproduced (the rule, not luck,
        // kept it reproducible above).
        assertThat(beforePin).isBefore(Instant.now());
        optimize(config, Zone.DEIDENTIFIED, vacuumAtZeroHours(0));
        assertThat(dataObjects(image)).doesNotContainAnyElementsOf(pinnedFiles);
        assertThatThrownBy(() -> rerun(config)).hasMessageContaining("vacuumed");
      } finally {
        spark().conf().unset("spark.databricks.delta.retentionDurationCheck.enabled");
        for (String zone : List.of("identifiable", "deidentified")) {
          for (Row t : spark().sql("SHOW TABLES IN " + zone).collectAsList()) {
            spark().sql("DROP TABLE IF EXISTS " + zone + "." + t.getString(1));
          }
        }
        org.apache.hadoop.fs.FileSystem.get(java.net.URI.create("s3a://lake/"), hadoop).close();
        s3a.keySet().forEach(hadoop::unset);
      }
    }
  }

  /**
   * "table property = value" for every retention property of a de-identified table shorter than
   * {@code min} (a property not set counts as Delta's default).
   */
  static List<String> retentionShorterThan(ZoneLayout layout, Duration min) {
    List<String> tooShort = new ArrayList<>();
    for (ZoneCatalog.TableRef t :
        new ZoneCatalog(spark(), layout, java.util.Set.of(Zone.DEIDENTIFIED)).registerAll()) {
      Row detail = DeltaTable.forPath(spark(), t.location()).detail().first();
      Map<String, String> props = detail.getJavaMap(detail.fieldIndex("properties"));
      for (String p : CohortRetentionRule.RETENTION_PROPERTIES) {
        String value = props == null ? null : props.get(p);
        Optional<Duration> kept =
            value == null
                ? Optional.of(CohortRetentionRule.deltaDefault(p))
                : CohortRetentionRule.parseInterval(value);
        if (kept.isEmpty() || kept.get().compareTo(min) < 0) {
          tooShort.add(t.qualifiedName() + " " + p + " = " + value);
        }
      }
    }
    return tooShort;
  }

  /** Splits the PACS's files (sorted by path) into {@code n} file lists, one per feed. */
  static List<Path> feeds(Path root, int n) throws IOException {
    List<String> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
    }
    List<Path> lists = new ArrayList<>();
    int per = (files.size() + n - 1) / n;
    for (int i = 0; i < n; i++) {
      Path list = root.getParent().resolve("feed-" + i + ".lst");
      Files.write(list, files.subList(i * per, Math.min(files.size(), (i + 1) * per)));
      lists.add(list);
    }
    return lists;
  }

  static void feed(LakehouseConfig config, Path list) {
    new IngestJob(spark(), config, IngestJob.options(config, list.toString(), Map.of())).execute();
    new PromoteJob(spark(), config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
        .execute();
  }

  static JobResult optimize(LakehouseConfig config, Zone zone, Map<String, String> options) {
    Map<String, String> all = new TreeMap<>(options);
    all.put(OptimizeJob.OPTION_ZONE, zone.id());
    return new OptimizeJob(spark(), config, JobOptions.of(config, OptimizeJob.NAME, all)).execute();
  }

  /** VACUUM asked with a retention of 0 h, no clock-skew margin, cohorts kept for {@code days}. */
  static Map<String, String> vacuumAtZeroHours(int days) {
    return Map.of(
        OptimizeJob.OPTION_VACUUM,
        "true",
        OptimizeJob.OPTION_RETAIN_HOURS,
        "0",
        OptimizeJob.OPTION_COHORT_RETENTION_DAYS,
        Integer.toString(days),
        OptimizeJob.OPTION_PIN_MARGIN_MINUTES,
        "0");
  }

  static CohortResult rerun(LakehouseConfig config) {
    return CohortRerunJob.of(spark(), config, Map.of(CohortRerunJob.OPTION_NAME, COHORT)).execute();
  }

  /** Row count and an order-independent hash of every row, per table of both zones. */
  static Map<String, String> contentHashes(ZoneLayout layout) {
    Map<String, String> hashes = new TreeMap<>();
    for (ZoneCatalog.TableRef t :
        new ZoneCatalog(spark(), layout, java.util.Set.of(Zone.IDENTIFIABLE, Zone.DEIDENTIFIED))
            .registerAll()) {
      if (t.name().equals("job_runs")) {
        continue; // the maintenance runs themselves are logged there
      }
      Row r =
          spark()
              .read()
              .format("delta")
              .load(t.location())
              .selectExpr("count(*)", "sum(CAST(xxhash64(to_json(struct(*))) AS DECIMAL(38, 0)))")
              .first();
      hashes.put(t.qualifiedName(), r.get(0) + ":" + r.get(1));
    }
    return hashes;
  }

  static long activeFiles(ZoneLayout layout, Zone zone, String table) {
    Row detail = DeltaTable.forPath(spark(), layout.table(zone, table)).detail().first();
    return detail.getLong(detail.fieldIndex("numFiles"));
  }

  /** The data files of a table as objects in the S3 server's filesystem backend. */
  static TreeSet<String> dataObjects(Path table) {
    try (Stream<Path> walk = Files.walk(table)) {
      TreeSet<String> names = new TreeSet<>();
      walk.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(p -> !table.relativize(p).toString().startsWith("_delta_log"))
          .forEach(p -> names.add(table.relativize(p).toString()));
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data files the cohort's pinned version of deidentified.image reads. */
  static TreeSet<String> filesOfVersion(ZoneLayout layout, CohortResult created) {
    String location = layout.table(Zone.DEIDENTIFIED, "image");
    long version =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.DEIDENTIFIED, "cohorts"))
            .selectExpr("explode(tables_read) AS t")
            .where("t.location LIKE '%/deidentified/image'")
            .selectExpr("t.version")
            .first()
            .getLong(0);
    TreeSet<String> files = new TreeSet<>();
    for (String f :
        spark().read().format("delta").option("versionAsOf", version).load(location).inputFiles()) {
      files.add(f.substring(f.indexOf("/deidentified/image/") + "/deidentified/image/".length()));
    }
    assertThat(files).as(created.summary()).isNotEmpty();
    return files;
  }
}
