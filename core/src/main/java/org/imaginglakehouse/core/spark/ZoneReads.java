package org.imaginglakehouse.core.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
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
 * What a SQL query reads, checked against the zones a reader may see. The check runs on the
 * analyzed logical plan, so a table is judged by the storage location Spark will read, whichever
 * way the statement names it ({@code deidentified.study}, {@code delta.`/path`}, a CTE): every
 * relation must be a Delta table under one of the allowed zone roots; files, JDBC sources, other
 * zones and unknown leaf nodes are refused with the reason. Cohorts and {@code lakehouse sql} both
 * use it.
 */
public final class ZoneReads {
  /** One Delta table read: qualified name (or {@code delta.`path`}), location, version. */
  public record TableRead(String name, String location, long version, boolean timeTravel) {}

  /**
   * Who is asking and what they may read.
   *
   * @param subject how the statement is called in messages ("Cohort SQL", "The statement")
   * @param roots allowed zone roots by zone name, e.g. {@code deidentified -> s3a://b/deid}
   * @param hint what the reader may do instead, appended to every refusal
   * @param viewsAllowed whether views are read through (else refused: they are not versioned)
   */
  public record Policy(
      String subject, Map<String, String> roots, String hint, boolean viewsAllowed) {}

  private ZoneReads() {}

  /**
   * Analyses {@code parsed} without executing anything and checks what it reads; commands (DDL,
   * DML, SET, ...) and streams are refused. Returns the analyzed plan.
   */
  public static LogicalPlan analyzeQuery(SparkSession spark, LogicalPlan parsed, Policy policy) {
    if (containsCommand(parsed)) {
      throw new LakehouseException(
          policy.subject() + " must be a single query (SELECT/WITH ... SELECT), not a command");
    }
    LogicalPlan analyzed;
    try {
      var execution = spark.sessionState().executePlan(parsed, CommandExecutionMode.SKIP());
      execution.assertAnalyzed();
      analyzed = execution.analyzed();
    } catch (LakehouseException e) {
      throw e;
    } catch (Exception e) {
      throw new LakehouseException(policy.subject() + " is invalid: " + firstLine(e), e);
    }
    if (containsCommand(analyzed)) {
      throw new LakehouseException(
          policy.subject() + " must be a single query (SELECT/WITH ... SELECT), not a command");
    }
    if (analyzed.isStreaming()) {
      throw new LakehouseException(policy.subject() + " cannot read streams");
    }
    return analyzed;
  }

  /** True when the plan, its subqueries or CTE definitions hold a command. */
  public static boolean containsCommand(LogicalPlan plan) {
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
  public static List<LogicalPlan> nested(LogicalPlan plan) {
    List<LogicalPlan> out = new ArrayList<>(CollectionConverters.asJava(plan.children()));
    out.addAll(CollectionConverters.asJava(plan.subqueries()));
    if (plan instanceof UnresolvedWith with) {
      CollectionConverters.asJava(with.cteRelations()).forEach(t -> out.add(t._2()));
    }
    return out;
  }

  /**
   * Every Delta table the analyzed plan reads, sorted by name then version; anything that is not a
   * Delta table under one of the policy's roots is refused with the reason.
   */
  public static List<TableRead> check(SparkSession spark, LogicalPlan analyzed, Policy policy) {
    Map<String, String> roots = new LinkedHashMap<>();
    policy.roots().forEach((zone, root) -> roots.put(zone, qualify(spark, root)));
    Map<String, TableRead> found = new LinkedHashMap<>();
    collect(analyzed, policy, roots, found);
    List<TableRead> tables = new ArrayList<>(found.values());
    tables.sort(Comparator.comparing(TableRead::name).thenComparing(TableRead::version));
    return tables;
  }

  private static void collect(
      LogicalPlan plan, Policy policy, Map<String, String> roots, Map<String, TableRead> found) {
    if (plan instanceof View view && !policy.viewsAllowed()) {
      throw new LakehouseException(
          policy.subject()
              + " reads view "
              + view.desc().identifier()
              + ": views are not versioned, so the result could not be reproduced. Query the"
              + " tables directly.");
    }
    if (plan instanceof LogicalRelation relation) {
      if (relation.relation() instanceof HadoopFsRelation fs
          && fs.location() instanceof TahoeFileIndex delta) {
        String location = delta.path().toString();
        String name = tableName(relation, location);
        if (roots.values().stream().noneMatch(root -> location.startsWith(root + "/"))) {
          throw refused(policy, roots, name + " (" + location + "), which is outside");
        }
        boolean timeTravel = delta instanceof TahoeLogFileIndex log && log.isTimeTravelQuery();
        TableRead table = new TableRead(name, location, delta.version(), timeTravel);
        TableRead earlier = found.putIfAbsent(location + "@" + table.version(), table);
        if (earlier != null && earlier.timeTravel() && !timeTravel) {
          found.put(location + "@" + table.version(), table);
        }
        return;
      }
      throw refused(policy, roots, describe(relation) + ", which is not a Delta table of");
    }
    if (plan.children().isEmpty()
        && !(plan instanceof LocalRelation)
        && !(plan instanceof OneRowRelation)
        && !(plan instanceof Range)
        && !plan.nodeName().equals("CTERelationRef")) {
      throw refused(
          policy,
          roots,
          plan.nodeName()
              + " ("
              + firstLine(plan.simpleString(200))
              + "), which is not a Delta table of");
    }
    for (LogicalPlan child : nested(plan)) {
      collect(child, policy, roots, found);
    }
  }

  private static LakehouseException refused(Policy policy, Map<String, String> roots, String what) {
    List<String> zones = new ArrayList<>();
    roots.forEach(
        (zone, root) -> zones.add(zone + (roots.size() == 1 ? " zone (" : " (") + root + ")"));
    return new LakehouseException(
        policy.subject()
            + " reads "
            + what
            + " the "
            + (zones.size() == 1 ? "" : "zones ")
            + String.join(", ", zones)
            + ". "
            + policy.hint());
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

  /** The zone root as Hadoop qualifies table paths ({@code file:/...} for local paths). */
  public static String qualify(SparkSession spark, String root) {
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

  private static String firstLine(Throwable e) {
    return firstLine(e.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.strip().lines().findFirst().orElse(message);
  }
}
