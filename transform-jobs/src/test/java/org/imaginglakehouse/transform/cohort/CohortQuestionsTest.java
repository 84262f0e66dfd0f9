package org.imaginglakehouse.transform.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.testing.PostgresServer;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.link.LinkJob;
import org.imaginglakehouse.transform.promote.PromoteJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paper's example questions of docs/cohorts.md, executed as written there, against a synthetic
 * PACS and checked against the generator's ground truth.
 *
 * <p>Pipeline, every step the real job: {@code synth} → {@code ingest} → {@code promote} (EUPI
 * mapping from the generator's CSV) → {@code link} (prescribing from the CSV, SMR06 from a real
 * PostgreSQL server loaded with the CSV) → cohort create/rerun.
 */
class CohortQuestionsTest extends SparkTestBase {
  static GroundTruth truth;
  static LakehouseConfig config;
  static ZoneLayout layout;
  static PostgresServer postgres;

  @BeforeAll
  static void pipeline() throws Exception {
    Path out = tempDir.resolve("pacs");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(60)
            .seed(7)
            .imagesScale(0.1)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .parquet(false)
            .build());
    truth = GroundTruth.read(out);
    Path linked = truth.linkedDir();
    config =
        newHomeConfig("questions-home")
            .with("pseudonym.source", "csv")
            .with("pseudonym.location", linked.resolve("chi_eupi.csv").toString());
    layout = ZoneLayout.from(config);

    LinkJob.Result prescribing =
        LinkJob.of(
                spark(),
                config,
                Map.of(
                    LinkJob.OPTION_DATASET,
                    "prescribing",
                    LinkJob.OPTION_SOURCE,
                    linked.resolve("prescribing.csv").toString()))
            .execute();
    assertThat(prescribing.linkedRows()).isPositive();

    postgres = PostgresServer.start();
    Properties properties = new Properties();
    properties.setProperty("user", postgres.user());
    properties.setProperty("password", postgres.password());
    // CHIs start with the day of birth: keep them as text (a number would lose the leading 0).
    spark()
        .read()
        .option("header", "true")
        .schema(smr06Schema(linked.resolve("smr06.csv")))
        .csv(linked.resolve("smr06.csv").toString())
        .write()
        .jdbc(postgres.jdbcUrl(), "public.smr06", properties);
    LinkJob.Result smr06 =
        LinkJob.of(
                spark(),
                config,
                Map.of(
                    LinkJob.OPTION_DATASET,
                    "smr06",
                    LinkJob.OPTION_SOURCE,
                    postgres.jdbcUrl(),
                    LinkJob.OPTION_TABLE,
                    "public.smr06",
                    LinkJob.OPTION_JDBC_USER,
                    postgres.user()),
                Map.of("LAKEHOUSE_LINK_JDBC_PASSWORD", postgres.password()))
            .execute();
    assertThat(smr06.linkedRows()).isPositive();

    // The real inventory: ingest the synthetic PACS, promote it with the same EUPI mapping.
    new IngestJob(
            spark(), config, IngestJob.options(config, truth.dicomRoot().toString(), Map.of()))
        .execute();
    PromoteJob.Result promoted =
        new PromoteJob(spark(), config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
            .execute();
    assertThat(promoted.promoted()).isPositive();
    new ZoneCatalog(spark(), layout, ZoneCatalog.zonesOf(config)).registerAll();
  }

