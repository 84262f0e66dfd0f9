package org.imaginglakehouse.cli.serve;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.CreateViewCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.spark.ZoneReads;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The plan check of every statement and DataFrame a {@code lakehouse serve} client sends: run as a
 * Spark check rule on each analysed plan of every client session. A query may read only Delta
 * tables under the served zone roots ({@link ZoneReads}, the check cohorts and {@code lakehouse
 * sql} use), by name or by path; besides queries only SET, SHOW, DESCRIBE of served tables and
 * temporary views run. Writes, DDL, ADD JAR, functions defined by the client (Python, Scala, Java
 * reflection) and script transforms are refused, so a client cannot run code of its own on the
 * server.
 */
final class ServeAccess {
  /** Commands that print settings, names or schemas, never rows (analysed plan node names). */
  static final Set<String> METADATA_COMMANDS =
      Set.of(
          "SetCommand",
          "ResetCommand",
          "ShowTables",
          "ShowTablesCommand",
          "ShowViews",
          "ShowNamespaces",
          "ShowCatalogs",
          "ShowCatalogsCommand",
          "ShowCurrentNamespace",
          "ShowCurrentNamespaceCommand",
          "ShowFunctions",
          "ShowFunctionsCommand",
          "ShowColumns",
          "ShowColumnsCommand",
          "ShowTableProperties",
          "ShowTablePropertiesCommand",
          "DescribeRelation",
          "DescribeTableCommand",
          "DescribeColumnCommand",
          "DescribeNamespace",
          "DescribeDatabaseCommand",
          "DescribeFunction",
          "DescribeFunctionCommand",
          "SetCatalogAndNamespace",
          "SetNamespaceCommand");

  /**
   * Plan nodes and expressions that run code the client supplies (Python, pandas, Arrow and Scala
   * functions, typed lambdas, reflection, scripts): refused wherever they appear.
   */
  private static final Pattern CLIENT_CODE =
      Pattern.compile(
          "(?i).*(python|pandas|arrow|udaf|udtf|reflect|script|mapelements|mappartitions"
              + "|mapgroups|typedfilter|appendcolumns|cogroup|withstate).*");

  /** Our SQL functions are ScalaUDFs whose function objects are classes of this package. */
  private static final String OWN_FUNCTIONS_PACKAGE = "org.imaginglakehouse.udfs.";

  private static final String DELTA_PACKAGE = "org.apache.spark.sql.delta.";

  private final Map<String, String> roots;
  private final Set<String> databases;
  private final String hint;

  /**
   * @param roots served zone roots by zone name ({@code deidentified -> /lh/deidentified})
   * @param databases the SQL databases served ({@code deidentified}, {@code project_x})
   */
  ServeAccess(Map<String, String> roots, Set<String> databases) {
    this.roots = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(roots));
    this.databases = Set.copyOf(databases);
    this.hint =
        "This endpoint serves only "
            + String.join(", ", new java.util.TreeSet<>(databases))
            + " and only reads (queries, SET, SHOW, DESCRIBE, temporary views); see"
            + " docs/sql-endpoint.md.";
  }

  /** Refuses {@code plan} (analysed) with the reason unless a client may run it. */
  void check(SparkSession spark, LogicalPlan plan) {
    if (calledByDelta()) {
      // Delta's own plans, run in the client's session while it resolves a table the client's
      // plan names: reading the transaction log (JSON, checkpoints, log actions as an RDD). The
      // client's plan itself is checked after Delta is done, with no Delta code on the stack.
      return;
    }
    refuseClientCode(plan);
    if (ZoneReads.containsCommand(plan)) {
      checkCommand(spark, plan);
      return;
    }
    ZoneReads.check(spark, plan, policy());
  }

  private ZoneReads.Policy policy() {
    return new ZoneReads.Policy("The query", roots, hint, true);
  }

  private void checkCommand(SparkSession spark, LogicalPlan plan) {
    String name = plan.nodeName();
    if (plan instanceof CreateViewCommand view && view.viewType().toString().contains("Temp")) {
      ZoneReads.check(spark, view.plan(), policy());
      return;
    }
    if (!METADATA_COMMANDS.contains(name)) {
      throw new LakehouseException(
          "Refused: "
              + name
              + " writes or changes something, and this endpoint is read-only (tables are written"
              + " by the lakehouse jobs). "
              + hint);
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      checkCommandChild(spark, child, name);
    }
  }

  /** A metadata command may name only served tables: DESCRIBE delta.`/other/zone` is refused. */
  private void checkCommandChild(SparkSession spark, LogicalPlan plan, String command) {
    if (plan instanceof ResolvedTable table) {
      String[] namespace = table.identifier().namespace();
      String database = namespace.length == 0 ? "" : namespace[namespace.length - 1];
      if (!databases.contains(database.toLowerCase(Locale.ROOT))) {
        throw new LakehouseException(
            "Refused: " + command + " of a table outside the served databases. " + hint);
      }
      return;
    }
    if (plan instanceof LogicalRelation) {
      ZoneReads.check(spark, plan, policy());
      return;
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      checkCommandChild(spark, child, command);
    }
  }

  private void refuseClientCode(LogicalPlan plan) {
    if (CLIENT_CODE.matcher(plan.nodeName()).matches()) {
      throw clientCode(plan.nodeName());
    }
    for (Expression e : CollectionConverters.asJava(plan.expressions())) {
      refuseClientCode(e);
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      refuseClientCode(child);
    }
  }

  private void refuseClientCode(Expression e) {
    if (e instanceof ScalaUDF udf) {
      if (!udf.function().getClass().getName().startsWith(OWN_FUNCTIONS_PACKAGE)) {
        throw clientCode("a Scala/Java function");
      }
    } else if (CLIENT_CODE.matcher(e.getClass().getSimpleName()).matches()) {
      throw clientCode(e.prettyName());
    }
    for (Expression child : CollectionConverters.asJava(e.children())) {
      refuseClientCode(child);
    }
  }

  private LakehouseException clientCode(String what) {
    return new LakehouseException(
        "Refused: "
            + what
            + " would run code sent by the client on the server, which could read any file it"
            + " can. Use SQL and the lakehouse SQL functions (SHOW FUNCTIONS). "
            + hint);
  }

  /** True when Delta's code, not a client plan being checked, is analysing this plan. */
  private static boolean calledByDelta() {
    return StackWalker.getInstance()
        .walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith(DELTA_PACKAGE)));
  }
}
