package org.imaginglakehouse.transform.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.testing.TestCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cohorts over small de-identified tables made here (not the promote job's). */
class CohortJobsTest extends SparkTestBase {
  static LakehouseConfig config;
  static ZoneLayout layout;

  static final String BRAIN_MR =
      "SELECT s.eupi, s.StudyInstanceUID, r.SeriesInstanceUID, r.BodyPartExamined AS part\n"
          + "FROM deidentified.study s JOIN deidentified.series r USING (StudyInstanceUID)\n"
          + "WHERE s.Modality = 'MR' AND r.BodyPartExamined IN ('BRAIN', 'HEAD')";

  @BeforeAll
  static void tables() {
    config = newHomeConfig("cohort-home");
    layout = ZoneLayout.from(config);
    spark()
        .sql(
            "SELECT * FROM VALUES ('E1','S1','MR'), ('E2','S2','MR'), ('E3','S3','CT'), ('E1','S4','MR')"
                + " AS t(eupi, StudyInstanceUID, Modality)")
        .write()
        .format("delta")
        .save(layout.table(Zone.DEIDENTIFIED, "study"));
    spark()
        .sql(
            "SELECT * FROM VALUES ('S1','S1.1','BRAIN'), ('S1','S1.2','BRAIN'), ('S2','S2.1','CHEST'),"
                + " ('S3','S3.1','HEAD'), ('S4','S4.1','HEAD') AS t(StudyInstanceUID, SeriesInstanceUID, BodyPartExamined)")
        .write()
        .format("delta")
        .save(layout.table(Zone.DEIDENTIFIED, "series"));
    spark()
        .sql("SELECT * FROM VALUES ('CHI1','S1') AS t(PatientID, StudyInstanceUID)")
        .write()
        .format("delta")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
    new ZoneCatalog(spark(), layout, ZoneCatalog.zonesOf(config)).registerAll();
  }

  private static CohortResult create(String name, String sql, String level) {
    return CohortCreateJob.of(
            spark(),
            config,
            Map.of(
                CohortCreateJob.OPTION_NAME, name,
                CohortCreateJob.OPTION_SQL, sql,
                CohortCreateJob.OPTION_LEVEL, level))
        .execute();
  }

  private static CohortResult rerun(String name) {
    return CohortRerunJob.of(spark(), config, Map.of(CohortRerunJob.OPTION_NAME, name)).execute();
  }

  @Test
  void createStoresMembersVersionsAndReproducesAfterTablesMoveOn() {
    CohortResult created = create("brain_mr", BRAIN_MR, "series");
    assertThat(created.status()).isEqualTo(JobStatus.SUCCEEDED);
    List<Row> members =
        spark()
            .sql(
                "SELECT eupi, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID, attributes['part']"
                    + " FROM deidentified.cohort_members WHERE cohort_name = 'brain_mr'"
                    + " ORDER BY SeriesInstanceUID")
            .collectAsList();
    assertThat(members).extracting(r -> r.getString(2)).containsExactly("S1.1", "S1.2", "S4.1");
    assertThat(members).extracting(r -> r.getString(0)).containsExactly("E1", "E1", "E1");
    assertThat(members.get(0).isNullAt(3)).isTrue();
    assertThat(members.get(2).getString(4)).isEqualTo("HEAD");
    assertThat(created.count("members")).isEqualTo(3);
    assertThat(created.count("patients")).isEqualTo(1);

    Cohorts.Definition d = new Cohorts(spark(), layout).require("brain_mr");
    assertThat(d.level()).isEqualTo(CohortLevel.SERIES);
    assertThat(d.tablesRead())
        .extracting(CohortSql.TableVersion::name, CohortSql.TableVersion::version)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("deidentified.series", 0L),
            org.assertj.core.groups.Tuple.tuple("deidentified.study", 0L));
    assertThat(d.pinnedSql())
        .contains("deidentified.study VERSION AS OF 0 s")
        .contains("deidentified.series VERSION AS OF 0 r");
    assertThat(d.createdBy()).isEqualTo(System.getProperty("user.name"));
    assertThat(d.resultHash()).isEqualTo(created.hash());

    // The tables move on: a new brain MR study and a changed body part.
    spark()
        .sql("SELECT * FROM VALUES ('E2','S5','MR') AS t(eupi, StudyInstanceUID, Modality)")
        .write()
        .format("delta")
        .mode(SaveMode.Append)
        .save(layout.table(Zone.DEIDENTIFIED, "study"));
    spark()
        .sql(
            "SELECT * FROM VALUES ('S5','S5.1','BRAIN') AS t(StudyInstanceUID, SeriesInstanceUID, BodyPartExamined)")
        .write()
        .format("delta")
        .mode(SaveMode.Append)
        .save(layout.table(Zone.DEIDENTIFIED, "series"));
    DeltaTable.forPath(spark(), layout.table(Zone.DEIDENTIFIED, "series"))
        .updateExpr("SeriesInstanceUID = 'S1.2'", Map.of("BodyPartExamined", "'KNEE'"));
    assertThat(spark().sql(BRAIN_MR).count()).isEqualTo(3); // S1.1, S4.1, S5.1 now

    CohortResult again = rerun("brain_mr");
    assertThat(again.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(again.identical()).isTrue();
    assertThat(again.hash()).isEqualTo(created.hash());
    assertThat(again.count("missing_rows")).isZero();
    assertThat(again.count("extra_rows")).isZero();
    assertThat(new Cohorts(spark(), layout).require("brain_mr").lastRerunIdentical()).isTrue();

    // A new cohort with the same SQL sees the new versions and the new answer.
    CohortResult now = create("brain_mr_now", BRAIN_MR, "");
    assertThat(now.count("members")).isEqualTo(3);
    assertThat(new Cohorts(spark(), layout).require("brain_mr_now").tablesRead())
        .extracting(CohortSql.TableVersion::version)
        .containsExactly(2L, 1L);
    assertThat(now.hash()).isNotEqualTo(created.hash());
  }

  @Test
  void rerunDetectsTamperedMembers() {
    create(
        "tamper",
        "SELECT eupi, StudyInstanceUID FROM deidentified.study WHERE Modality = 'CT'",
        "study");
    DeltaTable.forPath(spark(), new Cohorts(spark(), layout).membersLocation())
        .delete("cohort_name = 'tamper'");
    CohortResult result = rerun("tamper");
    assertThat(result.identical()).isFalse();
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.count("missing_rows")).isZero();
    assertThat(result.count("extra_rows")).isEqualTo(1);
  }

  @Test
  void cohortSqlMayReadOnlyTheDeidentifiedZone() {
    assertThatThrownBy(
            () ->
                create(
                    "leak",
                    "SELECT s.eupi, s.StudyInstanceUID FROM deidentified.study s"
                        + " WHERE s.StudyInstanceUID IN (SELECT StudyInstanceUID FROM identifiable.instances)",
                    ""))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("identifiable.instances")
        .hasMessageContaining("outside the deidentified zone");
    String path = layout.table(Zone.IDENTIFIABLE, "instances");
    assertThatThrownBy(
            () ->
                create(
                    "leak",
                    "SELECT PatientID AS eupi, StudyInstanceUID FROM delta.`" + path + "`",
                    ""))
        .hasMessageContaining("outside the deidentified zone");
    spark()
        .sql("SELECT 'E9' AS eupi, 'S9' AS StudyInstanceUID")
        .createOrReplaceTempView("typed_in");
    assertThatThrownBy(() -> create("leak", "SELECT * FROM typed_in", ""))
        .hasMessageContaining("views are not versioned");
    assertThatThrownBy(() -> create("leak", "DROP TABLE deidentified.study", ""))
        .hasMessageContaining("not a command");
    assertThat(spark().catalog().tableExists("deidentified", "study")).isTrue();
    assertThatThrownBy(() -> create("leak", "SELECT eupi FROM deidentified.study", "study"))
        .hasMessageContaining("StudyInstanceUID");
    assertThat(new Cohorts(spark(), layout).find("leak")).isEmpty();
  }

  @Test
  void cliCreateShowListRerun() {
    TestCli cli = new TestCli(config, spark());
    int code =
        cli.run(
            new CohortCommand(),
            "create",
            "--name",
            "cli_ct",
            "--sql",
            "WITH ct AS (SELECT * FROM deidentified.study WHERE Modality = 'CT')"
                + " SELECT eupi, StudyInstanceUID FROM ct",
            "--level",
            "study");
    assertThat(code).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("members").contains("member hash");
    assertThat(cli.run(new CohortCommand(), "create", "--name", "cli_ct", "--sql", "SELECT 1"))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("exists");
    assertThat(cli.run(new CohortCommand(), "show", "cli_ct")).isZero();
    assertThat(cli.stdout()).contains("deidentified.study @ version").contains("VERSION AS OF");
    assertThat(cli.run(new CohortCommand(), "list")).isZero();
    assertThat(cli.stdout()).contains("cli_ct");
    assertThat(cli.run(new CohortCommand(), "rerun", "cli_ct")).isZero();
    assertThat(cli.stdout()).contains("identical: yes");
    assertThat(cli.run(new CohortCommand(), "show", "no_such_cohort")).isEqualTo(1);
  }
}