  /** SMR06 CSV schema with every column as inferred except chi, kept as text. */
  static StructType smr06Schema(Path csv) {
    StructType inferred =
        spark()
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv(csv.toString())
            .schema();
    StructType schema = new StructType();
    for (var f : inferred.fields()) {
      schema = schema.add(f.name(), f.name().equals("chi") ? DataTypes.StringType : f.dataType());
    }
    return schema;
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  /** The SQL block following {@code <!-- cohort:name -->} in docs/cohorts.md. */
  static String documentedSql(String name) throws Exception {
    String doc = Files.readString(repoRoot().resolve("docs/cohorts.md"));
    Matcher m =
        Pattern.compile(
                "<!-- cohort:" + Pattern.quote(name) + " -->\\s*```sql\\n(.*?)```", Pattern.DOTALL)
            .matcher(doc);
    assertThat(m.find()).as("docs/cohorts.md has a cohort:" + name + " SQL block").isTrue();
    return m.group(1);
  }

  private static Set<String> eupisOf(List<String> chis) {
    Map<String, String> byChi = new LinkedHashMap<>();
    truth.patients().forEach(p -> byChi.put(p.chi(), p.eupi()));
    return chis.stream().map(byChi::get).collect(Collectors.toSet());
  }

  private static void check(String cohortName, String expectedName) throws Exception {
    check(cohortName, expectedName, documentedSql(expectedName));
  }

  private static void check(String cohortName, String expectedName, String sql) throws Exception {
    GroundTruth.Cohort expected = truth.expected().cohort(expectedName);
    assertThat(expected.linkableStudyInstanceUids())
        .as("the synthetic archive must contain this cohort for the test to mean anything")
        .isNotEmpty();
    CohortResult created =
        CohortCreateJob.of(
                spark(),
                config,
                Map.of(
                    CohortCreateJob.OPTION_NAME,
                    cohortName,
                    CohortCreateJob.OPTION_SQL,
                    sql,
                    CohortCreateJob.OPTION_LEVEL,
                    "study"))
            .execute();
    assertThat(created.status()).isEqualTo(JobStatus.SUCCEEDED);
    List<Row> members =
        new Cohorts(spark(), layout)
            .members(cohortName)
            .select("eupi", "StudyInstanceUID")
            .collectAsList();
    Set<String> studies = new HashSet<>();
    Set<String> eupis = new HashSet<>();
    for (Row r : members) {
      eupis.add(r.getString(0));
      studies.add(r.getString(1));
    }
    assertThat(studies).containsExactlyInAnyOrderElementsOf(expected.linkableStudyInstanceUids());
    assertThat(eupis).isEqualTo(eupisOf(expected.linkableChis()));
  }

  @Test
  void gabapentinBrainMriWithDosageAndAge() throws Exception {
    check("q_gabapentin_brain_mr", "gabapentin_brain_mr");
    Row one =
        spark()
            .sql(
                "SELECT attributes FROM deidentified.cohort_members"
                    + " WHERE cohort_name = 'q_gabapentin_brain_mr' LIMIT 1")
            .first();
    Map<String, String> attributes = one.getJavaMap(0);
    assertThat(attributes).containsKeys("max_daily_dose_mg", "age_at_scan", "doses");
    assertThat(attributes.get("max_daily_dose_mg")).isNotBlank();
  }

  @Test
  void glioblastomaHeadBrainMriAndRerunAfterTheRegistryMovesOn() throws Exception {
    check("q_glioblastoma", "glioblastoma");
    // The documented variant: only the scans taken before the diagnosis.
    check(
        "q_glioblastoma_before_diagnosis",
        "glioblastoma_brain_mr_before_diagnosis",
        documentedSql("glioblastoma") + "  AND st.StudyDate < g.diagnosis_date\n");
    // The registry moves on: every imaged patient gets a glioblastoma record.
    String smr06 = layout.table(Zone.DEIDENTIFIED, "smr06");
    Dataset<Row> current = spark().read().format("delta").load(smr06);
    spark()
        .sql("SELECT DISTINCT eupi FROM deidentified.study")
        .crossJoin(current.drop("eupi").limit(1))
        .withColumn("icd10", functions.lit("C71.9"))
        .withColumn("morphology", functions.lit("9440/3"))
        .select(
            current.columns()[0],
            java.util.Arrays.copyOfRange(current.columns(), 1, current.columns().length))
        .write()
        .format("delta")
        .mode("append")
        .save(smr06);
    assertThat(
            spark()
                .sql(documentedSql("glioblastoma"))
                .select("StudyInstanceUID")
                .distinct()
                .count())
        .isGreaterThan(truth.expected().cohort("glioblastoma").linkableStudyInstanceUids().size());
    CohortResult rerun =
        CohortRerunJob.of(spark(), config, Map.of(CohortRerunJob.OPTION_NAME, "q_glioblastoma"))
            .execute();
    assertThat(rerun.identical()).isTrue();
    assertThat(rerun.status()).isEqualTo(JobStatus.SUCCEEDED);
  }
}
