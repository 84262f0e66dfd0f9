package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * The tables an extraction reads: what was asked for (a cohort's members or a UID list), the image
 * inventory (at the version the cohort pinned, when it read it) and the files behind the instances.
 * Cohort tables are read by their documented layout (docs/cohorts.md), not through the cohort job's
 * classes: job modules do not depend on each other.
 */
final class ExtractInputs {
  static final String COHORTS = "cohorts";
  static final String MEMBERS = "cohort_members";
  static final String COHORT_NAME = "cohort_name";
  static final String IMAGE = "image";

  /** What was asked for: one UID column at {@code level}, and the inventory to expand it with. */
  record Request(Dataset<Row> asked, String level, Dataset<Row> image) {}

  private final SparkSession spark;
  private final ZoneLayout layout;

  ExtractInputs(SparkSession spark, ZoneLayout layout) {
    this.spark = spark;
    this.layout = layout;
  }

  Request fromCohort(String name) {
    String cohorts = layout.table(Zone.DEIDENTIFIED, COHORTS);
    List<Row> definition =
        DeltaTable.isDeltaTable(spark, cohorts)
            ? spark
                .read()
                .format("delta")
                .load(cohorts)
                .where(col(COHORT_NAME).equalTo(name))
                .select("level", "tables_read")
                .collectAsList()
            : List.of();
    if (definition.isEmpty()) {
      throw new LakehouseException(
          "No cohort named '" + name + "': see `lakehouse cohort list`, or create it first");
    }
    String level = definition.get(0).getString(0);
    Dataset<Row> image = null;
    String imageLocation = layout.table(Zone.DEIDENTIFIED, IMAGE);
    for (Row table : definition.get(0).<Row>getList(1)) {
      if (table.getString(1).equals(imageLocation)) {
        // The inventory as the cohort saw it: the same instances behind its members (its current
        // version is not loaded then: each Delta snapshot read costs a log replay).
        image =
            spark
                .read()
                .format("delta")
                .option("versionAsOf", table.getLong(2))
                .load(imageLocation);
      }
    }
    if (image == null) {
      image = currentImage();
    }
    String uid = ExtractCandidates.uidColumn(level);
    Dataset<Row> members =
        spark
            .read()
            .format("delta")
            .load(layout.table(Zone.DEIDENTIFIED, MEMBERS))
            .where(col(COHORT_NAME).equalTo(name))
            .select(col(uid));
    return new Request(members, level, image);
  }

  /** A CSV of UIDs at the project's {@code level} (its header names the UID column). */
  Request fromUidFile(String file, String level) {
    Dataset<Row> csv;
    try {
      csv = spark.read().option("header", "true").csv(file);
    } catch (RuntimeException e) {
      throw new LakehouseException(
          "Cannot read the UID list " + file + ": " + e.getClass().getSimpleName(), e);
    }
    List<String> columns = List.of(csv.columns());
    String uid = ExtractCandidates.uidColumn(level);
    String actual =
        columns.stream()
            .filter(c -> c.equalsIgnoreCase(uid))
            .findFirst()
            .orElseThrow(
                () ->
                    new LakehouseException(
                        "The UID list "
                            + file
                            + " has no "
                            + uid
                            + " column, which this project's extraction level ("
                            + level
                            + ") needs: a CSV with a header row naming it (or change `level:` in"
                            + " the project file)"));
    Dataset<Row> asked =
        csv.select(org.apache.spark.sql.functions.trim(col("`" + actual + "`")).as(uid))
            .where(col(uid).isNotNull().and(col(uid).notEqual("")));
    return new Request(asked, level, currentImage());
  }

  Dataset<Row> currentImage() {
    String location = layout.table(Zone.DEIDENTIFIED, IMAGE);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      throw new LakehouseException(
          "The de-identified inventory (deidentified.image) does not exist yet: run `lakehouse"
              + " promote` first");
    }
    return spark.read().format("delta").load(location);
  }

  Dataset<Row> instances() {
    String location = layout.table(Zone.IDENTIFIABLE, "instances");
    if (!DeltaTable.isDeltaTable(spark, location)) {
      throw new LakehouseException(
          "identifiable.instances does not exist: run `lakehouse ingest` first");
    }
    return spark.read().format("delta").load(location);
  }
}
