package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.Test;

class ZoneCatalogTest extends SparkTestBase {

  private static void createTable(String location, String sql) {
    spark().sql(sql).write().format("delta").mode("overwrite").save(location);
  }

  @Test
  void registersEveryZoneTableAndForgetsThoseOfAnotherHome() throws Exception {
    LakehouseConfig first = newHomeConfig("first");
    ZoneLayout layout = ZoneLayout.from(first);
    createTable(layout.table(Zone.IDENTIFIABLE, "instances"), "SELECT 'uid1' AS SOPInstanceUID");
    createTable(
        layout.table(Zone.DEIDENTIFIED, "study"), "SELECT 'e1' AS eupi UNION ALL SELECT 'e2'");
    createTable(layout.projectTable("glioma", "image"), "SELECT 1 AS id");
    // Not a Delta table: ignored.
    Files.createDirectories(Path.of(layout.root(Zone.DEIDENTIFIED), "scratch"));
    // A table another run is creating (its log directory made, version 0 not yet written): not
    // registered yet (registering it would fail the run that only lists the zone).
    Files.createDirectories(Path.of(layout.table(Zone.DEIDENTIFIED, "series"), "_delta_log"));

    List<ZoneCatalog.TableRef> tables =
        new ZoneCatalog(spark(), layout, EnumSet.allOf(Zone.class)).registerAll();
    assertThat(tables)
        .extracting(ZoneCatalog.TableRef::qualifiedName)
        .containsExactly("deidentified.study", "identifiable.instances", "project_glioma.image");
    assertThat(spark().sql("SELECT count(*) FROM deidentified.study").first().getLong(0))
        .isEqualTo(2);
    // Once its first commit is there, the next registration finds it.
    createTable(layout.table(Zone.DEIDENTIFIED, "series"), "SELECT 's1' AS SeriesInstanceUID");
    assertThat(new ZoneCatalog(spark(), layout, EnumSet.allOf(Zone.class)).registerAll())
        .extracting(ZoneCatalog.TableRef::qualifiedName)
        .contains("deidentified.series");

    LakehouseConfig second = newHomeConfig("second");
    ZoneLayout other = ZoneLayout.from(second);
    createTable(other.table(Zone.DEIDENTIFIED, "series"), "SELECT 's' AS x");
    List<ZoneCatalog.TableRef> now =
        new ZoneCatalog(spark(), other, EnumSet.allOf(Zone.class)).registerAll();
    assertThat(now)
        .extracting(ZoneCatalog.TableRef::qualifiedName)
        .containsExactly("deidentified.series");
    assertThat(spark().catalog().tableExists("deidentified", "study")).isFalse();
    // Unregistering never deletes data.
    assertThat(Files.exists(Path.of(layout.table(Zone.DEIDENTIFIED, "study"), "_delta_log")))
        .isTrue();
  }

  @Test
  void analystSessionsSeeOnlyTheDeidentifiedZone() {
    LakehouseConfig config = newHomeConfig("analyst");
    ZoneLayout layout = ZoneLayout.from(config);
    createTable(layout.table(Zone.IDENTIFIABLE, "instances"), "SELECT 'Jones^Ann' AS PatientName");
    createTable(layout.table(Zone.DEIDENTIFIED, "image"), "SELECT 'e1' AS eupi");

    LakehouseConfig analyst = config.with("catalog.zones", "deidentified");
    List<ZoneCatalog.TableRef> tables =
        new ZoneCatalog(spark(), layout, ZoneCatalog.zonesOf(analyst)).registerAll();
    assertThat(tables)
        .extracting(ZoneCatalog.TableRef::qualifiedName)
        .containsExactly("deidentified.image");
    assertThatThrownBy(() -> spark().sql("SELECT * FROM identifiable.instances").collect())
        .hasMessageContaining("TABLE_OR_VIEW_NOT_FOUND");
  }
}
