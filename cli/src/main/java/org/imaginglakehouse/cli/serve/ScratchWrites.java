package org.imaginglakehouse.cli.serve;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.catalyst.analysis.ResolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.CreateTable;
import org.apache.spark.sql.catalyst.plans.logical.CreateTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.DropTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ReplaceTableAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.TableSpec;
import org.apache.spark.sql.catalyst.plans.logical.TableSpecBase;
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.command.SaveAsV1TableCommand;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The writes a user may run in their scratch database, read from the analysed plan: {@code CREATE
 * [OR REPLACE] TABLE ... [AS SELECT]}, {@code INSERT}, {@code DataFrame.saveAsTable} and {@code
 * DROP TABLE}. A new table must be a Delta table at the database's own location (no {@code
 * LOCATION} or {@code path}), so it lands under the user's scratch root; the rows written are
 * checked as reads of the user.
 */
final class ScratchWrites {
  private ScratchWrites() {}

  /**
   * What a write command writes.
   *
   * @param database database of the target, lower case ("" when it names none)
   * @param table table name
   * @param provider format of a new table (null: an existing table, or none given)
   * @param location explicit location or path option of a new table (null: none)
   * @param creates whether the command creates (or replaces) the table
   * @param queries plans whose rows are written
   */
  record Target(
      String database,
      String table,
      String provider,
      String location,
      boolean creates,
      List<LogicalPlan> queries) {
    String describe() {
      return database.isEmpty() ? table : database + "." + table;
    }
  }

  /** Whether the analysed plan is one of the writes scratch areas allow. */
  static boolean isWrite(LogicalPlan plan) {
    return plan instanceof CreateTableAsSelect
        || plan instanceof ReplaceTableAsSelect
        || plan instanceof CreateTable
        || plan instanceof V2WriteCommand
        || plan instanceof DropTable
        || plan instanceof SaveAsV1TableCommand;
  }

  static Target target(LogicalPlan plan) {
    if (plan instanceof CreateTableAsSelect ctas) {
      return created(ctas.name(), ctas.tableSpec(), List.of(ctas.query()));
    }
    if (plan instanceof ReplaceTableAsSelect rtas) {
      return created(rtas.name(), rtas.tableSpec(), List.of(rtas.query()));
    }
    if (plan instanceof CreateTable create) {
      return created(create.name(), create.tableSpec(), List.of());
    }
    if (plan instanceof V2WriteCommand write) {
      Identifier id =
          write.table() instanceof DataSourceV2Relation relation
                  && relation.identifier().isDefined()
              ? relation.identifier().get()
              : null;
      return new Target(
          id == null ? "" : database(id.namespace()),
          id == null ? write.table().name() : id.name(),
          null,
          null,
          false,
          List.of(write.query()));
    }
    if (plan instanceof DropTable drop) {
      Identifier id =
          drop.child() instanceof ResolvedIdentifier resolved
              ? resolved.identifier()
              : drop.child() instanceof ResolvedTable table ? table.identifier() : null;
      return new Target(
          id == null ? "" : database(id.namespace()),
          id == null ? drop.child().nodeName() : id.name(),
          null,
          null,
          false,
          List.of());
    }
    SaveAsV1TableCommand save = (SaveAsV1TableCommand) plan;
    CatalogTable desc = save.tableDesc();
    return new Target(
        desc.identifier().database().isDefined()
            ? desc.identifier().database().get().toLowerCase(Locale.ROOT)
            : "",
        desc.identifier().table(),
        desc.provider().isDefined() ? desc.provider().get() : null,
        desc.storage().locationUri().isDefined()
            ? desc.storage().locationUri().get().toString()
            : null,
        true,
        List.of(save.query()));
  }

  private static Target created(LogicalPlan name, TableSpecBase spec, List<LogicalPlan> queries) {
    Identifier id = name instanceof ResolvedIdentifier resolved ? resolved.identifier() : null;
    String provider = null;
    String location = null;
    if (spec instanceof TableSpec resolved) {
      provider = resolved.provider().isDefined() ? resolved.provider().get() : null;
      location = resolved.location().isDefined() ? resolved.location().get() : null;
      if (location == null && resolved.options().contains("path")) {
        location = resolved.options().apply("path");
      }
    } else {
      location = "(unresolved table options)";
    }
    return new Target(
        id == null ? "" : database(id.namespace()),
        id == null ? name.nodeName() : id.name(),
        provider,
        location,
        true,
        queries);
  }

  private static String database(String[] namespace) {
    return namespace.length == 0 ? "" : namespace[namespace.length - 1].toLowerCase(Locale.ROOT);
  }

  /** A new table must be Delta, at the scratch database's own location. */
  static void checkTarget(Target target, String hint) {
    if (!target.creates()) {
      return;
    }
    if (target.location() != null) {
      throw new LakehouseException(
          "Refused: "
              + target.describe()
              + " names its own location; scratch tables live at their database's location, so"
              + " leave out LOCATION and path. "
              + hint);
    }
    if (target.provider() == null || !target.provider().equalsIgnoreCase("delta")) {
      throw new LakehouseException(
          "Refused: "
              + target.describe()
              + " must be a Delta table: add USING delta (SQL) or .format(\"delta\")"
              + " (saveAsTable). "
              + hint);
    }
  }
}
