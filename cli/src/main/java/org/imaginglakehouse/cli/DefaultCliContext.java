package org.imaginglakehouse.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.CliContext;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.LakehouseSessions;
import org.imaginglakehouse.core.spark.ProgressLines;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/** The context the CLI hands to subcommands; the Spark session is created on first use. */
final class DefaultCliContext implements CliContext {
  /** How often progress is shown: rewritten in place on a terminal, a new line in a log. */
  static final Duration PROGRESS_ON_TERMINAL = Duration.ofSeconds(2);

  static final Duration PROGRESS_IN_LOGS = Duration.ofSeconds(30);

  private final LakehouseConfig config;
  private final ZoneLayout layout;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean verbose;
  private SparkSession spark;
  private List<ZoneCatalog.TableRef> tables;
  private Set<Zone> zones;

  DefaultCliContext(LakehouseConfig config, PrintStream out, PrintStream err, boolean verbose) {
    this.config = config;
    this.layout = ZoneLayout.from(config);
    this.out = out;
    this.err = err;
    this.verbose = verbose;
  }

  @Override
  public LakehouseConfig config() {
    return config;
  }

  @Override
  public ZoneLayout layout() {
    return layout;
  }

  @Override
  public synchronized SparkSession spark() {
    return spark == null ? spark(ZoneCatalog.zonesOf(config)) : spark;
  }

  @Override
  public synchronized SparkSession spark(Set<Zone> visible) {
    Set<Zone> allowed = ZoneCatalog.zonesOf(config);
    for (Zone zone : visible) {
      if (!allowed.contains(zone)) {
        throw new LakehouseException(
            "The "
                + zone.id()
                + " zone is not visible in this deployment ("
                + ZoneCatalog.ZONES_KEY
                + "="
                + String.join(",", allowed.stream().map(Zone::id).toList())
                + ")");
      }
    }
    if (spark != null && !visible.equals(zones)) {
      zones = Set.copyOf(visible);
      tables = new ZoneCatalog(spark, layout, zones).registerAll();
    }
    if (spark == null) {
      if (verbose) {
        config
            .asMap()
            .forEach(
                (k, v) ->
                    err.println("config " + k + " = " + v + "  [" + config.sourceOf(k) + "]"));
      }
      spark = LakehouseSessions.create(config);
      if (!verbose) {
        // --verbose has Spark's own progress bar; the default gets tasks and rows, quietly.
        boolean terminal = System.console() != null;
        spark
            .sparkContext()
            .addSparkListener(
                new ProgressLines(
                    err, terminal, terminal ? PROGRESS_ON_TERMINAL : PROGRESS_IN_LOGS));
      }
      checkHome(spark);
      zones = Set.copyOf(visible);
      tables = new ZoneCatalog(spark, layout, zones).registerAll();
    }
    return spark;
  }

  /** The home must be a directory or not exist yet (jobs create it); anything else is fatal. */
  private void checkHome(SparkSession session) {
    Path home = new Path(layout.home());
    try {
      FileSystem fs = home.getFileSystem(session.sparkContext().hadoopConfiguration());
      if (fs.exists(home)) {
        FileStatus status = fs.getFileStatus(home);
        if (!status.isDirectory()) {
          throw new LakehouseException(
              "Lakehouse home " + layout.home() + " is a file, not a directory: use --home DIR");
        }
      } else {
        Path parent = home.getParent();
        while (parent != null && !fs.exists(parent)) {
          parent = parent.getParent();
        }
        if (parent != null && !fs.getFileStatus(parent).isDirectory()) {
          throw new LakehouseException(
              "Lakehouse home " + layout.home() + " cannot be created: " + parent + " is a file");
        }
      }
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot reach lakehouse home " + layout.home() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<ZoneCatalog.TableRef> tables() {
    spark();
    return tables;
  }

  @Override
  public synchronized List<ZoneCatalog.TableRef> refreshTables() {
    spark();
    tables = new ZoneCatalog(spark, layout, zones).registerAll();
    return tables;
  }

  @Override
  public PrintStream out() {
    return out;
  }

  @Override
  public PrintStream err() {
    return err;
  }

  @Override
  public boolean verbose() {
    return verbose;
  }
}
