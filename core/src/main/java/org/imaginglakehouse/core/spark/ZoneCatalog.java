package org.imaginglakehouse.core.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogDatabase;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Registers the Delta tables found under the zone roots as SQL tables: {@code identifiable.t},
 * {@code deidentified.t} and {@code project_<name>.t}. The storage layout is the source of truth;
 * the in-memory catalog is rebuilt from it in every session, so no metastore has to be run or kept
 * in sync.
 */
public final class ZoneCatalog {
  /** Config key: the zones a session may see, comma-separated. */
  public static final String ZONES_KEY = "catalog.zones";

  private final SparkSession spark;
  private final ZoneLayout layout;
  private final Set<Zone> zones;

  public ZoneCatalog(SparkSession spark, ZoneLayout layout, Set<Zone> zones) {
    this.spark = spark;
    this.layout = layout;
    this.zones = zones;
  }

  /** The zones a session of {@code config} may see ({@code catalog.zones}). */
  public static Set<Zone> zonesOf(LakehouseConfig config) {
    Set<Zone> zones = new TreeSet<>();
    for (String id : config.get(ZONES_KEY, "identifiable,deidentified,projects").split(",")) {
      if (!id.isBlank()) {
        zones.add(Zone.fromId(id));
      }
    }
    return zones;
  }

  /** One registered table. */
  public record TableRef(Zone zone, String database, String name, String location) {
    public String qualifiedName() {
      return database + "." + name;
    }
  }

  /**
   * Finds and registers every table of the visible zones, and unregisters tables that are no longer
   * there (or belong to another home used earlier in this JVM); returns them sorted.
   */
  public List<TableRef> registerAll() {
    List<TableRef> tables = new ArrayList<>();
    for (Zone zone : zones) {
      if (zone == Zone.PROJECTS) {
        for (String project : childDirectories(layout.root(Zone.PROJECTS))) {
          if (project.matches("[a-z][a-z0-9_]*")) {
            String database = ZoneLayout.projectDatabase(project);
            tables.addAll(registerDirectory(zone, database, layout.projectRoot(project)));
          }
        }
      } else {
        tables.addAll(registerDirectory(zone, zone.id(), layout.root(zone)));
      }
    }
    tables.sort((a, b) -> a.qualifiedName().compareTo(b.qualifiedName()));
    dropStale(tables);
    return tables;
  }

  /** Drops catalog entries of our databases that are not in {@code current}; data is untouched. */
  private void dropStale(List<TableRef> current) {
    Set<String> keep = new TreeSet<>();
    current.forEach(t -> keep.add(t.qualifiedName()));
    // The catalog itself, not spark.catalog().listDatabases(): that runs a Spark job (seconds).
    ExternalCatalog catalog = spark.sessionState().catalog().externalCatalog();
    for (String name : CollectionConverters.asJava(catalog.listDatabases())) {
      boolean ours =
          name.equals(Zone.IDENTIFIABLE.id())
              || name.equals(Zone.DEIDENTIFIED.id())
              || name.startsWith("project_");
      if (!ours) {
        continue;
      }
      for (String table : CollectionConverters.asJava(catalog.listTables(name))) {
        if (!keep.contains(name + "." + table)) {
          dropEntry(name, table);
        }
      }
    }
  }

  /**
   * Registers the tables of one project's zone ({@code project_<name>.t}) whatever zones the
   * session sees: a server that grants a project, not every project, calls this after {@link
   * #registerAll}.
   */
  public List<TableRef> registerProject(String project) {
    ZoneLayout.checkName("project", project);
    return registerDirectory(
        Zone.PROJECTS, ZoneLayout.projectDatabase(project), layout.projectRoot(project));
  }

  /** Registers (or re-registers) one table after a job has created it. */
  public TableRef register(Zone zone, String table) {
    if (!zones.contains(zone)) {
      throw new LakehouseException(
          "Cannot register " + zone.id() + "." + table + ": zone not visible in this session");
    }
    String location = layout.table(zone, table);
    ensureDatabase(zone.id(), layout.root(zone));
    createTable(zone.id(), table, location);
    return new TableRef(zone, zone.id(), table, location);
  }

