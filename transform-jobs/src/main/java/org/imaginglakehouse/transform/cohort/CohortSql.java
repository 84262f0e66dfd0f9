package org.imaginglakehouse.transform.cohort;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.spark.ZoneReads;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Cohort SQL: checks that a statement is a query reading only Delta tables of one zone root (the
 * de-identified zone), finds the Delta version of every table it reads from the analyzed logical
 * plan, and pins the statement to those versions by adding {@code VERSION AS OF n} after every
 * table reference (positions taken from the parser, not from a regex). The pinned statement is what
 * a cohort executes, on creation and on every re-run, so both read exactly the same snapshots.
 */
public final class CohortSql {
  private CohortSql() {}

  /** One table a cohort read: qualified name (or {@code delta.`path`}), location, version. */
  public record TableVersion(String name, String location, long version) {}

  /** A checked statement: the tables it reads and the statement pinned to their versions. */
  public record Analysis(String sql, String pinnedSql, List<TableVersion> tables) {}

  /**
   * Checks {@code sql} and pins it to the current version of every table it reads.
   *
   * @param zoneRoot the only storage root the statement may read (qualified or local path)
   * @param zoneName how to call that zone in error messages
   */
  public static Analysis analyse(SparkSession spark, String sql, String zoneRoot, String zoneName) {
    String statement = strip(sql);
    LogicalPlan parsed = parse(spark, statement);
    LogicalPlan analyzed = analyzeQuery(spark, parsed);
    Map<String, Long> versions = new TreeMap<>();
    List<TableVersion> tables = tablesRead(spark, analyzed, zoneRoot, zoneName, versions);
    String pinned = pin(spark, statement, parsed, versions);
    List<TableVersion> pinnedTables =
        tablesRead(spark, analyzeQuery(spark, parse(spark, pinned)), zoneRoot, zoneName);
    if (!new TreeSet<>(key(pinnedTables)).equals(new TreeSet<>(key(tables)))) {
      throw new LakehouseException(
          "Cannot pin the cohort SQL to table versions: "
              + tables
              + " were read, but the pinned statement reads "
              + pinnedTables
              + ". Refer to tables directly (no views).");
    }
    return new Analysis(statement, pinned, tables);
  }

  /** Re-checks a stored pinned statement: it must read exactly {@code expected}. */
  public static void verifyPinned(
      SparkSession spark,
      String pinnedSql,
      List<TableVersion> expected,
      String zoneRoot,
      String zoneName) {
    List<TableVersion> read =
        tablesRead(spark, analyzeQuery(spark, parse(spark, pinnedSql)), zoneRoot, zoneName);
    if (!new TreeSet<>(key(read)).equals(new TreeSet<>(key(expected)))) {
      throw new LakehouseException(
          "The stored cohort statement now reads " + read + " instead of the pinned " + expected);
    }
  }

  private static List<String> key(List<TableVersion> tables) {
    return tables.stream().map(t -> t.location() + "@" + t.version()).toList();
  }

