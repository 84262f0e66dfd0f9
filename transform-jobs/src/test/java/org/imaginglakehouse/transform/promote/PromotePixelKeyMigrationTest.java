package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.imaginglakehouse.transform.promote.PromotePixelColumnsTest.burnedInUltrasound;
import static org.imaginglakehouse.transform.promote.PromotePixelColumnsTest.images;
import static org.imaginglakehouse.transform.promote.PromotePixelColumnsTest.promote;
import static org.imaginglakehouse.transform.promote.PromotePixelColumnsTest.version;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.features.FeaturesJob;
import org.imaginglakehouse.transform.features.FeaturesTables;
import org.imaginglakehouse.transform.ocr.OcrJob;
import org.imaginglakehouse.transform.ocr.OcrTables;
import org.imaginglakehouse.transform.pixel.KeyColumns;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.imaginglakehouse.transform.testing.InstancesFixture;
import org.imaginglakehouse.transform.testing.InstancesFixture.Instance;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;

/**
 * Pixel tables written before their key columns were named by DICOM keyword ({@code
 * sop_instance_uid} ...): promote still joins them, the owning job's next run renames the keys with
 * every row unchanged and processes nothing again, a further run commits nothing, and a table
 * holding a key under both names is refused.
 */
class PromotePixelKeyMigrationTest extends SparkTestBase {
  private static final List<String> TABLES =
      List.of(
          FeaturesTables.INSTANCE_TABLE,
          FeaturesTables.SERIES_TABLE,
          OcrTables.TEXT_TABLE,
          OcrTables.FLAGS_TABLE);
  private static final List<String> PIXEL_COLUMNS =
      List.of("ocr_status", "burned_in_text", "pixel_decode_status", "pixel_mean");

