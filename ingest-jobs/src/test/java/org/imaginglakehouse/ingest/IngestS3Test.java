package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.imaginglakehouse.ingest.testing.PacsFixture;
import org.imaginglakehouse.ingest.testing.S3aSettings;
import org.junit.jupiter.api.Test;

/** Source and lakehouse home on s3a:// against a real S3 server (S3Proxy) on 127.0.0.1. */
class IngestS3Test extends SparkTestBase {

  @Test
  void ingestsFromS3IntoALakehouseOnS3() throws Exception {
    PacsFixture pacs = PacsFixture.build(tempDir.resolve("pacs"));
    try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
      s3.createBucket("pacs");
      s3.createBucket("lake");
      Configuration hadoop = spark().sparkContext().hadoopConfiguration();
      Map<String, String> s3a = S3aSettings.of(s3);
      s3a.forEach(hadoop::set);
      try {
        // Upload the PACS through S3A itself.
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path("s3a://pacs/copy");
        FileSystem fs = target.getFileSystem(hadoop);
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(pacs.root.toUri()), target);

        LakehouseConfig config =
            LakehouseConfig.builder().flag(LakehouseConfig.HOME, "s3a://lake/home").build();
        IngestResult first =
            new IngestJob(spark(), config, IngestJob.options(config, "s3a://pacs/copy", Map.of()))
                .execute();
        Map<String, String> expected = new HashMap<>();
        pacs.expected.forEach(
            (path, outcome) ->
                expected.put(path.replace(pacs.root.toString(), "s3a://pacs/copy"), outcome));
        assertThat(first.inputs()).isEqualTo(expected.size());
        assertThat(first.accountedFor()).isTrue();
        assertThat(first.instances()).isEqualTo(pacs.count("instance"));

        ZoneLayout layout = ZoneLayout.from(config);
        assertThat(layout.table(Zone.IDENTIFIABLE, "instances")).startsWith("s3a://lake/home/");
        Map<String, String> actual = new HashMap<>();
        for (Row r :
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, "file_index"))
                .selectExpr(
                    "file_path",
                    "CASE status WHEN 'ingested' THEN 'instance' WHEN 'skipped' THEN 'skipped' ELSE error_class END")
                .collectAsList()) {
          actual.put(r.getString(0), r.getString(1));
        }
        assertThat(actual).isEqualTo(expected);
        List<Row> names =
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, "instances"))
                .where("PatientID = 'P2'")
                .select("PatientName")
                .distinct()
                .collectAsList();
        assertThat(names).extracting(r -> r.getString(0)).containsExactly("Ζωή^Łukasz");
        // The objects really are in the S3 server's storage.
        assertThat(s3.dataDir().resolve("lake")).isDirectory();

        IngestResult again =
            new IngestJob(spark(), config, IngestJob.options(config, "s3a://pacs/copy", Map.of()))
                .execute();
        assertThat(again.count("read")).isZero();
        assertThat(again.unchanged()).isEqualTo(expected.size());
      } finally {
        // Later test classes share the session: forget the s3a tables before the server goes.
        for (String t : List.of("instances", "ingest_errors", "file_index", "job_runs")) {
          spark().sql("DROP TABLE IF EXISTS identifiable." + t);
        }
        s3a.keySet().forEach(hadoop::unset);
      }
    }
  }
}
