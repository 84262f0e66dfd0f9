package org.imaginglakehouse.transform.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cohorts with 0 to 60 attribute columns of every type the inventory has re-run identical: in this
 * JVM, after unrelated writes to the table they read, and in a new JVM. Before the fix, a cohort
 * with five or more attributes was stored with its map keys in a Scala hash order and every re-run
 * reported it "not identical".
 */
class CohortReproducibilityTest extends SparkTestBase {
  static final int ATTRIBUTES = 60;
  static final String IMAGE = "image";
  static LakehouseConfig config;
  static ZoneLayout layout;

  /** One SQL expression per attribute kind; NULL in some rows of every kind. */
  static final List<String> KINDS =
      List.of(
          "concat('desc ', id % 7)", // string
          "CAST(id % 11 AS INT)", // int
          "id * 1000003", // bigint
          "CAST(id AS DOUBLE) / 7", // double
          "CAST(id / 3 AS DECIMAL(10,3))", // decimal
          "date_add(DATE'2012-03-04', CAST(id AS INT))", // date
          "TIMESTAMP'2015-06-07 08:09:10' + make_interval(0, 0, 0, 0, CAST(id AS INT))", // ts
          "array(concat('k', id % 3), 'Lefèvre^Hélène')", // array<string>
          "array(CAST(id AS INT), CAST(id % 2 AS INT))", // array<int>
          "id % 2 = 0"); // boolean

  @BeforeAll
  static void inventory() {
    config = newHomeConfig("reproducibility-home");
    layout = ZoneLayout.from(config);
    List<String> select = new ArrayList<>();
    select.add("concat('E', id % 7) AS eupi");
    select.add("concat('1.2.826.1.', id % 13) AS StudyInstanceUID");
    select.add("concat('1.2.826.1.', id % 13, '.', id % 3) AS SeriesInstanceUID");
    select.add("concat('1.2.826.9.', id) AS SOPInstanceUID");
    for (int i = 0; i < ATTRIBUTES; i++) {
      String kind = KINDS.get(i % KINDS.size());
      select.add(
          String.format(
              "CASE WHEN id %% 9 = %d THEN NULL ELSE %s END AS %s", i % 9, kind, attribute(i)));
    }
    spark()
        .range(0, 60)
        .selectExpr(select.toArray(String[]::new))
        .write()
        .format("delta")
        .save(layout.table(Zone.DEIDENTIFIED, IMAGE));
    new ZoneCatalog(spark(), layout, ZoneCatalog.zonesOf(config)).registerAll();
  }

  static String attribute(int i) {
    return String.format("a%02d", i);
  }