  static String strip(String sql) {
    if (sql == null || sql.isBlank()) {
      throw new LakehouseException(
          "The cohort SQL is empty: pass --sql \"SELECT ... FROM deidentified....\"");
    }
    String s = sql.strip();
    while (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return s;
  }

  private static LogicalPlan parse(SparkSession spark, String sql) {
    try {
      return spark.sessionState().sqlParser().parsePlan(sql);
    } catch (Exception e) {
      throw new LakehouseException("Cannot parse the cohort SQL: " + firstLine(e.getMessage()), e);
    }
  }

  /** Analyses without executing anything; commands (DDL, DML, SET, ...) are refused. */
  private static LogicalPlan analyzeQuery(SparkSession spark, LogicalPlan parsed) {
    return ZoneReads.analyzeQuery(spark, parsed, policy(null, null));
  }

  /** The cohort rule: Delta tables of the one zone root, no views (they are not versioned). */
  private static ZoneReads.Policy policy(String zoneRoot, String zoneName) {
    String zone = zoneName == null ? "deidentified" : zoneName;
    return new ZoneReads.Policy(
        "Cohort SQL",
        zoneRoot == null ? Map.of() : Map.of(zone, zoneRoot),
        "Cohorts may only read "
            + zone
            + " tables, e.g. "
            + zone
            + ".study, "
            + zone
            + ".series, "
            + zone
            + ".image and linked datasets.",
        false);
  }

  /**
   * Every relation the analyzed plan reads; anything that is not a Delta table under {@code
   * zoneRoot} (other zones, files, JDBC, in-memory data, views) is refused with the reason.
   */
  static List<TableVersion> tablesRead(
      SparkSession spark, LogicalPlan analyzed, String zoneRoot, String zoneName) {
    return tablesRead(spark, analyzed, zoneRoot, zoneName, new TreeMap<>());
  }

  /** As above; also fills {@code current} with the version of tables read without time travel. */
  static List<TableVersion> tablesRead(
      SparkSession spark,
      LogicalPlan analyzed,
      String zoneRoot,
      String zoneName,
      Map<String, Long> current) {
    List<TableVersion> tables = new ArrayList<>();
    for (ZoneReads.TableRead read : ZoneReads.check(spark, analyzed, policy(zoneRoot, zoneName))) {
      tables.add(new TableVersion(read.name(), read.location(), read.version()));
      if (!read.timeTravel()) {
        current.put(read.location(), read.version());
      }
    }
    return tables;
  }

  /**
   * Adds {@code VERSION AS OF n} after every table reference of {@code parsed} that names a Delta
   * table (CTE names and references already carrying a temporal clause are left alone).
   */
  private static String pin(
      SparkSession spark, String sql, LogicalPlan parsed, Map<String, Long> versionsByLocation) {
    Set<String> cteNames = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<UnresolvedRelation> references = new ArrayList<>();
    references(parsed, cteNames, references);
    TreeMap<Integer, String> insertions = new TreeMap<>();
    for (UnresolvedRelation reference : references) {
      List<String> parts = CollectionConverters.asJava(reference.multipartIdentifier());
      if (parts.size() == 1 && cteNames.contains(parts.get(0))) {
        continue;
      }
      if (reference.origin().stopIndex().isEmpty()) {
        throw new LakehouseException(
            "Cannot locate table " + String.join(".", parts) + " in the cohort SQL");
      }
      int end = (Integer) reference.origin().stopIndex().get() + 1;
      String location = locationOf(spark, parts);
      Long version = versionsByLocation.get(location);
      if (version == null) {
        throw new LakehouseException(
            "Cannot pin table "
                + String.join(".", parts)
                + " ("
                + location
                + ") of the cohort SQL");
      }
      insertions.put(end, " VERSION AS OF " + version);
    }
    StringBuilder out = new StringBuilder(sql);
    for (Map.Entry<Integer, String> e : insertions.descendingMap().entrySet()) {
      out.insert(e.getKey(), e.getValue());
    }
    return out.toString();
  }

  private static void references(
      LogicalPlan plan, Set<String> cteNames, List<UnresolvedRelation> out) {
    if (plan instanceof UnresolvedWith with) {
      CollectionConverters.asJava(with.cteRelations()).forEach(t -> cteNames.add(t._1()));
    }
    if (plan instanceof UnresolvedRelation relation) {
      out.add(relation);
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      references(child, cteNames, out);
    }
  }

  /** Storage location of the Delta table a (multi-part) name resolves to now. */
  private static String locationOf(SparkSession spark, List<String> parts) {
    String quoted =
        String.join(".", parts.stream().map(p -> "`" + p.replace("`", "``") + "`").toList());
    LogicalPlan analyzed = spark.table(quoted).queryExecution().analyzed();
    List<String> locations = new ArrayList<>();
    findDeltaLocations(analyzed, locations);
    if (locations.size() != 1) {
      throw new LakehouseException(
          "Table " + String.join(".", parts) + " of the cohort SQL is not a single Delta table");
    }
    return locations.get(0);
  }

  private static void findDeltaLocations(LogicalPlan plan, List<String> out) {
    if (plan instanceof LogicalRelation relation
        && relation.relation() instanceof HadoopFsRelation fs
        && fs.location() instanceof TahoeFileIndex delta) {
      out.add(delta.path().toString());
      return;
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      findDeltaLocations(child, out);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.strip().lines().findFirst().orElse(message);
  }
}