  @Test
  void legacyTablesArePromotedThenMigratedByTheirJobs() throws Exception {
    LakehouseConfig base = newHomeConfig("keys");
    Path mapping = tempDir.resolve("keys-chi_eupi.csv");
    Files.writeString(mapping, "chi,eupi\n0101701234,E1\n");
    LakehouseConfig config =
        base.with(PseudonymConfig.SOURCE, "csv").with(PseudonymConfig.LOCATION, mapping.toString());
    ZoneLayout layout = ZoneLayout.from(config);
    Path files = Files.createDirectories(tempDir.resolve("keys-files"));
    Instance us = burnedInUltrasound(files, "1.8.1");
    Instance ct =
        new Instance(
            TestDicom.write(
                files.resolve("ct.dcm"), "1.8.2.1.1", TestDicom.square(64, List.of(), 3)));
    ct.study = "1.8.2";
    ct.series = "1.8.2.1";
    InstancesFixture.write(
        spark(), layout.table(Zone.IDENTIFIABLE, "instances"), List.of(us, ct), "overwrite");
    features(config).execute();
    ocr(config).execute();
    Map<String, List<String>> current = new LinkedHashMap<>();
    Map<String, StructType> schemas = new LinkedHashMap<>();
    for (String t : TABLES) {
      current.put(t, rows(table(layout, t)));
      schemas.put(t, table(layout, t).schema());
      assertThat(schemas.get(t).fieldNames()).as(t).isEqualTo(schema(t).fieldNames());
    }
    assertThat(current.get(OcrTables.TEXT_TABLE)).isNotEmpty();

    // The layout the pixel jobs wrote until 2026-12, on the same rows.
    for (String t : TABLES) {
      Dataset<Row> legacy = table(layout, t);
      for (Map.Entry<String, String> e : KeyColumns.LEGACY.entrySet()) {
        legacy = legacy.withColumnRenamed(e.getValue(), e.getKey());
      }
      legacy
          .localCheckpoint()
          .write()
          .format("delta")
          .mode("overwrite")
          .option("overwriteSchema", "true")
          .save(path(layout, t));
      assertThat(table(layout, t).columns())
          .containsAnyElementsOf(KeyColumns.LEGACY.keySet())
          .doesNotContainAnyElementsOf(KeyColumns.LEGACY.values());
    }

    // Promote joins the legacy tables as they are.
    PromoteJob.Result promoted = promote(config, Map.of());
    assertThat(promoted.promoted()).isEqualTo(2);
    Map<String, Row> images = images(layout);
    assertThat(images.get("1.8.1.1.1").<String>getAs("ocr_status")).isEqualTo("text");
    assertThat(images.get("1.8.1.1.1").<Boolean>getAs("burned_in_text")).isTrue();
    assertThat(images.get("1.8.2.1.1").<String>getAs("ocr_status")).isEqualTo("skipped_by_policy");
    assertThat(images.get("1.8.2.1.1").<String>getAs("pixel_decode_status")).isEqualTo("decoded");
    Map<String, List<Object>> pixelValues = pixelValues(images);
    long imageVersion = version(path(layout, "image"));

    // The next run of each job renames the keys: same rows, nothing processed again.
    FeaturesJob.Result f = features(config).execute();
    assertThat(f.count("tables_migrated")).isEqualTo(2);
    assertThat(f.count("pending")).isZero();
    OcrJob.Result o = ocr(config).execute();
    assertThat(o.count("tables_migrated")).isEqualTo(2);
    assertThat(o.count("pending")).isZero();
    Map<String, Long> versions = new LinkedHashMap<>();
    for (String t : TABLES) {
      Dataset<Row> migrated = table(layout, t);
      // The schema a new table gets: names, order, types and the promotable metadata.
      assertThat(migrated.schema()).as(t).isEqualTo(schemas.get(t));
      assertThat(rows(migrated)).as(t).isEqualTo(current.get(t));
      assertThat(
              DeltaTable.forPath(spark(), path(layout, t))
                  .history(1)
                  .select("userMetadata")
                  .first()
                  .getString(0))
          .startsWith("key columns renamed to DICOM keywords");
      versions.put(t, version(path(layout, t)));
    }

    // Promote sees new table versions with the same values: no inventory commit.
    PromoteJob.Result after = promote(config, Map.of());
    assertThat(after.count("studies_affected")).isZero();
    assertThat(version(path(layout, "image"))).isEqualTo(imageVersion);
    assertThat(pixelValues(images(layout))).isEqualTo(pixelValues);

    // Idempotent: a further run of each job migrates and commits nothing.
    assertThat(features(config).execute().count("tables_migrated")).isZero();
    assertThat(ocr(config).execute().count("tables_migrated")).isZero();
    for (String t : TABLES) {
      assertThat(version(path(layout, t))).as(t).isEqualTo(versions.get(t));
    }

    // A key under both names cannot be migrated: refused, with the command that rebuilds it.
    spark()
        .sql(
            "ALTER TABLE delta.`"
                + path(layout, FeaturesTables.INSTANCE_TABLE)
                + "` ADD COLUMNS (sop_instance_uid STRING)");
    assertThatThrownBy(() -> features(config).execute())
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("identifiable.pixel_features has both sop_instance_uid and")
        .hasMessageContaining("`lakehouse features`");
  }

  private static StructType schema(String table) {
    return switch (table) {
      case FeaturesTables.INSTANCE_TABLE -> FeaturesTables.INSTANCE_SCHEMA;
      case FeaturesTables.SERIES_TABLE -> FeaturesTables.SERIES_SCHEMA;
      case OcrTables.TEXT_TABLE -> OcrTables.TEXT_SCHEMA;
      default -> OcrTables.FLAGS_SCHEMA;
    };
  }

  /** Every row as text, in a stable order (the keys are the first columns). */
  private static List<String> rows(Dataset<Row> table) {
    return table.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private static Map<String, List<Object>> pixelValues(Map<String, Row> images) {
    return images.entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> PIXEL_COLUMNS.stream().map(c -> (Object) e.getValue().getAs(c)).toList()));
  }

  private static Dataset<Row> table(ZoneLayout layout, String table) {
    return spark().read().format("delta").load(path(layout, table));
  }

  private static String path(ZoneLayout layout, String table) {
    return layout.table(table.equals("image") ? Zone.DEIDENTIFIED : Zone.IDENTIFIABLE, table);
  }

  private static FeaturesJob features(LakehouseConfig config) {
    return new FeaturesJob(spark(), config, JobOptions.of(config, FeaturesJob.NAME, Map.of()));
  }

  private static OcrJob ocr(LakehouseConfig config) {
    return new OcrJob(spark(), config, JobOptions.of(config, OcrJob.NAME, Map.of()));
  }
}
