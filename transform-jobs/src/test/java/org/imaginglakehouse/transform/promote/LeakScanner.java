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
import org.imaginglakehouse.schemas.inventory.PromotionSpec;

/**
 * The leak check: every PatientName component, patient ID (as stored and normalised), birth date
 * (DICOM and ISO form) and address of {@code identifiable.instances} is searched, ignoring case, as
 * a substring of every string (and string-array) value of every table of the de-identified zone; a
 * value that is exactly a hospital of the reference list (institutions.yaml) is not searched.
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
    // A whole value that is a hospital of the reference list is not patient identity, even when
    // some patient shares a name with it ("Queen Elizabeth University Hospital", "Dr Gray's").
    Set<String> institutions = PromotionSpec.builtIn().healthBoards().keySet();
    for (ZoneCatalog.TableRef table : tables) {
      Dataset<Row> df = spark.read().format("delta").load(table.location());
      List<String> names = new ArrayList<>();
      List<String> exprs = new ArrayList<>();
      for (StructField f : df.schema().fields()) {
        if (f.dataType().equals(DataTypes.StringType)) {
          exprs.add("lower(`" + f.name() + "`)");
        } else if (f.dataType() instanceof ArrayType a
            && a.elementType().equals(DataTypes.StringType)) {
          exprs.add("lower(array_join(`" + f.name() + "`, ' '))");
        } else {
          continue;
        }
        names.add(f.name());
      }
      if (exprs.isEmpty()) {
        continue;
      }
      // One Spark job per table: all string values, distinct rows, checked on the driver.
      for (Row r : df.selectExpr(exprs.toArray(new String[0])).distinct().collectAsList()) {
        for (int i = 0; i < names.size(); i++) {
          String v = r.getString(i);
          if (v == null || institutions.contains(PromotionSpec.institutionKey(v))) {
            continue;
          }
          for (String needle : needles) {
            if (v.contains(needle)) {
              hits.add(
                  table.qualifiedName()
                      + "."
                      + names.get(i)
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
