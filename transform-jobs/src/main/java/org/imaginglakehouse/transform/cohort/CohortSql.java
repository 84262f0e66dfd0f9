package org.imaginglakehouse.transform.cohort;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Range;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.delta.files.TahoeLogFileIndex;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.imaginglakehouse.core.LakehouseException;
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
    LogicalPlan analyzed = analyzeQuery(spark, parsed, statement);
    Map<String, Long> versions = new TreeMap<>();
    List<TableVersion> tables = tablesRead(spark, analyzed, zoneRoot, zoneName, versions);
    String pinned = pin(spark, statement, parsed, versions);
    List<TableVersion> pinnedTables =
        tablesRead(spark, analyzeQuery(spark, parse(spark, pinned), pinned), zoneRoot, zoneName);
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
        tablesRead(
            spark, analyzeQuery(spark, parse(spark, pinnedSql), pinnedSql), zoneRoot, zoneName);
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
  private static LogicalPlan analyzeQuery(SparkSession spark, LogicalPlan parsed, String sql) {
    if (containsCommand(parsed)) {
      throw new LakehouseException(
          "Cohort SQL must be a single query (SELECT/WITH ... SELECT), not a command: "
              + abbreviate(sql));
    }
    LogicalPlan analyzed;
    try {
      var execution = spark.sessionState().executePlan(parsed, CommandExecutionMode.SKIP());
      execution.assertAnalyzed();
      analyzed = execution.analyzed();
    } catch (LakehouseException e) {
      throw e;
    } catch (Exception e) {
      throw new LakehouseException("Invalid cohort SQL: " + firstLine(e.getMessage()), e);
    }
    if (containsCommand(analyzed)) {
      throw new LakehouseException(
          "Cohort SQL must be a single query (SELECT/WITH ... SELECT), not a command: "
              + abbreviate(sql));
    }
    if (analyzed.isStreaming()) {
      throw new LakehouseException("Cohort SQL cannot read streams");
    }
    return analyzed;
  }

  private static boolean containsCommand(LogicalPlan plan) {
    if (plan instanceof Command) {
      return true;
    }
    for (LogicalPlan child : nested(plan)) {
      if (containsCommand(child)) {
        return true;
      }
    }
    return false;
  }

  /** Children, subquery plans and CTE definitions of a node. */
  private static List<LogicalPlan> nested(LogicalPlan plan) {
    List<LogicalPlan> out = new ArrayList<>(CollectionConverters.asJava(plan.children()));
    out.addAll(CollectionConverters.asJava(plan.subqueries()));
    if (plan instanceof UnresolvedWith with) {
      CollectionConverters.asJava(with.cteRelations()).forEach(t -> out.add(t._2()));
    }
    return out;
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
    String root = qualify(spark, zoneRoot);
    Map<String, TableVersion> found = new LinkedHashMap<>();
    collect(spark, analyzed, root, zoneName, found, current);
    List<TableVersion> tables = new ArrayList<>(found.values());
    tables.sort(Comparator.comparing(TableVersion::name).thenComparing(TableVersion::version));
    return tables;
  }

  private static void collect(
      SparkSession spark,
      LogicalPlan plan,
      String root,
      String zoneName,
      Map<String, TableVersion> found,
      Map<String, Long> current) {
    if (plan instanceof View view) {
      throw new LakehouseException(
          "Cohort SQL reads view "
              + view.desc().identifier()
              + ": views are not versioned, so the cohort could not be reproduced. Query the"
              + " tables directly.");
    }
    if (plan instanceof LogicalRelation relation) {
      if (relation.relation() instanceof HadoopFsRelation fs
          && fs.location() instanceof TahoeFileIndex delta) {
        String location = delta.path().toString();
        String name = tableName(relation, location);
        if (!location.startsWith(root + "/")) {
          throw outsideZone(name, location, root, zoneName);
        }
        TableVersion table = new TableVersion(name, location, delta.version());
        found.put(location + "@" + table.version(), table);
        boolean timeTravel = delta instanceof TahoeLogFileIndex log && log.isTimeTravelQuery();
        if (!timeTravel) {
          current.put(location, table.version());
        }
        return;
      }
      throw new LakehouseException(
          "Cohort SQL reads "
              + describe(relation)
              + ", which is not a Delta table of the "
              + zoneName
              + " zone ("
              + root
              + "). Cohorts may only read "
              + zoneName
              + " tables.");
    }
    if (plan.children().isEmpty()
        && !(plan instanceof LocalRelation)
        && !(plan instanceof OneRowRelation)
        && !(plan instanceof Range)
        && !plan.nodeName().equals("CTERelationRef")) {
      throw new LakehouseException(
          "Cohort SQL reads "
              + plan.nodeName()
              + " ("
              + firstLine(plan.simpleString(200))
              + "), which is not a Delta table of the "
              + zoneName
              + " zone. Cohorts may only read "
              + zoneName
              + " tables.");
    }
    for (LogicalPlan child : nested(plan)) {
      collect(spark, child, root, zoneName, found, current);
    }
  }

  private static LakehouseException outsideZone(
      String name, String location, String root, String zoneName) {
    return new LakehouseException(
        "Cohort SQL reads "
            + name
            + " ("
            + location
            + "), which is outside the "
            + zoneName
            + " zone ("
            + root
            + "). Cohorts may only read "
            + zoneName
            + " tables, e.g. "
            + zoneName
            + ".study, "
            + zoneName
            + ".series, "
            + zoneName
            + ".image and linked datasets.");
  }

  private static String tableName(LogicalRelation relation, String location) {
    scala.Option<CatalogTable> table = relation.catalogTable();
    if (table.isDefined()) {
      var id = table.get().identifier();
      return (id.database().isDefined() ? id.database().get() + "." : "") + id.table();
    }
    return "delta.`" + location + "`";
  }

  private static String describe(LogicalRelation relation) {
    scala.Option<CatalogTable> table = relation.catalogTable();
    if (table.isDefined()) {
      return table.get().identifier().unquotedString();
    }
    if (relation.relation() instanceof HadoopFsRelation fs) {
      return fs.fileFormat().toString()
          + " files "
          + CollectionConverters.asJava(fs.location().rootPaths());
    }
    return relation.relation().toString();
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
    for (LogicalPlan child : nested(plan)) {
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
    for (LogicalPlan child : nested(plan)) {
      findDeltaLocations(child, out);
    }
  }

  /** The zone root as Hadoop qualifies table paths ({@code file:/...} for local paths). */
  static String qualify(SparkSession spark, String root) {
    try {
      Path path = new Path(root);
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .makeQualified(path)
          .toString()
          .replaceAll("/+$", "");
    } catch (IOException e) {
      throw new LakehouseException("Cannot resolve zone root " + root + ": " + e.getMessage(), e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.strip().lines().findFirst().orElse(message);
  }

  private static String abbreviate(String sql) {
    String one = sql.replaceAll("\\s+", " ");
    return one.length() > 120 ? one.substring(0, 117) + "..." : one;
  }
}
