package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakehouseSessionsTest {
  @TempDir Path dir;

  @Test
  void localSessionsGetDeltaLoopbackNoUiAndTunedDefaults() {
    SparkConf conf = LakehouseSessions.sparkConf(LakehouseConfig.defaults(), Map.of());
    assertThat(conf.get("spark.sql.extensions"))
        .startsWith(LakehouseSessions.DELTA_EXTENSIONS_CLASS);
    assertThat(conf.get("spark.sql.catalog.spark_catalog"))
        .isEqualTo(LakehouseSessions.DELTA_CATALOG_CLASS);
    assertThat(conf.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
    assertThat(conf.get("spark.ui.enabled")).isEqualTo("false");
    assertThat(conf.get("spark.databricks.delta.snapshotPartitions")).isEqualTo("2");
    assertThat(conf.get("spark.sql.icu.caseMappings.enabled")).isEqualTo("false");
  }

  @Test
  void s3SettingsComeFromConfigAndKeysFromFiles() throws Exception {
    Path id = Files.writeString(dir.resolve("id"), "AKIDEXAMPLE");
    Path secret = Files.writeString(dir.resolve("secret"), "wJalrXUtnFEMIK7MDENG");
    LakehouseConfig config =
        LakehouseConfig.builder()
            .flag("s3.endpoint", "http://127.0.0.1:9000")
            .flag("s3.access-key-id-file", id.toString())
            .flag("s3.secret-access-key-file", secret.toString())
            .flag("spark.conf.spark.sql.shuffle.partitions", "5")
            .build();
    SparkConf conf = LakehouseSessions.sparkConf(config, Map.of());
    assertThat(conf.get("spark.hadoop.fs.s3a.endpoint")).isEqualTo("http://127.0.0.1:9000");
    assertThat(conf.get("spark.hadoop.fs.s3a.connection.ssl.enabled")).isEqualTo("false");
    assertThat(conf.get("spark.hadoop.fs.s3a.path.style.access")).isEqualTo("true");
    assertThat(conf.get("spark.hadoop.fs.s3a.access.key")).isEqualTo("AKIDEXAMPLE");
    assertThat(conf.get("spark.hadoop.fs.s3a.secret.key")).isEqualTo("wJalrXUtnFEMIK7MDENG");
    assertThat(conf.get("spark.sql.shuffle.partitions")).isEqualTo("5");

    SparkConf fromEnv =
        LakehouseSessions.sparkConf(
            config,
            Map.of(
                "LAKEHOUSE_S3_ACCESS_KEY_ID", "envid1234",
                "LAKEHOUSE_S3_SECRET_ACCESS_KEY", "envsecret1234"));
    assertThat(fromEnv.get("spark.hadoop.fs.s3a.secret.key")).isEqualTo("envsecret1234");
  }
}
