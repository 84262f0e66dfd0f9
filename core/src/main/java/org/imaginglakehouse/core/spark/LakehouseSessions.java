package org.imaginglakehouse.core.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.imaginglakehouse.core.config.Secrets;

/**
 * The one Spark session factory every job, the CLI and the tests use: Delta, our SQL extensions,
 * loopback driver binding for local masters, UI off, tuned defaults and S3A settings from config.
 */
public final class LakehouseSessions {
  /** Registers our SQL functions; lives in udfs/ and is added when on the classpath. */
  public static final String SQL_EXTENSIONS_CLASS =
      "org.imaginglakehouse.udfs.LakehouseSqlExtensions";

  public static final String DELTA_EXTENSIONS_CLASS = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String DELTA_CATALOG_CLASS =
      "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  public static final List<String> S3_ACCESS_KEY_ENV =
      List.of("LAKEHOUSE_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID");
  public static final List<String> S3_SECRET_KEY_ENV =
      List.of("LAKEHOUSE_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY");

  private LakehouseSessions() {}

  /** Creates (or returns the running) session for {@code config}, reading secrets from env. */
  public static SparkSession create(LakehouseConfig config) {
    return create(config, System.getenv());
  }

  public static SparkSession create(LakehouseConfig config, Map<String, String> env) {
    SparkConf conf = sparkConf(config, env);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** The Spark configuration a session gets; separated for tests. */
  public static SparkConf sparkConf(LakehouseConfig config, Map<String, String> env) {
    // loadDefaults=true: spark-submit passes --master and --conf as system properties; they win.
    SparkConf conf = new SparkConf(true);
    if (!conf.contains("spark.master")) {
      conf.setMaster(config.get("spark.master", "local[2]"));
    }
    conf.setIfMissing("spark.app.name", config.get("spark.app-name", "imaging-lakehouse"));
    String master = conf.get("spark.master");
    if (master.startsWith("local")) {
      // Bind to loopback: laptops and CI machines often have no resolvable hostname.
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
    }

    List<String> extensions = new ArrayList<>();
    extensions.add(DELTA_EXTENSIONS_CLASS);
    if (isOnClasspath(SQL_EXTENSIONS_CLASS)) {
      extensions.add(SQL_EXTENSIONS_CLASS);
    }
    conf.set("spark.sql.extensions", String.join(",", extensions));
    conf.set("spark.sql.catalog.spark_catalog", DELTA_CATALOG_CLASS);

    conf.setIfMissing("spark.ui.enabled", Boolean.toString(config.getBoolean("spark.ui", false)));
    conf.setIfMissing(
        "spark.ui.showConsoleProgress",
        Boolean.toString(config.getBoolean("spark.console-progress", false)));
    conf.setIfMissing("spark.sql.session.timeZone", "UTC");
    conf.setIfMissing("spark.sql.shuffle.partitions", "8");
    conf.setIfMissing("spark.sql.adaptive.enabled", "true");
    // Small Delta logs are read far faster with few partitions (default 50).
    conf.setIfMissing("spark.databricks.delta.snapshotPartitions", "2");
    // Few files from our many small writes; large writes opt out (DeltaWrites).
    conf.setIfMissing(DeltaWrites.OPTIMIZE_WRITE_CONF, "true");
    conf.setIfMissing("spark.databricks.delta.retentionDurationCheck.enabled", "true");
    // upper()/lower() by the JVM's case mappings: Spark's ICU path first builds a title-case table
    // over every code point (~2.3 s of one core per JVM, other tasks waiting on it), and the values
    // our jobs case-map (modality codes, ImageType, coded values) are ASCII.
    conf.setIfMissing("spark.sql.icu.caseMappings.enabled", "false");
    // Keep table registration cheap: no Hive, metadata in memory, rebuilt from the zone roots.
    conf.setIfMissing("spark.sql.catalogImplementation", "in-memory");
    // Scratch warehouse per process: tables are external, pointing into the zone roots.
    conf.setIfMissing("spark.sql.warehouse.dir", scratchWarehouse());
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    // Mask secrets Spark might print (its default regex plus our own key names).
    conf.setIfMissing(
        "spark.redaction.regex", "(?i)secret|password|token|access[.]key|credential|pseudonym");

    applyS3(conf, config, env);
    config.withPrefix("spark.conf").forEach(conf::set);
    return conf;
  }

  private static void applyS3(SparkConf conf, LakehouseConfig config, Map<String, String> env) {
    config
        .get("s3.endpoint")
        .ifPresent(
            endpoint -> {
              conf.setIfMissing("spark.hadoop.fs.s3a.endpoint", endpoint);
              conf.setIfMissing(
                  "spark.hadoop.fs.s3a.connection.ssl.enabled",
                  Boolean.toString(endpoint.startsWith("https")));
            });
    conf.setIfMissing("spark.hadoop.fs.s3a.endpoint.region", config.get("s3.region", "us-east-1"));
    conf.setIfMissing(
        "spark.hadoop.fs.s3a.path.style.access",
        Boolean.toString(config.getBoolean("s3.path-style-access", true)));
    conf.setIfMissing("spark.hadoop.fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    // Fail fast on an unreachable endpoint instead of retrying for minutes.
    conf.setIfMissing("spark.hadoop.fs.s3a.attempts.maximum", "3");
    conf.setIfMissing("spark.hadoop.fs.s3a.retry.limit", "3");
    conf.setIfMissing("spark.hadoop.fs.s3a.connection.establish.timeout", "5s");
    Secret accessKey =
        Secrets.resolve(config, env, "s3.access-key-id-file", S3_ACCESS_KEY_ENV).orElse(null);
    Secret secretKey =
        Secrets.resolve(config, env, "s3.secret-access-key-file", S3_SECRET_KEY_ENV).orElse(null);
    if (accessKey != null && secretKey != null) {
      conf.set("spark.hadoop.fs.s3a.access.key", accessKey.reveal());
      conf.set("spark.hadoop.fs.s3a.secret.key", secretKey.reveal());
      conf.setIfMissing(
          "spark.hadoop.fs.s3a.aws.credentials.provider",
          "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    }
  }

  private static String scratchWarehouse() {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("lakehouse-catalog-");
      dir.toFile().deleteOnExit();
      return dir.toUri().toString();
    } catch (java.io.IOException e) {
      throw new org.imaginglakehouse.core.LakehouseException(
          "Cannot create a scratch directory in " + System.getProperty("java.io.tmpdir"), e);
    }
  }

  static boolean isOnClasspath(String className) {
    try {
      Class.forName(className, false, LakehouseSessions.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
