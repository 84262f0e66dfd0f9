package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.S3ProxyServer;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.testing.DicomFixture;
import org.imaginglakehouse.ingest.testing.PacsFixture;
import org.imaginglakehouse.ingest.testing.S3aSettings;
import org.junit.jupiter.api.Test;

/**
 * The watch loop with an s3a:// landing area (S3Proxy on 127.0.0.1), wired as {@code ingest
 * --watch} wires it: {@link Discovery} lists, {@link IngestJob#execute(List)} ingests, settle 0
 * (objects appear whole when their upload completes).
 */
class IngestWatchS3Test extends SparkTestBase {

  @Test
  void feedsUploadedToAnS3LandingAreaAreIngestedBatchByBatch() throws Exception {
    PacsFixture pacs = PacsFixture.build(tempDir.resolve("pacs"));
    Path late =
        DicomFixture.ct("1.2.826.0.1.9.77.1.1", "1.2.826.0.1.9.77", "1.2.826.0.1.9.77.1")
            .write(tempDir.resolve("late/late.dcm"));
    try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
      s3.createBucket("landing");
      Configuration hadoop = spark().sparkContext().hadoopConfiguration();
      Map<String, String> s3a = S3aSettings.of(s3);
      s3a.forEach(hadoop::set);
      try {
        org.apache.hadoop.fs.Path feed1 = new org.apache.hadoop.fs.Path("s3a://landing/in/feed1");
        FileSystem fs = feed1.getFileSystem(hadoop);
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(pacs.root.toUri()), feed1);

        LakehouseConfig config = newHomeConfig("home-watch-s3");
        IngestJob job =
            new IngestJob(spark(), config, IngestJob.options(config, "s3a://landing/in", Map.of()));
        Discovery discovery = new Discovery(hadoop, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int[] batches = {0};
        IngestWatcher watcher =
            new IngestWatcher(
                () -> discovery.discover(List.of("s3a://landing/in")),
                files -> {
                  var r = job.execute(files);
                  if (!files.isEmpty() && ++batches[0] == 1) {
                    // The second feed lands while the first batch is being ingested.
                    try {
                      fs.copyFromLocalFile(
                          false,
                          true,
                          new org.apache.hadoop.fs.Path(late.toUri()),
                          new org.apache.hadoop.fs.Path("s3a://landing/in/feed2/late.dcm"));
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }
                  return r;
                },
                Duration.ofMillis(200),
                Duration.ZERO,
                2,
                out);
        IngestWatcher.Summary summary = watcher.run();
        String printed = bytes.toString(StandardCharsets.UTF_8);

        Map<String, String> expected = new HashMap<>();
        pacs.expected.forEach(
            (path, outcome) ->
                expected.put(
                    path.replace(pacs.root.toString(), "s3a://landing/in/feed1"), outcome));
        expected.put("s3a://landing/in/feed2/late.dcm", "instance");
        Map<String, String> actual = new HashMap<>();
        for (Row r :
            spark()
                .read()
                .format("delta")
                .load(ZoneLayout.from(config).table(Zone.IDENTIFIABLE, "file_index"))
                .selectExpr(
                    "file_path",
                    "CASE status WHEN 'ingested' THEN 'instance' WHEN 'skipped' THEN 'skipped' ELSE error_class END")
                .collectAsList()) {
          actual.put(r.getString(0), r.getString(1));
        }
        assertThat(actual).as(printed).isEqualTo(expected);
        assertThat(summary.batches()).as(printed).isEqualTo(2);
        assertThat(summary.failed()).isZero();
        // The fixture's junk, truncated files and duplicate are quarantined: exit code 3.
        assertThat(summary.exitCode()).isEqualTo(3);
        assertThat(printed)
            .containsPattern("watch batch 2: run \\S+ SUCCEEDED in [0-9.]+ s; files 1, read 1,");
      } finally {
        s3a.keySet().forEach(hadoop::unset);
      }
    }
  }
}