  static String query(List<String> attributes) {
    List<String> columns =
        new ArrayList<>(List.of("eupi", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"));
    columns.addAll(attributes);
    return "SELECT " + String.join(", ", columns) + " FROM deidentified.image";
  }

  static CohortResult create(String name, List<String> attributes) {
    return CohortCreateJob.of(
            spark(),
            config,
            Map.of(
                CohortCreateJob.OPTION_NAME, name, CohortCreateJob.OPTION_SQL, query(attributes)))
        .execute();
  }

  static CohortResult rerun(String name) {
    return CohortRerunJob.of(spark(), config, Map.of(CohortRerunJob.OPTION_NAME, name)).execute();
  }

  @Test
  void cohortsOfEverySizeAndRandomColumnSetsRerunIdenticalHereAfterWritesAndInANewJvm()
      throws Exception {
    Map<String, List<String>> cohorts = new LinkedHashMap<>();
    for (int n : new int[] {0, 1, 4, 5, 20, 60}) {
      cohorts.put(
          "attrs_" + n,
          IntStream.range(0, n).mapToObj(CohortReproducibilityTest::attribute).toList());
    }
    // Property-style: random column sets in random order (seeded, so a failure is repeatable).
    Random random = new Random(20261205L);
    for (int k = 0; k < 2; k++) {
      List<String> all =
          new ArrayList<>(
              IntStream.range(0, ATTRIBUTES)
                  .mapToObj(CohortReproducibilityTest::attribute)
                  .toList());
      Collections.shuffle(all, random);
      cohorts.put("random_" + k, all.subList(0, 2 + random.nextInt(ATTRIBUTES - 1)));
    }
    for (Map.Entry<String, List<String>> c : cohorts.entrySet()) {
      CohortResult created = create(c.getKey(), c.getValue());
      assertThat(created.status()).as(c.getKey()).isEqualTo(JobStatus.SUCCEEDED);
      assertThat(created.members()).as(c.getKey()).isEqualTo(60);
      assertThat(created.hash()).endsWith(Cohorts.HASH_FORMAT);
      assertRerunIdentical(c.getKey());
    }
    // The stored map is in canonical (sorted) key order, whatever the query's column order.
    String json =
        spark()
            .sql(
                "SELECT to_json(attributes) FROM deidentified.cohort_members"
                    + " WHERE cohort_name = 'random_0' AND SOPInstanceUID = '1.2.826.9.10'")
            .first()
            .getString(0);
    List<String> keys = new ArrayList<>(cohorts.get("random_0").stream().sorted().toList());
    assertThat(positions(json, keys)).isSorted();

    // Unrelated writes to the table read: new rows and a changed value; pinned versions hold.
    Dataset<Row> image =
        spark().read().format("delta").load(layout.table(Zone.DEIDENTIFIED, IMAGE));
    image
        .limit(5)
        .withColumn(
            "SOPInstanceUID",
            org.apache.spark.sql.functions.concat(
                image.col("SOPInstanceUID"), org.apache.spark.sql.functions.lit(".9")))
        .write()
        .format("delta")
        .mode(SaveMode.Append)
        .save(layout.table(Zone.DEIDENTIFIED, IMAGE));
    DeltaTable.forPath(spark(), layout.table(Zone.DEIDENTIFIED, IMAGE))
        .updateExpr("a05 IS NOT NULL", Map.of("a05", "date_add(a05, 1)", "a00", "'changed'"));
    assertThat(spark().sql(query(List.of("a00"))).count()).isEqualTo(65);
    for (String name : cohorts.keySet()) {
      assertRerunIdentical(name);
    }

    // A JVM that did not create them (nothing cached, another Spark application).
    List<String> args = new ArrayList<>();
    args.add(layout.home());
    args.addAll(cohorts.keySet());
    KilledJvm.Finished child =
        KilledJvm.runToEnd(repoRoot(), tempDir, CohortRerunMain.class, args, 10);
    assertThat(child.exitCode()).as(child.log()).isZero();
    for (String name : cohorts.keySet()) {
      assertThat(child.log()).contains("rerun " + name + " identical=true");
    }
  }

  @Test
  void cohortsStoredByTheOldCodeStillRerunAndTamperingIsCaught() {
    List<String> attributes =
        IntStream.range(0, 20).mapToObj(CohortReproducibilityTest::attribute).toList();
    assertThat(create("legacy_20", attributes).status()).isEqualTo(JobStatus.SUCCEEDED);
    Cohorts cohorts = new Cohorts(spark(), layout);
    // What the old code stored: members rebuilt through external rows (attributes in a Scala
    // hash order), and a hash over to_json of that order.
    Dataset<Row> members = cohorts.members("legacy_20").cache();
    members.count();
    Dataset<Row> oldWay = spark().createDataFrame(members.rdd(), Cohorts.MEMBERS_SCHEMA);
    oldWay
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "cohort_name = 'legacy_20'")
        .save(cohorts.membersLocation());
    members.unpersist();
    String stored =
        cohorts.members("legacy_20").selectExpr("to_json(attributes)").first().getString(0);
    assertThat(positions(stored, attributes.stream().sorted().toList()))
        .as("the old way scrambles the key order (else this test proves nothing)")
        .isNotEqualTo(
            positions(stored, attributes.stream().sorted().toList()).stream().sorted().toList());
    String legacy = Cohorts.legacyHash(cohorts.members("legacy_20"));
    assertThat(Cohorts.isLegacyHash(legacy)).isTrue();
    DeltaTable.forPath(spark(), cohorts.cohortsLocation())
        .updateExpr("cohort_name = 'legacy_20'", Map.of("result_hash", "'" + legacy + "'"));

    CohortResult rerun = rerun("legacy_20");
    assertThat(rerun.identical()).as(rerun.summary()).isTrue();
    assertThat(rerun.count("legacy_hash")).isEqualTo(1);
    assertThat(rerun.summary()).contains("predates the key-order fix").contains("--replace");

    // A changed stored member is still caught, by the old hash and by the row comparison.
    DeltaTable.forPath(spark(), cohorts.membersLocation())
        .updateExpr(
            "cohort_name = 'legacy_20' AND SOPInstanceUID = '1.2.826.9.3'",
            Map.of(
                "attributes",
                "map_concat(map('a00', 'tampered'), map_filter(attributes, (k, v) -> k != 'a00'))"));
    CohortResult tampered = rerun("legacy_20");
    assertThat(tampered.identical()).isFalse();
    assertThat(tampered.status()).isEqualTo(JobStatus.FAILED);
    assertThat(tampered.count("stored_members_changed")).isEqualTo(1);
  }

  @Test
  void attributeColumnsWithTheSameNameAreRefusedWithAHint() {
    String sql =
        "SELECT i.eupi, i.StudyInstanceUID, i.a00, j.a00 FROM deidentified.image i"
            + " JOIN deidentified.image j USING (SOPInstanceUID)";
    assertThatThrownBy(
            () ->
                CohortCreateJob.of(
                        spark(),
                        config,
                        Map.of(CohortCreateJob.OPTION_NAME, "dup", CohortCreateJob.OPTION_SQL, sql))
                    .execute())
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("more than one column named 'a00'")
        .hasMessageContaining("AS");
  }

  static void assertRerunIdentical(String name) {
    CohortResult result = rerun(name);
    assertThat(result.identical()).as(name + "\n" + result.summary()).isTrue();
    assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(result.count("missing_rows") + result.count("extra_rows")).isZero();
    assertThat(result.count("legacy_hash")).isZero();
  }

  /** Where each key appears in a JSON object's text, in the order of {@code keys}. */
  static List<Integer> positions(String json, List<String> keys) {
    return keys.stream().map(k -> json.indexOf("\"" + k + "\"")).toList();
  }
}
