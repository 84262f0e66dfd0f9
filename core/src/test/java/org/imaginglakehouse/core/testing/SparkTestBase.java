package org.imaginglakehouse.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.LakehouseSessions;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base class for Spark tests: one shared local[2] session per test JVM (UI off, few shuffle
 * partitions), created by the same factory the jobs use, and a fresh lakehouse home per test class.
 */
public abstract class SparkTestBase {
  private static SparkSession shared;

  @TempDir protected static Path tempDir;

  /** The JVM-wide session; created on first use. */
  protected static synchronized SparkSession spark() {
    if (shared == null) {
      LakehouseConfig config =
          LakehouseConfig.builder()
              .flag("spark.master", "local[2]")
              .flag("spark.console-progress", "false")
              .flag("spark.conf.spark.sql.shuffle.partitions", "2")
              .flag("spark.conf.spark.default.parallelism", "2")
              .flag("spark.conf.spark.databricks.delta.snapshotPartitions", "1")
              .flag("spark.conf.spark.sql.adaptive.coalescePartitions.enabled", "true")
              .build();
      shared = LakehouseSessions.create(config);
      shared.sparkContext().setLogLevel("WARN");
    }
    return shared;
  }

  /** A config whose home is a new directory under this class's temp dir. */
  protected static LakehouseConfig newHomeConfig(String name) {
    try {
      Path home = Files.createDirectories(tempDir.resolve(name));
      return LakehouseConfig.builder()
          .flag(LakehouseConfig.HOME, home.toString())
          .flag("spark.console-progress", "false")
          .build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Repository root (for fixtures and scripts), from the surefire system property. */
  protected static Path repoRoot() {
    String root = System.getProperty("lakehouse.repo.root");
    Path path = root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
    return path;
  }
}
