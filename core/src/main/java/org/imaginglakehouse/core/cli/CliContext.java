package org.imaginglakehouse.core.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.ZoneLayout;

/** What the {@code lakehouse} command gives each subcommand: config, session, output. */
public interface CliContext {
  LakehouseConfig config();

  ZoneLayout layout();

  /** The Spark session, created on first use with every visible zone table registered. */
  SparkSession spark();

  /** The tables registered in {@link #spark()}. */
  List<ZoneCatalog.TableRef> tables();

  /** Re-scans the zone roots after a job has created tables. */
  List<ZoneCatalog.TableRef> refreshTables();

  PrintStream out();

  PrintStream err();

  boolean verbose();
}
