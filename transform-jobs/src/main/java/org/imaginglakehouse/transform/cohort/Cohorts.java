package org.imaginglakehouse.transform.cohort;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * The cohort tables of the de-identified zone and the rules that turn a query result into members.
 *
 * <ul>
 *   <li>{@code deidentified.cohorts}: one row per cohort (MERGE on {@code cohort_name}): SQL as
 *       given, the same SQL pinned with {@code VERSION AS OF}, extraction level, who and when, the
 *       Delta version of every table read, counts, an order-independent hash of the members and the
 *       outcome of the last re-run.
 *   <li>{@code deidentified.cohort_members}: partitioned by {@code cohort_name}; per member the
 *       EUPI, Study/Series/SOPInstanceUID up to the declared level (NULL below it) and the query's
 *       other columns as {@code attributes} (MAP of strings, e.g. dose and age). A cohort's members
 *       are replaced atomically ({@code replaceWhere}) when it is re-created.
 * </ul>
 */
public final class Cohorts {
  public static final String COHORTS = "cohorts";
  public static final String MEMBERS = "cohort_members";
  public static final String NAME = "cohort_name";
  public static final String EUPI = "eupi";
  public static final String STUDY_UID = "StudyInstanceUID";
  public static final String SERIES_UID = "SeriesInstanceUID";
  public static final String SOP_UID = "SOPInstanceUID";
  public static final String ATTRIBUTES = "attributes";

  public static final StructType TABLE_VERSION =
      new StructType()
          .add("name", DataTypes.StringType, false)
          .add("location", DataTypes.StringType, false)
          .add("version", DataTypes.LongType, false);

  public static final StructType COHORTS_SCHEMA =
      new StructType()
          .add(NAME, DataTypes.StringType, false)
          .add("level", DataTypes.StringType, false)
          .add("sql", DataTypes.StringType, false)
          .add("pinned_sql", DataTypes.StringType, false)
          .add("created_by", DataTypes.StringType, true)
          .add("created_at", DataTypes.TimestampType, false)
          .add("tables_read", DataTypes.createArrayType(TABLE_VERSION, false), false)
          .add("attribute_columns", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("member_count", DataTypes.LongType, false)
          .add("patient_count", DataTypes.LongType, false)
          .add("result_hash", DataTypes.StringType, false)
          .add("run_id", DataTypes.StringType, true)
          .add("spark_version", DataTypes.StringType, true)
          .add("last_rerun_at", DataTypes.TimestampType, true)
          .add("last_rerun_identical", DataTypes.BooleanType, true)
          .add("last_rerun_run_id", DataTypes.StringType, true);

  public static final StructType MEMBERS_SCHEMA =
      new StructType()
          .add(NAME, DataTypes.StringType, false)
          .add(EUPI, DataTypes.StringType, false)
          .add(STUDY_UID, DataTypes.StringType, false)
          .add(SERIES_UID, DataTypes.StringType, true)
          .add(SOP_UID, DataTypes.StringType, true)
          .add(
              ATTRIBUTES,
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true),
              true);

  private final SparkSession spark;
  private final ZoneLayout layout;

  public Cohorts(SparkSession spark, ZoneLayout layout) {
    this.spark = spark;
    this.layout = layout;
  }

  /** A stored cohort definition. */
  public record Definition(
      String name,
      CohortLevel level,
      String sql,
      String pinnedSql,
      String createdBy,
      Timestamp createdAt,
      List<CohortSql.TableVersion> tablesRead,
      List<String> attributeColumns,
      long memberCount,
      long patientCount,
      String resultHash,
      String runId,
      Timestamp lastRerunAt,
      Boolean lastRerunIdentical) {}

  public String cohortsLocation() {
    return layout.table(Zone.DEIDENTIFIED, COHORTS);
  }

  public String membersLocation() {
    return layout.table(Zone.DEIDENTIFIED, MEMBERS);
  }

  /** Cohort names: lower-case identifiers, like table names. */
  public static String checkName(String name) {
    return ZoneLayout.checkName("cohort", name == null ? null : name.trim());
  }

  public Optional<Definition> find(String name) {
    if (!DeltaTable.isDeltaTable(spark, cohortsLocation())) {
      return Optional.empty();
    }
    List<Row> rows = definitions().where(col(NAME).equalTo(name)).collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(toDefinition(rows.get(0)));
  }

