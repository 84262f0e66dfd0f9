package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plan check behind cohorts and {@code lakehouse sql}: what a statement may read. */
class ZoneReadsTest extends SparkTestBase {
  private static ZoneLayout layout;
  private static String study;
  private static String instances;

  @BeforeAll
  static void zones() {
    layout = ZoneLayout.from(newHomeConfig("zone-reads"));
    study = layout.table(Zone.DEIDENTIFIED, "study");
    instances = layout.table(Zone.IDENTIFIABLE, "instances");
    spark().sql("SELECT 'e1' AS eupi").write().format("delta").save(study);
    spark().sql("SELECT 'e2' AS eupi").write().format("delta").mode("append").save(study);
    spark().sql("SELECT 'Jones^Ann' AS PatientName").write().format("delta").save(instances);
    spark().sql("SELECT 1 AS x").write().json(layout.root(Zone.DEIDENTIFIED) + "/raw_json");
  }

  private static ZoneReads.Policy policy(boolean views, Zone... zones) {
    Map<String, String> roots = new LinkedHashMap<>();
    for (Zone zone : zones) {
      roots.put(zone.id(), layout.root(zone));
    }
    return new ZoneReads.Policy("The query", roots, "Read something else.", views);
  }

  private static List<ZoneReads.TableRead> reads(String sql, ZoneReads.Policy policy)
      throws Exception {
    LogicalPlan parsed = spark().sessionState().sqlParser().parsePlan(sql);
    return ZoneReads.check(spark(), ZoneReads.analyzeQuery(spark(), parsed, policy), policy);
  }

  @Test
  void deltaTablesOfTheAllowedZonesAreReadWithTheirVersions() throws Exception {
    List<ZoneReads.TableRead> read =
        reads(
            "SELECT a.eupi FROM delta.`"
                + study
                + "` a JOIN delta.`"
                + study
                + "` VERSION AS OF 0 b ON a.eupi = b.eupi"
                + " WHERE a.eupi IN (SELECT concat('e', '1')) AND EXISTS (SELECT * FROM range(2))",
            policy(false, Zone.DEIDENTIFIED));
    assertThat(read)
        .extracting(ZoneReads.TableRead::version, ZoneReads.TableRead::timeTravel)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(1L, false),
            org.assertj.core.groups.Tuple.tuple(0L, true));
    assertThat(read).allSatisfy(t -> assertThat(t.location()).endsWith("/deidentified/study"));

    assertThat(
            reads(
                "SELECT * FROM delta.`" + instances + "`",
                policy(false, Zone.DEIDENTIFIED, Zone.IDENTIFIABLE)))
        .extracting(ZoneReads.TableRead::name)
        .containsExactly("delta.`" + ZoneReads.qualify(spark(), instances) + "`");
  }

  @Test
  void otherZonesFilesViewsAndCommandsAreRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                reads("SELECT * FROM delta.`" + instances + "`", policy(false, Zone.DEIDENTIFIED)))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("outside the deidentified zone (file:")
        .hasMessageContaining("Read something else.");
    assertThatThrownBy(
            () ->
                reads(
                    "WITH x AS (SELECT * FROM delta.`" + instances + "`) SELECT * FROM x",
                    policy(false, Zone.DEIDENTIFIED, Zone.PROJECTS)))
        .hasMessageContaining("outside the zones deidentified (file:");
    assertThatThrownBy(
            () ->
                reads(
                    "SELECT * FROM json.`" + layout.root(Zone.DEIDENTIFIED) + "/raw_json`",
                    policy(false, Zone.DEIDENTIFIED)))
        .hasMessageContaining("which is not a Delta table of the deidentified zone");

    spark().read().format("delta").load(study).createOrReplaceTempView("zone_reads_view");
    assertThatThrownBy(
            () -> reads("SELECT * FROM zone_reads_view", policy(false, Zone.DEIDENTIFIED)))
        .hasMessageContaining("views are not versioned");
    spark()
        .read()
        .format("delta")
        .load(instances)
        .createOrReplaceTempView("zone_reads_identifiable");
    assertThatThrownBy(
            () -> reads("SELECT * FROM zone_reads_identifiable", policy(true, Zone.DEIDENTIFIED)))
        .hasMessageContaining("outside the deidentified zone");
    assertThatThrownBy(() -> reads("DROP TABLE x", policy(true, Zone.DEIDENTIFIED)))
        .hasMessageContaining("not a command");
  }
}
