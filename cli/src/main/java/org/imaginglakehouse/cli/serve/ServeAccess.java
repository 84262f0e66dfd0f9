package org.imaginglakehouse.cli.serve;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.ResolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.CreateViewCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.spark.ZoneReads;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The plan check of every statement and DataFrame a {@code lakehouse serve} client sends: run as a
 * Spark check rule on each analysed plan of every client session. A query may read only Delta
 * tables under the served zone roots ({@link ZoneReads}, the check cohorts and {@code lakehouse
 * sql} use), by name or by path; besides queries only SET, SHOW, DESCRIBE of served tables and
 * temporary views run, and writes of a user with a per-user token into their own {@code
 * scratch_<user>} database ({@link ScratchWrites}), whose tables only that user reads, and the
 * cohort command of {@link ServeCohorts} ({@code CALL lakehouse.create_cohort}). Other writes, DDL,
 * ADD JAR, functions defined by the client (Python, Scala, Java reflection) and script transforms
 * are refused, so a client cannot run code of its own on the server. The audit table is not
 * readable.
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

  /** User {@code u} writes into database {@code scratch_u}. */
  static final String SCRATCH_PREFIX = "scratch_";

  private final Map<String, String> roots;
  private final Set<String> databases;
  private final Map<String, String> scratchRoots;
  private final List<String> hidden;
  private final String hint;
  private volatile ServeCohorts cohorts;

  /**
   * @param roots served zone roots by zone name ({@code deidentified -> /lh/deidentified})
   * @param databases the SQL databases served ({@code deidentified}, {@code project_x})
   * @param scratchRoots each user's scratch root by user name (only users with verified tokens)
   * @param hidden locations under the served roots that clients may not read (the audit table)
   */
  ServeAccess(
      Map<String, String> roots,
      Set<String> databases,
      Map<String, String> scratchRoots,
      List<String> hidden) {
    this.roots = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(roots));
    this.databases = Set.copyOf(databases);
    this.scratchRoots = Map.copyOf(scratchRoots);
    this.hidden = List.copyOf(hidden);
    this.hint =
        "This endpoint serves only "
            + String.join(", ", new java.util.TreeSet<>(databases))
            + " and only reads (queries, SET, SHOW, DESCRIBE, temporary views)"
            + (scratchRoots.isEmpty() ? "" : ", writing only into your own scratch_<user>")
            + "; see docs/sql-endpoint.md.";
  }

  /** The refusal hint: what the endpoint serves and where it is documented. */
  String hint() {
    return hint;
  }

  /** Lets through the cohort command of {@code saver}, which checks its SQL itself. */
  void allowCohortsOf(ServeCohorts saver) {
    this.cohorts = saver;
  }

  /** Database of a user's scratch area. */
  static String scratchDatabase(String user) {
    return SCRATCH_PREFIX + user;
  }

  /** Refuses {@code plan} (analysed) with the reason unless {@code user} (or null) may run it. */
  void check(SparkSession spark, LogicalPlan plan, String user) {
    if (calledByDelta()) {
      // Delta's own plans, run in the client's session while it resolves a table the client's
      // plan names: reading the transaction log (JSON, checkpoints, log actions as an RDD). The
      // client's plan itself is checked after Delta is done, with no Delta code on the stack.
      return;
    }
    refuseClientCode(plan);
    if (plan instanceof SetCommand set && set.kv().isDefined()) {
      ConnectRequestGuard.setting(set.kv().get()._1())
          .ifPresent(
              why -> {
                throw new LakehouseException("Refused: " + why);
              });
    }
    String scratch = user == null ? null : scratchRoots.get(user);
    Caller caller = new Caller(scratch == null ? null : user, scratch);
    if (ZoneReads.containsCommand(plan)) {
      checkCommand(spark, plan, caller);
      return;
    }
    reads(spark, plan, caller);
  }

  /** Who is asking: a user with a scratch area, or nobody known (reads only). */
  private record Caller(String user, String scratchRoot) {
    String database() {
      return user == null ? null : scratchDatabase(user);
    }
  }

  private void reads(SparkSession spark, LogicalPlan plan, Caller caller) {
    Map<String, String> allowed = new java.util.LinkedHashMap<>(roots);
    if (caller.scratchRoot() != null) {
      allowed.put(caller.database(), caller.scratchRoot());
    }
    List<ZoneReads.TableRead> read =
        ZoneReads.check(spark, plan, new ZoneReads.Policy("The query", allowed, hint, true));
    for (String location : hidden) {
      String qualified = ZoneReads.qualify(spark, location);
      for (ZoneReads.TableRead table : read) {
        if (table.location().equals(qualified) || table.location().startsWith(qualified + "/")) {
          throw new LakehouseException(
              "Refused: " + table.name() + " is the server's audit table, not served. " + hint);
        }
      }
    }
  }

  private void checkCommand(SparkSession spark, LogicalPlan plan, Caller caller) {
    String name = plan.nodeName();
    if (plan instanceof CreateViewCommand view && view.viewType().toString().contains("Temp")) {
      reads(spark, view.plan(), caller);
      return;
    }
    ServeCohorts saver = cohorts;
    if (saver != null && saver.isCommand(plan)) {
      return; // CALL lakehouse.create_cohort: its runner checks the user and the cohort SQL
    }
    if (caller.user() != null && ScratchWrites.isWrite(plan)) {
      ScratchWrites.Target target = ScratchWrites.target(plan);
      if (!target.database().equals(caller.database())) {
        throw new LakehouseException(
            "Refused: "
                + name
                + " of "
                + target.describe()
                + ": you write only into "
                + caller.database()
                + ". "
                + hint);
      }
      ScratchWrites.checkTarget(target, hint);
      for (LogicalPlan query : target.queries()) {
        reads(spark, query, caller);
      }
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
      checkCommandChild(spark, child, name, caller);
    }
  }

  /** A metadata command may name only served tables: DESCRIBE delta.`/other/zone` is refused. */
  private void checkCommandChild(
      SparkSession spark, LogicalPlan plan, String command, Caller caller) {
    if (plan instanceof ResolvedTable table) {
      checkDatabase(table.identifier().namespace(), command, caller);
      return;
    }
    if (plan instanceof ResolvedNamespace namespace) {
      String[] parts = CollectionConverters.asJava(namespace.namespace()).toArray(new String[0]);
      if (parts.length > 0 && parts[parts.length - 1].startsWith(SCRATCH_PREFIX)) {
        checkDatabase(parts, command, caller);
      }
      return;
    }
    if (plan instanceof LogicalRelation) {
      reads(spark, plan, caller);
      return;
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      checkCommandChild(spark, child, command, caller);
    }
  }

  private void checkDatabase(String[] namespace, String command, Caller caller) {
    String database =
        namespace.length == 0 ? "" : namespace[namespace.length - 1].toLowerCase(Locale.ROOT);
    if (!databases.contains(database) && !database.equals(caller.database())) {
      throw new LakehouseException(
          "Refused: " + command + " of a table outside the served databases. " + hint);
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