  private List<TableRef> registerDirectory(Zone zone, String database, String root) {
    ensureDatabase(database, root);
    List<TableRef> tables = new ArrayList<>();
    for (String name : childDirectories(root)) {
      String location = root + "/" + name;
      if (name.matches("[a-z][a-z0-9_]*") && isDeltaTable(location)) {
        createTable(database, name, location);
        tables.add(new TableRef(zone, database, name, location));
      }
    }
    return tables;
  }

  /**
   * Databases live in the session's scratch warehouse, not at the zone root: Spark's in-memory
   * catalog deletes a database's directory on DROP DATABASE, and a zone must survive that.
   */
  private void ensureDatabase(String database, String root) {
    // Through the session catalog, not SQL: CREATE DATABASE IF NOT EXISTS plans a command per
    // call and warns "created concurrently" for every database that is already there.
    SessionCatalog catalog = spark.sessionState().catalog();
    if (!catalog.databaseExists(database)) {
      catalog.createDatabase(
          CatalogDatabase.apply(
              database,
              root,
              catalog.getDefaultDBPath(database),
              scala.collection.immutable.Map$.MODULE$.<String, String>empty()),
          true);
    }
  }

  private void createTable(String database, String name, String location) {
    String qualified = database + ".`" + name + "`";
    // Ask the catalog itself: going through Spark's analyzer would make Delta load a table
    // whose directory may be gone (a stale entry from an earlier home in this JVM).
    ExternalCatalog catalog = spark.sessionState().catalog().externalCatalog();
    if (catalog.tableExists(database, name)) {
      if (samePath(catalog.getTable(database, name).location().toString(), location)) {
        return;
      }
      dropEntry(database, name);
    }
    spark.sql(
        "CREATE TABLE IF NOT EXISTS "
            + qualified
            + " USING delta LOCATION '"
            + escape(location)
            + "'");
  }

  private boolean isDeltaTable(String location) {
    try {
      Path table = new Path(location);
      return hasCommit(fileSystem(table), table);
    } catch (IOException e) {
      throw new LakehouseException("Cannot read " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether the directory holds a Delta table with at least one commit: version 0 (every young
   * table) or, once the log is cleaned up, its checkpoint pointer. A bare {@code _delta_log}
   * directory is a table another run is creating at this moment (Delta makes the directory before
   * it writes version 0); registering it would fail with
   * DELTA_CREATE_EXTERNAL_TABLE_WITHOUT_TXN_LOG, so callers leave it for their next registration.
   */
  public static boolean hasCommit(FileSystem fs, Path table) throws IOException {
    Path log = new Path(table, "_delta_log");
    return fs.exists(new Path(log, "00000000000000000000.json"))
        || fs.exists(new Path(log, "_last_checkpoint"));
  }

  private List<String> childDirectories(String root) {
    Path path = new Path(root);
    List<String> names = new ArrayList<>();
    try {
      FileSystem fs = fileSystem(path);
      for (FileStatus status : fs.listStatus(path)) {
        if (status.isDirectory() && !status.getPath().getName().startsWith(".")) {
          names.add(status.getPath().getName());
        }
      }
    } catch (FileNotFoundException e) {
      return names;
    } catch (IOException e) {
      throw new LakehouseException("Cannot list lakehouse zone " + root + ": " + e.getMessage(), e);
    }
    names.sort(String::compareTo);
    return names;
  }

  private FileSystem fileSystem(Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }

  /**
   * Removes a catalog entry only. Goes to the external catalog directly, because Delta refuses to
   * analyse a table whose directory has gone; our tables are external, so no data is deleted.
   */
  private void dropEntry(String database, String table) {
    spark.sessionState().catalog().externalCatalog().dropTable(database, table, true, false);
    spark.sessionState().catalog().invalidateAllCachedTables();
  }

  private static boolean samePath(String registered, String location) {
    String a = registered.replaceFirst("^file:", "").replaceAll("/+$", "");
    String b = location.replaceFirst("^file:", "").replaceAll("/+$", "");
    return a.equals(b);
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
