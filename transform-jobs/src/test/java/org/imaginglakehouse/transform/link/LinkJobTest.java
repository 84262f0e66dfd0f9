package org.imaginglakehouse.transform.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.PostgresServer;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LinkJobTest extends SparkTestBase {
  static LakehouseConfig config;
  static ZoneLayout layout;
  static Path prescribing;

  @BeforeAll
  static void setUp() throws IOException {
    Path dir = Files.createDirectories(tempDir.resolve("link-sources"));
    Path mapping = dir.resolve("chi_eupi.csv");
    Files.writeString(mapping, "chi,eupi\n0101011234,EUPI-A\n0202025678,EUPI-B\n");
    prescribing = dir.resolve("prescribing.csv");
    Files.writeString(
        prescribing,
        "item_id,chi,drug,daily_dose_mg\n"
            + "1,0101011234,gabapentin,900\n"
            + "2,020202 5678,gabapentin,1200\n"
            + "3,0303039999,amoxicillin,1500\n"
            + "4,,paracetamol,4000\n");
    LakehouseConfig home = newHomeConfig("link-home");
    config = home.with("pseudonym.source", "csv").with("pseudonym.location", mapping.toString());
    layout = ZoneLayout.from(config);
  }

  static LinkJob.Result link(Map<String, String> options) {
    return LinkJob.of(spark(), config, options, Map.of("LAKEHOUSE_LINK_JDBC_PASSWORD", password))
        .execute();
  }

  static String password = "";
  static PostgresServer postgres;

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void csvIsLinkedByEupiUnmappedRowsStayIdentifiableAndRerunsAreIdempotent() throws IOException {
    LinkJob.Result first =
        link(
            Map.of(
                LinkJob.OPTION_DATASET,
                "prescribing",
                LinkJob.OPTION_SOURCE,
                prescribing.toString()));
    assertThat(first.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(first.sourceRows()).isEqualTo(4);
    assertThat(first.linkedRows()).isEqualTo(2);
    assertThat(first.unmappedRows()).isEqualTo(2);
    String target = layout.table(Zone.DEIDENTIFIED, "prescribing");
    List<Row> rows = spark().read().format("delta").load(target).orderBy("item_id").collectAsList();
    assertThat(rows).extracting(r -> r.getString(0)).containsExactly("EUPI-A", "EUPI-B");
    assertThat(List.of(spark().read().format("delta").load(target).columns()))
        .containsExactly("eupi", "item_id", "drug", "daily_dose_mg");
    assertThat(rows.get(1).<Integer>getAs("daily_dose_mg")).isEqualTo(1200);
    assertThat(rows.toString()).doesNotContain("0101011234").doesNotContain("5678");
    List<Row> unmapped =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, LinkJob.UNMAPPED))
            .orderBy("reason")
            .collectAsList();
    assertThat(unmapped)
        .extracting(r -> r.<String>getAs("reason"))
        .containsExactly("missing_patient_id", "unmapped_patient");
    assertThat(unmapped.get(1).<String>getAs("patient_id")).isEqualTo("0303039999");
    assertThat(unmapped.get(1).<String>getAs("source_row")).contains("amoxicillin");
    // The console names the unmapped rows by reason and row number, never by identifier.
    String nl = System.lineSeparator();
    assertThat(first.summary())
        .contains(
            "  rejections: 2 new this run (exit code 3), 2 on record" + nl,
            "    unmapped_patient: source row 3" + nl + "    missing_patient_id: source row 4" + nl,
            "  list this run's: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.link_unmapped WHERE dataset = 'prescribing' AND run_id = '"
                + first.runId()
                + "'\"")
        .doesNotContain("0303039999")
        .doesNotContain("amoxicillin");

    long version = DeltaTable.forPath(spark(), target).history(1).first().<Long>getAs("version");
    LinkJob.Result again =
        link(
            Map.of(
                LinkJob.OPTION_DATASET,
                "prescribing",
                LinkJob.OPTION_SOURCE,
                prescribing.toString()));
    assertThat(again.unchanged()).isTrue();
    // The same unmapped rows again: on record from the first run, so not new and exit code 0.
    assertThat(again.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(again.summary())
        .contains(
            "  rejections: none new this run (exit code 0), 2 on record",
            "  list them: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.link_unmapped WHERE dataset = 'prescribing'\"");
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, LinkJob.UNMAPPED))
                .where("run_id = '" + first.runId() + "'")
                .count())
        .isEqualTo(2);
    assertThat(DeltaTable.forPath(spark(), target).history(1).first().<Long>getAs("version"))
        .isEqualTo(version);

    Files.writeString(prescribing, Files.readString(prescribing) + "5,0101011234,gabapentin,300\n");
    LinkJob.Result grown =
        link(
            Map.of(
                LinkJob.OPTION_DATASET,
                "prescribing",
                LinkJob.OPTION_SOURCE,
                prescribing.toString()));
    assertThat(grown.unchanged()).isFalse();
    assertThat(grown.linkedRows()).isEqualTo(3);
    assertThat(spark().read().format("delta").load(target).count()).isEqualTo(3);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, LinkJob.UNMAPPED))
                .count())
        .isEqualTo(2);
    assertThat(grown.status()).isEqualTo(JobStatus.SUCCEEDED);

    // One more unmapped row: only it is new.
    Files.writeString(prescribing, Files.readString(prescribing) + "6,0404040000,aspirin,75\n");
    LinkJob.Result bad =
        link(
            Map.of(
                LinkJob.OPTION_DATASET,
                "prescribing",
                LinkJob.OPTION_SOURCE,
                prescribing.toString()));
    assertThat(bad.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(bad.summary())
        .contains(
            "  rejections: 1 new this run (exit code 3), 3 on record" + nl,
            "    unmapped_patient: source row 6" + nl,
            "  list all on record: ")
        .doesNotContain("0404040000");
  }

  @Test
  void jdbcSourceFromARealPostgresServerWithMergeOnKey() {
    postgres = PostgresServer.start();
    password = postgres.password();
    postgres.execute(
        "CREATE TABLE smr06 (record_id int PRIMARY KEY, chi text, icd10 text, diagnosis_date date)",
        "INSERT INTO smr06 VALUES (10, '0101011234', 'C71.9', '2019-03-01'),"
            + " (11, '0202025678', 'C50.9', '2020-07-15'), (12, '0909099999', 'C71.1', '2021-01-01')");
    Map<String, String> options =
        Map.of(
            LinkJob.OPTION_DATASET, "smr06",
            LinkJob.OPTION_SOURCE, postgres.jdbcUrl(),
            LinkJob.OPTION_TABLE, "public.smr06",
            LinkJob.OPTION_ID_COLUMN, "CHI",
            LinkJob.OPTION_JDBC_USER, postgres.user(),
            LinkJob.OPTION_KEY, "record_id");
    LinkJob.Result first = link(options);
    assertThat(first.linkedRows()).isEqualTo(2);
    assertThat(first.unmappedRows()).isEqualTo(1);
    postgres.execute(
        "UPDATE smr06 SET icd10 = 'C71.0' WHERE record_id = 10",
        "INSERT INTO smr06 VALUES (13, '0202025678', 'C71.2', '2022-02-02')");
    LinkJob.Result second = link(options);
    assertThat(second.linkedRows()).isEqualTo(3);
    List<Row> rows =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.DEIDENTIFIED, "smr06"))
            .orderBy("record_id")
            .collectAsList();
    assertThat(rows).extracting(r -> r.<Integer>getAs("record_id")).containsExactly(10, 11, 13);
    assertThat(rows.get(0).<String>getAs("icd10")).isEqualTo("C71.0");
    assertThat(rows.get(0).<String>getAs("eupi")).isEqualTo("EUPI-A");
    assertThat(rows.get(0).<java.sql.Date>getAs("diagnosis_date").toString())
        .isEqualTo("2019-03-01");
    assertThatThrownBy(
            () ->
                link(
                    Map.of(
                        LinkJob.OPTION_DATASET, "smr06",
                        LinkJob.OPTION_SOURCE, postgres.jdbcUrl(),
                        LinkJob.OPTION_TABLE, "public.smr06",
                        LinkJob.OPTION_ID_COLUMN, "nhs_number",
                        LinkJob.OPTION_JDBC_USER, postgres.user())))
        .hasMessageContaining("no column 'nhs_number'");
  }
}
