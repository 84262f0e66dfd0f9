package org.imaginglakehouse.core.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * The Hadoop configuration for file system access from code that has no Spark session at hand:
 * executor-side reads of source files ({@link SourceFiles}) and writes of extracted files.
 *
 * <p>A bare {@code new Configuration()} holds only Hadoop's defaults. On the driver of a local
 * session that went unnoticed, because Hadoop caches one {@code FileSystem} per scheme and bucket
 * per JVM and the driver had already opened the bucket with the session's settings. On a cluster
 * executor nothing had: {@code s3a://} then went to AWS's default endpoint without the configured
 * endpoint, path style or keys. This configuration adds every {@code spark.hadoop.*} setting of the
 * process's Spark configuration (which executors receive from the driver), the way Spark builds its
 * own Hadoop configuration; outside Spark it is Hadoop's defaults.
 */
public final class HadoopConf {
  private static final String PREFIX = "spark.hadoop.";
  private static volatile Built built;

  private record Built(SparkConf source, Configuration hadoop) {}

  private HadoopConf() {}

  /** One configuration per Spark configuration (per JVM); only read it, never set keys on it. */
  public static Configuration get() {
    SparkEnv env = SparkEnv.get();
    SparkConf spark = env == null ? null : env.conf();
    Built current = built;
    if (current != null && current.source() == spark) {
      return current.hadoop();
    }
    Configuration hadoop = new Configuration();
    if (spark != null) {
      for (Tuple2<String, String> entry : spark.getAllWithPrefix(PREFIX)) {
        hadoop.set(entry._1(), entry._2(), "spark.hadoop.* of the Spark configuration");
      }
    }
    built = new Built(spark, hadoop);
    return hadoop;
  }
}
