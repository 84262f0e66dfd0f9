package org.imaginglakehouse.transform.promote;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * The leak check: every PatientName component, patient ID (as stored and normalised), birth date
 * (DICOM and ISO form) and address of {@code identifiable.instances} is searched, ignoring case, as
 * a substring of every string (and string-array) value of every table of the de-identified zone.
 * Returns the hits as "table.column: value" strings; empty = no leak.
 */
final class LeakScanner {
  private LeakScanner() {}

  static Set<String> identifiers(SparkSession spark, ZoneLayout layout) {
    Dataset<Row> instances =
        spark.read().format("delta").load(layout.table(Zone.IDENTIFIABLE, "instances"));
    Set<String> ids = new TreeSet<>();
    for (Row r :
        instances
            .selectExpr(
                "PatientName",
                "PatientID",
                "PatientBirthDate",
                "transform(filter(header, h -> h.keyword IN ('PatientAddress', 'PatientName',"
                    + " 'OtherPatientNames', 'PatientBirthName', 'PatientMotherBirthName')),"
                    + " h -> array_join(h.values, ' ')) AS more")
            .distinct()
            .collectAsList()) {
      addName(ids, r.getString(0));
      add(ids, r.getString(1));
      if (r.getString(1) != null) {
        add(ids, r.getString(1).replaceAll("[\\s-]", ""));
      }
      String birth = r.getString(2);
      add(ids, birth);
      if (birth != null && birth.matches("\\d{8}")) {
        add(ids, birth.substring(0, 4) + "-" + birth.substring(4, 6) + "-" + birth.substring(6));
      }
      for (Object more : r.getList(3)) {
        addName(ids, (String) more);
        add(ids, (String) more);
      }
    }
    return ids;
  }

  private static void addName(Set<String> ids, String name) {
    if (name == null) {
      return;
    }
    for (String part : name.split("[\\^=]")) {
      add(ids, part);
    }
  }

  private static void add(Set<String> ids, String value) {
    if (value != null && value.trim().length() >= 3) {
      ids.add(value.trim().toLowerCase(Locale.ROOT));
    }
  }

  static List<String> scan(SparkSession spark, ZoneLayout layout, Set<String> identifiers) {
    List<String> hits = new ArrayList<>();
    List<ZoneCatalog.TableRef> tables =
        new ZoneCatalog(spark, layout, Set.of(Zone.DEIDENTIFIED)).registerAll();
    if (tables.isEmpty()) {
      throw new IllegalStateException("no de-identified tables to scan");
    }
    List<String> needles = new ArrayList<>(identifiers);
    for (ZoneCatalog.TableRef table : tables) {
      Dataset<Row> df = spark.read().format("delta").load(table.location());
      for (StructField f : df.schema().fields()) {
        String expr;
        if (f.dataType().equals(DataTypes.StringType)) {
          expr = "`" + f.name() + "`";
        } else if (f.dataType() instanceof ArrayType a
            && a.elementType().equals(DataTypes.StringType)) {
          expr = "array_join(`" + f.name() + "`, ' ')";
        } else {
          continue;
        }
        List<String> values =
            df
                .selectExpr("lower(" + expr + ") AS v")
                .where("v IS NOT NULL")
                .distinct()
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList();
        for (String v : values) {
          for (String needle : needles) {
            if (v.contains(needle)) {
              hits.add(
                  table.qualifiedName()
                      + "."
                      + f.name()
                      + ": '"
                      + v
                      + "' contains '"
                      + needle
                      + "'");
            }
          }
        }
      }
    }
    return hits;
  }
}
