package org.imaginglakehouse.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableOrView;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.spark.ZoneReads;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What {@code lakehouse sql} may run: a query whose every relation is a Delta table of the opened
 * zones (checked in the analyzed plan by {@link ZoneReads}, so {@code delta.`path`} reads of other
 * zones are refused too), or one of a few metadata commands (SET, SHOW, DESCRIBE) naming only
 * tables of the opened zones. Everything else (DDL, DML, CACHE, EXPLAIN, ...) is refused: the
 * analyst endpoint reads, jobs write.
 */
final class SqlAccess {
  /** Commands that print settings or names and schemas, never rows, by their plan node name. */
  static final Set<String> METADATA_COMMANDS =
      Set.of(
          "SetCommand",
          "ResetCommand",
          "ShowTables",
          "ShowViews",
          "ShowNamespaces",
          "ShowCatalogs",
          "ShowCurrentNamespace",
          "ShowFunctions",
          "ShowColumns",
          "ShowTableProperties",
          "DescribeRelation",
          "DescribeNamespace",
          "DescribeFunction");

  /** Leaves a metadata command may have besides the names checked below. */
  private static final Set<String> COMMAND_LEAVES =
      Set.of("CurrentNamespace", "UnresolvedFunctionName");

  private final SparkSession spark;
  private final ZoneLayout layout;
  private final Set<Zone> open;

  SqlAccess(SparkSession spark, ZoneLayout layout, Set<Zone> open) {
    this.spark = spark;
    this.layout = layout;
    this.open = open;
  }

  /** Refuses {@code sql} with the reason unless it may run; parses and analyses, runs nothing. */
  void check(String sql) {
    LogicalPlan parsed;
    try {
      parsed = spark.sessionState().sqlParser().parsePlan(sql);
    } catch (ParseException e) {
      String message = e.getMessage() == null ? "" : e.getMessage().strip();
      throw new LakehouseException(
          "Cannot parse the statement: " + message.lines().findFirst().orElse(message), e);
    }
    checkNames(parsed);
    if (ZoneReads.containsCommand(parsed)) {
      checkCommand(parsed);
    } else {
      ZoneReads.Policy policy = policy();
      ZoneReads.check(spark, ZoneReads.analyzeQuery(spark, parsed, policy), policy);
    }
  }

  private ZoneReads.Policy policy() {
    Map<String, String> roots = new LinkedHashMap<>();
    for (Zone zone : open) {
      roots.put(zone.id(), layout.root(zone));
    }
    return new ZoneReads.Policy(
        "The statement",
        roots,
        "lakehouse sql reads only the zones it opened; open another with --zone (see"
            + " lakehouse sql --help).",
        true);
  }

  /** A statement naming a zone that is not open gets told how to open it, not "not found". */
  private void checkNames(LogicalPlan plan) {
    for (List<String> name : names(plan)) {
      Optional<Zone> zone = zoneOf(name.get(0));
      if (zone.isPresent() && !open.contains(zone.get())) {
        throw new LakehouseException(
            "The statement reads "
                + String.join(".", name)
                + ", but the "
                + zone.get().id()
                + " zone is not open: lakehouse sql opens "
                + ids(open)
                + " unless told otherwise. Add --zone "
                + zone.get().id()
                + (zone.get() == Zone.IDENTIFIABLE
                    ? " (operators only; the run is recorded in identifiable.job_runs)."
                    : "."));
      }
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      checkNames(child);
    }
  }

  private void checkCommand(LogicalPlan parsed) {
    if (!METADATA_COMMANDS.contains(parsed.nodeName())) {
      throw new LakehouseException(
          "lakehouse sql runs queries and SET, SHOW and DESCRIBE; "
              + parsed.nodeName()
              + " is not one of them. Tables are written by the jobs (ingest, promote, link,"
              + " cohort, ...).");
    }
    checkCommandTree(parsed, parsed.nodeName());
  }

  /** Every table a metadata command names must be a table of an open zone, by name. */
  private void checkCommandTree(LogicalPlan plan, String command) {
    List<String> name = name(plan);
    if (name != null) {
      boolean namespace = plan instanceof UnresolvedNamespace;
      boolean inOpenZone =
          !name.isEmpty()
              && zoneOf(name.get(0)).map(open::contains).orElse(false)
              && (namespace || name.size() == 2);
      if (!inOpenZone && !(namespace && name.isEmpty())) {
        throw new LakehouseException(
            command
                + " names "
                + String.join(".", name)
                + ": lakehouse sql describes only tables of the open zones ("
                + ids(open)
                + "), named as <zone>.<table>.");
      }
      return;
    }
    if (plan.children().isEmpty()
        && !plan.nodeName().equals(command)
        && !COMMAND_LEAVES.contains(plan.nodeName())) {
      throw new LakehouseException(
          command + " reads " + plan.nodeName() + ", which lakehouse sql does not allow.");
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      checkCommandTree(child, command);
    }
  }

  private static List<List<String>> names(LogicalPlan plan) {
    List<String> name = name(plan);
    return name == null ? List.of() : List.of(name);
  }

  /** The multi-part name of an unresolved table or namespace node, else null. */
  private static List<String> name(LogicalPlan plan) {
    scala.collection.Seq<String> parts = null;
    if (plan instanceof UnresolvedRelation r) {
      parts = r.multipartIdentifier();
    } else if (plan instanceof UnresolvedTableOrView t) {
      parts = t.multipartIdentifier();
    } else if (plan instanceof UnresolvedTable t) {
      parts = t.multipartIdentifier();
    } else if (plan instanceof UnresolvedNamespace n) {
      parts = n.multipartIdentifier();
    }
    return parts == null ? null : CollectionConverters.asJava(parts);
  }

  /** The zone whose SQL database {@code database} is, if any. */
  static Optional<Zone> zoneOf(String database) {
    String d = database.toLowerCase(Locale.ROOT);
    if (d.equals(Zone.IDENTIFIABLE.id())) {
      return Optional.of(Zone.IDENTIFIABLE);
    }
    if (d.equals(Zone.DEIDENTIFIED.id())) {
      return Optional.of(Zone.DEIDENTIFIED);
    }
    if (d.startsWith("project_")) {
      return Optional.of(Zone.PROJECTS);
    }
    return Optional.empty();
  }

  static String ids(Set<Zone> zones) {
    Set<String> ids = new TreeSet<>();
    zones.forEach(z -> ids.add(z.id()));
    return String.join(",", ids);
  }
}