  public Definition require(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new LakehouseException(
                    "No cohort named '" + name + "': see `lakehouse cohort list`"));
  }

  public List<Definition> list() {
    if (!DeltaTable.isDeltaTable(spark, cohortsLocation())) {
      return List.of();
    }
    return definitions().orderBy(NAME).collectAsList().stream().map(Cohorts::toDefinition).toList();
  }

  private Dataset<Row> definitions() {
    return spark.read().format("delta").load(cohortsLocation());
  }

  /** Stored members of one cohort. */
  public Dataset<Row> members(String name) {
    return spark.read().format("delta").load(membersLocation()).where(col(NAME).equalTo(name));
  }

  /** The member columns found in a query result, case-insensitively; clear error if missing. */
  public static Dataset<Row> toMembers(
      Dataset<Row> result, CohortLevel level, String cohortName, List<String> attributeColumns) {
    List<String> columns = List.of(result.columns());
    List<Column> select = new ArrayList<>();
    select.add(lit(cohortName).as(NAME));
    select.add(result.col(quote(find(columns, EUPI, level))).cast("string").as(EUPI));
    for (String uid : List.of(STUDY_UID, SERIES_UID, SOP_UID)) {
      if (level.uidColumns().contains(uid)) {
        select.add(result.col(quote(find(columns, uid, level))).cast("string").as(uid));
      } else {
        select.add(lit(null).cast("string").as(uid));
      }
    }
    // Keys in sorted order: the stored map is then in one canonical order whatever the query's
    // column order (hash and comparison do not depend on it either, see canonicalAttributes).
    List<String> sorted = checkDistinct(attributeColumns).stream().sorted().toList();
    for (int i = 0; i < sorted.size(); i++) {
      select.add(result.col(quote(sorted.get(i))).cast("string").as("_a" + i));
    }
    Dataset<Row> distinct = result.select(select.toArray(Column[]::new)).distinct();
    Column attributes;
    if (sorted.isEmpty()) {
      attributes = lit(null).cast("map<string,string>");
    } else {
      List<Column> kv = new ArrayList<>();
      for (int i = 0; i < sorted.size(); i++) {
        kv.add(lit(sorted.get(i)));
        kv.add(col("_a" + i));
      }
      attributes = functions.map(kv.toArray(Column[]::new));
    }
    return distinct.select(
        col(NAME),
        col(EUPI),
        col(STUDY_UID),
        col(SERIES_UID),
        col(SOP_UID),
        attributes.as(ATTRIBUTES));
  }

  /** The result's columns that are neither the EUPI nor a UID: kept as member attributes. */
  public static List<String> attributeColumns(Dataset<Row> result) {
    List<String> out = new ArrayList<>();
    for (String c : result.columns()) {
      boolean key =
          List.of(EUPI, STUDY_UID, SERIES_UID, SOP_UID, NAME).stream()
              .anyMatch(c::equalsIgnoreCase);
      if (!key) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Attribute names become map keys, which must be unique; Spark resolves names case-insensitively,
   * so {@code x} and {@code X} would also be ambiguous.
   */
  private static List<String> checkDistinct(List<String> attributeColumns) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String c : attributeColumns) {
      if (!seen.add(c.toLowerCase(Locale.ROOT))) {
        throw new LakehouseException(
            "The cohort query returns more than one column named '"
                + c
                + "' (names are compared ignoring case): give each attribute column its own"
                + " name with AS, e.g. SELECT ..., a.x AS study_x, b.x AS series_x");
      }
    }
    return attributeColumns;
  }

  private static String find(List<String> columns, String wanted, CohortLevel level) {
    List<String> matches = columns.stream().filter(c -> c.equalsIgnoreCase(wanted)).toList();
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new LakehouseException(
        "A "
            + level.id()
            + "-level cohort query must return exactly one column named "
            + wanted
            + " (it returns "
            + String.join(", ", columns)
            + "). Return eupi and "
            + String.join(", ", level.uidColumns())
            + ", e.g. SELECT s.eupi, s.StudyInstanceUID FROM deidentified.study s ...");
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /**
   * Suffix of the current {@link #hash} format. Hashes without it were made before attributes were
   * hashed in canonical (key-sorted) form; see {@link #legacyHash}.
   */
  public static final String HASH_FORMAT = ";attributes=sorted-entries";

  /**
   * Order-independent fingerprint of member rows: row count and the sum of a 64-bit hash of every
   * row (as a 38-digit decimal, so it cannot overflow). Equal sets of rows give equal hashes
   * whatever the order or partitioning, and whatever the order of the keys in the attributes map.
   */
  public static String hash(Dataset<Row> members) {
    return hash(members, canonicalAttributes()) + HASH_FORMAT;
  }

  /**
   * The hash as made before the fix for map key order: over {@code to_json(attributes)}, which
   * lists the keys in the stored order. Kept only to check the stored members of cohorts created
   * then against their recorded hash.
   */
  public static String legacyHash(Dataset<Row> members) {
    return hash(members, functions.to_json(col(ATTRIBUTES)));
  }

  /** Whether a recorded hash predates {@link #HASH_FORMAT}. */
  public static boolean isLegacyHash(String hash) {
    return hash != null && !hash.endsWith(HASH_FORMAT);
  }

  private static String hash(Dataset<Row> members, Column attributes) {
    Column rowHash =
        functions.xxhash64(
            functions.coalesce(col(EUPI), lit("\u0000")),
            functions.coalesce(col(STUDY_UID), lit("\u0000")),
            functions.coalesce(col(SERIES_UID), lit("\u0000")),
            functions.coalesce(col(SOP_UID), lit("\u0000")),
            functions.coalesce(attributes, lit("\u0000")));
    Row row =
        members
            .agg(
                functions.count(lit(1)),
                functions.coalesce(
                    functions.sum(rowHash.cast("decimal(38,0)")), lit(0).cast("decimal(38,0)")))
            .first();
    return String.format(
        Locale.ROOT, "rows=%d;xxhash64sum=%s", row.getLong(0), row.getDecimal(1).toPlainString());
  }

  /**
   * The attributes map as JSON of its entries sorted by key: the same text for the same entries in
   * any key order (a map read back through a Scala {@code HashMap}, for one, has lost its order).
   */
  static Column canonicalAttributes() {
    return functions.to_json(functions.array_sort(functions.map_entries(col(ATTRIBUTES))));
  }

  /** Members as comparable rows (the attributes as {@link #canonicalAttributes} JSON). */
  public static Dataset<Row> comparable(Dataset<Row> members) {
    return members.select(
        col(EUPI),
        col(STUDY_UID),
        col(SERIES_UID),
        col(SOP_UID),
        canonicalAttributes().as(ATTRIBUTES));
  }

  /** Replaces the members of {@code name} atomically (one Delta commit). */
  public void writeMembers(String name, Dataset<Row> members) {
    // Cast column by column, never through members.rdd(): external rows turn the attributes map
    // into a Scala Map, whose iteration order for more than four keys is a hash order, and that
    // order is what was stored (the cause of "not identical" re-runs of such cohorts).
    List<Column> columns = new ArrayList<>();
    for (var field : MEMBERS_SCHEMA.fields()) {
      columns.add(col(field.name()).cast(field.dataType()).as(field.name()));
    }
    Dataset<Row> typed = members.select(columns.toArray(Column[]::new));
    if (!DeltaTable.isDeltaTable(spark, membersLocation())) {
      DeltaTable.createIfNotExists(spark)
          .location(membersLocation())
          .addColumns(MEMBERS_SCHEMA)
          .partitionedBy(NAME)
          .execute();
    }
    typed
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", NAME + " = '" + name.replace("'", "''") + "'")
        .save(membersLocation());
  }

  /** Inserts or replaces a cohort definition (MERGE on cohort_name). */
  public void writeDefinition(Definition d) {
    List<Row> tables = new ArrayList<>();
    for (CohortSql.TableVersion t : d.tablesRead()) {
      tables.add(RowFactory.create(t.name(), t.location(), t.version()));
    }
    Row row =
        RowFactory.create(
            d.name(),
            d.level().id(),
            d.sql(),
            d.pinnedSql(),
            d.createdBy(),
            d.createdAt(),
            tables,
            d.attributeColumns(),
            d.memberCount(),
            d.patientCount(),
            d.resultHash(),
            d.runId(),
            spark.version(),
            d.lastRerunAt(),
            d.lastRerunIdentical(),
            null);
    upsert(spark.createDataFrame(List.of(row), COHORTS_SCHEMA));
  }

  /** Records the outcome of a re-run on the definition row. */
  public void recordRerun(String name, Timestamp at, boolean identical, String runId) {
    DeltaTable.forPath(spark, cohortsLocation())
        .update(
            col(NAME).equalTo(name),
            java.util.Map.of(
                "last_rerun_at", lit(at),
                "last_rerun_identical", lit(identical),
                "last_rerun_run_id", lit(runId)));
  }

  private void upsert(Dataset<Row> update) {
    if (!DeltaTable.isDeltaTable(spark, cohortsLocation())) {
      update.write().format("delta").mode("append").save(cohortsLocation());
      return;
    }
    DeltaTable.forPath(spark, cohortsLocation())
        .as("t")
        .merge(update.as("s"), "t." + NAME + " = s." + NAME)
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  @SuppressWarnings("unchecked")
  private static Definition toDefinition(Row r) {
    List<CohortSql.TableVersion> tables = new ArrayList<>();
    for (Row t : r.<Row>getList(r.fieldIndex("tables_read"))) {
      tables.add(new CohortSql.TableVersion(t.getString(0), t.getString(1), t.getLong(2)));
    }
    return new Definition(
        r.getAs(NAME),
        CohortLevel.parse(r.getAs("level")),
        r.getAs("sql"),
        r.getAs("pinned_sql"),
        r.getAs("created_by"),
        r.getAs("created_at"),
        tables,
        r.<String>getList(r.fieldIndex("attribute_columns")),
        r.<Long>getAs("member_count"),
        r.<Long>getAs("patient_count"),
        r.getAs("result_hash"),
        r.getAs("run_id"),
        r.getAs("last_rerun_at"),
        r.getAs("last_rerun_identical"));
  }
}
