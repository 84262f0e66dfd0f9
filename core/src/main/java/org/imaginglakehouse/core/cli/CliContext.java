package org.imaginglakehouse.core.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/** What the {@code lakehouse} command gives each subcommand: config, session, output. */
public interface CliContext {
  LakehouseConfig config();

  ZoneLayout layout();

  /** The Spark session, created on first use with every visible zone table registered. */
  SparkSession spark();

  /**
   * The Spark session with only the tables of {@code zones} registered (a subset of {@code
   * catalog.zones}); tables of other zones registered earlier are unregistered. For commands that
   * must not see every zone, such as {@code lakehouse sql}. A context that cannot restrict its
   * session refuses.
   */
  default SparkSession spark(Set<Zone> zones) {
    throw new UnsupportedOperationException(
        getClass().getName() + " cannot restrict the session to zones " + zones);
  }

  /** The tables registered in {@link #spark()}. */
  List<ZoneCatalog.TableRef> tables();

  /** Re-scans the zone roots after a job has created tables. */
  List<ZoneCatalog.TableRef> refreshTables();

  PrintStream out();

  PrintStream err();

  boolean verbose();
}
