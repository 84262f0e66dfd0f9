package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Promote end to end on a hand-built instances table (contract columns plus header arrays, no DICOM
 * files at all — which also proves that promote never reads files). The tests run in order on one
 * lakehouse: first promotion, leak scan, no-op re-run, mapping change, new instance, template
 * change, refused template.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PromoteJobTest extends SparkTestBase {
  static final String CT = "1.2.840.10008.5.1.4.1.1.2";
  static final String MR = "1.2.840.10008.5.1.4.1.1.4";
  static final String US = "1.2.840.10008.5.1.4.1.1.6.1";

  static LakehouseConfig config;
  static ZoneLayout layout;
  static Path mapping;

  static Instances.Builder base(
      String chi, String name, String birth, String study, String series, String sop) {
    return Instances.instance()
        .set("SpecificCharacterSet", "ISO_IR 100")
        .set("PatientName", name)
        .set("PatientID", chi)
        .set("PatientBirthDate", birth)
        .set("PatientSex", "F")
        .set("PatientAddress", "12 Burnside Crescent, Kirkcaldy KY1 1AA")
        .set("StudyInstanceUID", study)
        .set("SeriesInstanceUID", series)
        .set("SOPInstanceUID", sop)
        .set("StudyDate", "20200115")
        .set("StudyTime", "093000.5")
        .set("AccessionNumber", "ACC" + study.substring(study.length() - 3))
        .set("InstitutionName", "Royal Infirmary of Edinburgh")
        .set("Rows", 64)
        .set("Columns", 64)
        .set("BitsStored", 12);
  }

  static List<Row> fixture() {
    List<Row> rows = new ArrayList<>();
    // Patient 1: one study with a CT series (2 original + 1 derived image) and an MR series.
    for (int i = 1; i <= 3; i++) {
      rows.add(
          base(
                  "0101501234",
                  "MACDONALD^Fiona^Jane",
                  "19500101",
                  "1.2.3.1",
                  "1.2.3.1.1",
                  "1.2.3.1.1." + i)
              .set("Modality", "CT")
              .set("SOPClassUID", CT)
              .set("PatientAge", "070Y")
              .set("StudyDescription", "CT  HAED +C")
              .set("SeriesDescription", "Head 5.0 B30f")
              .set("BodyPartExamined", "brian")
              .set("SeriesNumber", 2)
              .set("InstanceNumber", i)
              .set("ImageType", i == 3 ? "DERIVED\\SECONDARY\\MPR" : "ORIGINAL\\PRIMARY\\AXIAL")
              .set("KVP", i == 2 ? "abc" : "120")
              .set("SliceThickness", "5.0")
              .set("ImagePositionPatient", "-125\\-125.5\\" + (10 * i))
              .set("AcquisitionTime", "0930")
              .set("FocalSpots", "1.2")
              .set(
                  "ProcedureCodeSequence",
                  List.of(Map.of("CodeValue", "CTHEAD", "CodingSchemeDesignator", "LOCAL")))
              .row());
    }
    rows.add(
        base(
                "0101501234",
                "MACDONALD^Fiona^Jane",
                "19500101",
                "1.2.3.1",
                "1.2.3.1.2",
                "1.2.3.1.2.1")
            .set("Modality", "MR")
            .set("SOPClassUID", MR)
            .set("PatientAge", "070Y")
            .set("StudyDescription", "CT  HAED +C")
            .set("ImageType", "ORIGINAL\\PRIMARY\\M\\ND")
            .set("EchoTime", "4.5")
            .set("MagneticFieldStrength", "3")
            .row());
    // Patient 2: CHI written with a space, no PatientAge (age derived from birth date), a
    // malformed series date.
    rows.add(
        base("020260 2345", "STEWART^Ewan", "19600202", "1.2.3.2", "1.2.3.2.1", "1.2.3.2.1.1")
            .set("Modality", "US")
            .set("SOPClassUID", US)
            .set("StudyDate", "20210301")
            .set("SeriesDate", "1997.04.24")
            .set("StudyDescription", "USS Abdo")
            .set("ImageType", "ORIGINAL\\PRIMARY")
            .set("InstitutionName", "NINEWELLS HOSPITAL")
            .row());
    // Patient 3: not in the mapping table.
    rows.add(
        base("0303703456", "O'BRIEN^Sean", "19700303", "1.2.3.3", "1.2.3.3.1", "1.2.3.3.1.1")
            .set("Modality", "CT")
            .set("SOPClassUID", CT)
            .set("ImageType", "ORIGINAL\\PRIMARY\\AXIAL")
            .row());
    // Patient 4: a modality the rules do not allow.
    rows.add(
        base("0404804567", "NAKAMURA^Kenji", "19800404", "1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1")
            .set("Modality", "XX")
            .set("SOPClassUID", CT)
            .set("ImageType", "ORIGINAL\\PRIMARY")
            .row());
    return rows;
  }

  @BeforeAll
  static void setUp() throws Exception {
    mapping = tempDir.resolve("chi_eupi.csv");
    config = homeWithMapping("promote", mapping);
    layout = ZoneLayout.from(config);
    Instances.frame(spark(), fixture())
        .write()
        .format("delta")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
  }

  /** A fresh lakehouse home whose CHI → EUPI mapping is a CSV of patients 1, 2 and 4. */
  static LakehouseConfig homeWithMapping(String name, Path csv) throws Exception {
    Files.writeString(csv, "chi,eupi\n0101501234,E1\n0202602345,E2\n0404804567,E4\n");
    return newHomeConfig(name)
        .with(PseudonymConfig.SOURCE, "csv")
        .with(PseudonymConfig.LOCATION, csv.toString());
  }

  /** A promote run of {@code home} that reads the instances table at {@code source}. */
  static PromoteJob.Result promoteFrom(LakehouseConfig home, String source) {
    return new PromoteJob(
            spark(),
            home,
            JobOptions.of(home, PromoteJob.NAME, Map.of(PromoteJob.OPTION_SOURCE, source)),
            Map.of())
        .execute();
  }

  static PromoteJob.Result promote(Map<String, String> options) {
    return new PromoteJob(
            spark(), config, JobOptions.of(config, PromoteJob.NAME, options), Map.of())
        .execute();
  }

  static Dataset<Row> table(Zone zone, String name) {
    return spark().read().format("delta").load(layout.table(zone, name));
  }

  static Map<String, Row> byKey(Dataset<Row> df, String key) {
    return df.collectAsList().stream().collect(Collectors.toMap(r -> r.getAs(key), r -> r));
  }

  @Test
  @Order(1)
  void promotesTypedCleansedInventory() {
    PromoteJob.Result result = promote(Map.of());
    assertThat(result.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(result.fullRebuild()).isTrue();
    assertThat(result.processed()).isEqualTo(7);
    assertThat(result.promoted()).isEqualTo(4);
    // No SOPInstanceUID repeats: the rows are promoted once.
    assertThat(result.timingsMillis()).containsKey("check_duplicates");
    assertThat(result.timingsMillis()).doesNotContainKey("prepare_deduplicated");
    assertThat(result.count("rejected_image_type_not_allowed")).isEqualTo(1);
    assertThat(result.count("rejected_unmapped_patient")).isEqualTo(1);
    assertThat(result.count("rejected_modality_not_allowed")).isEqualTo(1);
    assertThat(result.rejected()).isEqualTo(3);
    // The console: new rejections by reason (counts only) and the query that lists them.
    assertThat(result.summary())
        .contains(
            "  rejections: 3 new this run (exit code 3), 3 on record",
            "    image_type_not_allowed: 1 instance(s)",
            "  list this run's: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.promotion_rejections WHERE run_id = '"
                + result.runId()
                + "'\"")
        .doesNotContain("STEWART")
        .doesNotContain("0202602345");
    // Malformed values of promoted instances only (the quality table below lists the same two).
    assertThat(result.count("malformed_values")).isEqualTo(2);

    Map<String, Row> studies = byKey(table(Zone.DEIDENTIFIED, "study"), "StudyInstanceUID");
    assertThat(studies).containsOnlyKeys("1.2.3.1", "1.2.3.2");
    Row s1 = studies.get("1.2.3.1");
    assertThat(s1.<String>getAs("eupi")).isEqualTo("E1");
    assertThat(s1.getList(s1.fieldIndex("ModalitiesInStudy"))).containsExactly("CT", "MR");
    assertThat(s1.<Date>getAs("StudyDate")).isEqualTo(Date.valueOf("2020-01-15"));
    assertThat(s1.<String>getAs("StudyTime")).isEqualTo("09:30:00.500000");
    assertThat(s1.<String>getAs("StudyDescription")).isEqualTo("CT  HAED +C");
    assertThat(s1.<String>getAs("StudyDescription_norm")).isEqualTo("CT HEAD CONTRAST");
    assertThat(s1.<Double>getAs("PatientAge_years")).isEqualTo(70.0);
    assertThat(s1.<String>getAs("PatientAge_unit")).isEqualTo("years");
    assertThat(s1.<Integer>getAs("AgeAtStudy_years")).isEqualTo(70);
    assertThat(s1.<String>getAs("AgeAtStudy_source")).isEqualTo("PatientAge");
    assertThat(s1.<String>getAs("HealthBoard")).isEqualTo("NHS Lothian");
    assertThat(s1.<Long>getAs("NumberOfStudyRelatedSeries")).isEqualTo(2);
    assertThat(s1.<Long>getAs("NumberOfStudyRelatedInstances")).isEqualTo(3);
    Row s2 = studies.get("1.2.3.2");
    assertThat(s2.<String>getAs("eupi")).isEqualTo("E2");
    assertThat(s2.<Integer>getAs("AgeAtStudy_years")).isEqualTo(61);
    assertThat(s2.<String>getAs("AgeAtStudy_source")).isEqualTo("PatientBirthDate");
    assertThat(s2.<Double>getAs("PatientAge_years")).isNull();
    assertThat(s2.<String>getAs("HealthBoard")).isEqualTo("NHS Tayside");
    assertThat(s2.<String>getAs("StudyDescription_norm")).isEqualTo("US ABDOMEN");
    assertThat(table(Zone.DEIDENTIFIED, "study").columns())
        .doesNotContain("PatientID", "PatientName", "PatientBirthDate", "AccessionNumber");

    Map<String, Row> series = byKey(table(Zone.DEIDENTIFIED, "series"), "SeriesInstanceUID");
    Row ct = series.get("1.2.3.1.1");
    assertThat(ct.<String>getAs("ProcedureCodeSequence_CodeValue")).isEqualTo("CTHEAD");
    assertThat(ct.<String>getAs("BodyPartExamined")).isEqualTo("brian");
    assertThat(ct.<String>getAs("BodyPartExamined_norm")).isEqualTo("BRAIN");
    assertThat(ct.<Integer>getAs("SeriesNumber")).isEqualTo(2);
    assertThat(ct.<Long>getAs("NumberOfSeriesRelatedInstances")).isEqualTo(2);
    assertThat(ct.<String>getAs("InventoryTemplate")).isEqualTo("CT");
    assertThat(series.get("1.2.3.2.1").<Date>getAs("SeriesDate")).isNull();
    assertThat(series.get("1.2.3.1.2").<Double>getAs("MagneticFieldStrength")).isEqualTo(3.0);

    Map<String, Row> images = byKey(table(Zone.DEIDENTIFIED, "image"), "SOPInstanceUID");
    assertThat(images).containsOnlyKeys("1.2.3.1.1.1", "1.2.3.1.1.2", "1.2.3.1.2.1", "1.2.3.2.1.1");
    Row i1 = images.get("1.2.3.1.1.1");
    assertThat(i1.<Double>getAs("KVP")).isEqualTo(120.0);
    assertThat(i1.getList(i1.fieldIndex("ImagePositionPatient")))
        .containsExactly(-125.0, -125.5, 10.0);
    assertThat(i1.getList(i1.fieldIndex("ImageType")))
        .containsExactly("ORIGINAL", "PRIMARY", "AXIAL");
    assertThat(i1.<String>getAs("ImageType_pixel_data")).isEqualTo("ORIGINAL");
    assertThat(i1.<String>getAs("ImageType_examination")).isEqualTo("PRIMARY");
    assertThat(i1.<String>getAs("ImageType_modality_specific")).isEqualTo("AXIAL");
    assertThat(i1.<String>getAs("AcquisitionTime")).isEqualTo("09:30:00.000000");
    assertThat(i1.<Long>getAs("DicomFileSize")).isEqualTo(2048L);
    Row i2 = images.get("1.2.3.1.1.2");
    assertThat(i2.<Double>getAs("KVP")).isNull();
    assertThat(i2.getList(i2.fieldIndex("malformed_columns"))).containsExactly("KVP");
    Row mr = images.get("1.2.3.1.2.1");
    assertThat(mr.<Double>getAs("EchoTime")).isEqualTo(4.5);
    assertThat(mr.<Double>getAs("KVP")).isNull(); // not in the MR template
    assertThat(mr.getList(mr.fieldIndex("ImageType_other"))).containsExactly("ND");

    Map<String, Row> quality = byKey(table(Zone.DEIDENTIFIED, "promotion_quality"), "column_name");
    assertThat(quality.get("KVP").<Long>getAs("malformed_values")).isEqualTo(1);
    assertThat(quality.get("SeriesDate").<Long>getAs("malformed_values")).isEqualTo(1);
    assertThat(quality).hasSize(2);

    Map<String, Row> rejections =
        byKey(table(Zone.IDENTIFIABLE, "promotion_rejections"), "SOPInstanceUID");
    assertThat(rejections.get("1.2.3.3.1.1").<String>getAs("reason")).isEqualTo("unmapped_patient");
    assertThat(rejections.get("1.2.3.3.1.1").<String>getAs("PatientID")).isEqualTo("0303703456");
    assertThat(rejections.get("1.2.3.1.1.3").<String>getAs("reason"))
        .isEqualTo("image_type_not_allowed");
    assertThat(rejections.get("1.2.3.4.1.1").<String>getAs("reason"))
        .isEqualTo("modality_not_allowed");
    Map<String, Row> counts =
        byKey(table(Zone.DEIDENTIFIED, "promotion_rejection_counts"), "reason");
    assertThat(counts)
        .containsOnlyKeys("unmapped_patient", "image_type_not_allowed", "modality_not_allowed");
    assertThat(table(Zone.DEIDENTIFIED, "promotion_rejection_counts").columns())
        .containsExactly("reason", "instances", "studies");

    // SQL names are registered, the analyst query works.
    List<Row> byYear =
        spark()
            .sql(
                "SELECT year(StudyDate) AS y, HealthBoard, count(*) AS n FROM deidentified.study"
                    + " WHERE array_contains(ModalitiesInStudy, 'CT') AND StudyDescription_norm LIKE '%HEAD%'"
                    + " GROUP BY 1, 2")
            .collectAsList();
    assertThat(byYear).hasSize(1);
    assertThat(byYear.get(0).getInt(0)).isEqualTo(2020);
    assertThat(byYear.get(0).getString(1)).isEqualTo("NHS Lothian");
  }

  @Test
  @Order(2)
  void nothingIdentifyingLeaks() {
    var ids = LeakScanner.identifiers(spark(), layout);
    assertThat(ids)
        .contains("macdonald", "fiona", "0101501234", "19500101", "1950-01-01", "o'brien");
    assertThat(ids).anyMatch(s -> s.contains("burnside crescent"));
    assertThat(LeakScanner.scan(spark(), layout, ids)).isEmpty();
  }

  static List<Row> snapshot(String table) {
    return table(Zone.DEIDENTIFIED, table)
        .orderBy(
            table.equals("image")
                ? "SOPInstanceUID"
                : table.equals("series") ? "SeriesInstanceUID" : "StudyInstanceUID")
        .collectAsList();
  }

  @Test
  @Order(3)
  void rerunWithNothingNewDoesNothing() {
    List<Row> before = snapshot("image");
    PromoteJob.Result again = promote(Map.of());
    assertThat(again.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(again.processed()).isZero();
    assertThat(snapshot("image")).isEqualTo(before);
  }

  @Test
  @Order(4)
  void mappingChangeUpdatesAffectedRows() throws Exception {
    List<Row> study2 =
        snapshot("study").stream()
            .filter(r -> r.getAs("StudyInstanceUID").equals("1.2.3.2"))
            .toList();
    // CHI reconciliation: patient 1 gets a new EUPI, patient 3 is now mapped.
    Files.writeString(
        mapping, "chi,eupi\n0101501234,E1-NEW\n0202602345,E2\n0303703456,E3\n0404804567,E4\n");
    PromoteJob.Result result = promote(Map.of());
    assertThat(result.fullRebuild()).isFalse();
    assertThat(result.processed()).isEqualTo(5); // studies of patients 1 and 3 only
    Map<String, Row> studies = byKey(table(Zone.DEIDENTIFIED, "study"), "StudyInstanceUID");
    assertThat(studies.get("1.2.3.1").<String>getAs("eupi")).isEqualTo("E1-NEW");
    assertThat(studies.get("1.2.3.3").<String>getAs("eupi")).isEqualTo("E3");
    assertThat(
            snapshot("study").stream()
                .filter(r -> r.getAs("StudyInstanceUID").equals("1.2.3.2"))
                .toList())
        .isEqualTo(study2);
    assertThat(table(Zone.DEIDENTIFIED, "image").where("eupi = 'E1'").count()).isZero();
    assertThat(table(Zone.DEIDENTIFIED, "series").where("eupi = 'E1'").count()).isZero();
    assertThat(table(Zone.DEIDENTIFIED, "image").where("eupi = 'E1-NEW'").count()).isEqualTo(3);
    assertThat(
            table(Zone.IDENTIFIABLE, "promotion_rejections")
                .where("reason = 'unmapped_patient'")
                .count())
        .isZero();
    assertThat(byKey(table(Zone.DEIDENTIFIED, "promotion_rejection_counts"), "reason"))
        .doesNotContainKey("unmapped_patient");
  }

  @Test
  @Order(5)
  void newInstancesAreProcessedIncrementally() {
    java.util.function.Function<String, Instances.Builder> newMr =
        sop ->
            base("0202602345", "STEWART^Ewan", "19600202", "1.2.3.5", "1.2.3.5.1", sop)
                .set("Modality", "MR")
                .set("SOPClassUID", MR)
                .set("StudyDate", "20220505");
    Instances.frame(
            spark(),
            List.of(
                newMr
                    .apply("1.2.3.5.1.1")
                    .set("ImageType", "ORIGINAL\\PRIMARY")
                    .set("PatientAge", "006M")
                    .row(),
                // a derived image in the same study: rejected, and counted as such
                newMr.apply("1.2.3.5.1.2").set("ImageType", "DERIVED\\SECONDARY").row()))
        .write()
        .format("delta")
        .mode("append")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
    PromoteJob.Result result = promote(Map.of());
    assertThat(result.processed()).isEqualTo(2);
    assertThat(result.rejected()).isEqualTo(1);
    assertThat(result.count("rejected_image_type_not_allowed")).isEqualTo(1);
    assertThat(result.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    Row study = byKey(table(Zone.DEIDENTIFIED, "study"), "StudyInstanceUID").get("1.2.3.5");
    assertThat(study.<String>getAs("eupi")).isEqualTo("E2");
    assertThat(study.<Double>getAs("PatientAge_years")).isEqualTo(0.5);
    assertThat(study.<Integer>getAs("AgeAtStudy_years")).isEqualTo(0);
    assertThat(table(Zone.DEIDENTIFIED, "image").count()).isEqualTo(6);
  }

  static Path copyTemplates(String name) throws Exception {
    Path dir = Files.createDirectories(tempDir.resolve(name).resolve("templates"));
    for (String t :
        List.of("study", "CT", "MR", "US", "CR_DX", "MG", "PT", "NM", "XA_RF", "SR", "OTHER")) {
      copy("templates/" + t + ".yaml", dir.getParent());
    }
    copy("promotion-rules.yaml", dir.getParent());
    return dir.getParent();
  }

  static void copy(String relative, Path dir) throws Exception {
    try (var in =
        PromoteJobTest.class.getClassLoader().getResourceAsStream("promote/" + relative)) {
      Files.write(dir.resolve(relative), in.readAllBytes());
    }
  }

  static void edit(Path file, String from, String to) throws Exception {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to));
  }

  @Test
  @Order(6)
  void addingATemplateColumnNeedsOnlyARerun() throws Exception {
    Path dir = copyTemplates("added-column");
    edit(dir.resolve("templates/CT.yaml"), "image:\n", "image:\n  - FocalSpots\n");
    edit(dir.resolve("promotion-rules.yaml"), "CT: [", "CT: [FocalSpots, ");
    // The instances table points at files that do not exist: the values come from its headers.
    assertThat(Files.exists(Path.of("/pacs/2020/01/01/1.2.3.1.1.1.dcm"))).isFalse();
    PromoteJob.Result result = promote(Map.of(PromoteJob.OPTION_TEMPLATES, dir.toString()));
    assertThat(result.fullRebuild()).isTrue();
    // Every instance promoted again: the rejections are those on record, none new, exit code 0.
    assertThat(result.rejected()).isPositive();
    assertThat(result.status()).as(result.summary()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(result.summary()).contains("  rejections: none new this run (exit code 0)");
    Map<String, Row> images = byKey(table(Zone.DEIDENTIFIED, "image"), "SOPInstanceUID");
    assertThat(images.get("1.2.3.1.1.1").<Double>getAs("FocalSpots")).isEqualTo(1.2);
    assertThat(images.get("1.2.3.1.2.1").<Double>getAs("FocalSpots")).isNull();
    assertThat(images).hasSize(6);
  }

  @Test
  @Order(7)
  void identifyingTemplateIsRefusedBeforeAnythingIsWritten() throws Exception {
    long versionBefore =
        io.delta.tables.DeltaTable.forPath(spark(), layout.table(Zone.DEIDENTIFIED, "image"))
            .history(1)
            .first()
            .getLong(0);
    Path dir = copyTemplates("refused");
    edit(
        dir.resolve("templates/MR.yaml"),
        "series:\n",
        "series:\n  - PatientName\n  - PatientBirthDate\n");
    assertThatThrownBy(() -> promote(Map.of(PromoteJob.OPTION_TEMPLATES, dir.toString())))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("MR.series.PatientName: PatientName is identifying")
        .hasMessageContaining(
            "MR.series.PatientBirthDate: PatientBirthDate is identifying and may only be promoted with transform [AGE_AT_STUDY]");
    assertThat(
            io.delta.tables.DeltaTable.forPath(spark(), layout.table(Zone.DEIDENTIFIED, "image"))
                .history(1)
                .first()
                .getLong(0))
        .isEqualTo(versionBefore);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, "job_runs"))
                .where("job = 'promote' AND status = 'FAILED'")
                .count())
        .isEqualTo(1);
  }

  @Test
  @Order(8)
  void aSourceRowRepeatedForOneSopIsPromotedOnce() throws Exception {
    // Ingest keeps one row per SOPInstanceUID; a query racing its duplicate settling can see two.
    LakehouseConfig dups =
        homeWithMapping("duplicates", tempDir.resolve("duplicates_chi_eupi.csv"));
    ZoneLayout dupsLayout = ZoneLayout.from(dups);
    List<Row> rows = fixture();
    rows.add(rows.get(0));
    String source = tempDir.resolve("duplicated-instances").toString();
    Instances.frame(spark(), rows).write().format("delta").save(source);
    PromoteJob.Result result = promoteFrom(dups, source);
    // Found on the promoted rows: promoted again from de-duplicated input.
    assertThat(result.timingsMillis()).containsKey("prepare_deduplicated");
    assertThat(result.processed()).isEqualTo(7);
    assertThat(result.promoted()).isEqualTo(4);
    Dataset<Row> image =
        spark().read().format("delta").load(dupsLayout.table(Zone.DEIDENTIFIED, "image"));
    assertThat(image.count()).isEqualTo(4);
    Row series =
        spark()
            .read()
            .format("delta")
            .load(dupsLayout.table(Zone.DEIDENTIFIED, "series"))
            .where("SeriesInstanceUID = '1.2.3.1.1'")
            .first();
    assertThat(series.<Long>getAs("NumberOfSeriesRelatedInstances")).isEqualTo(2);
  }

  @Test
  @Order(9)
  void aFullRebuildWritesOneFilePerTaskNotOneFileForTheTable() throws Exception {
    // The session's optimized write would shuffle every image row to a single writing task.
    LakehouseConfig split = homeWithMapping("split", tempDir.resolve("split_chi_eupi.csv"));
    ZoneLayout splitLayout = ZoneLayout.from(split);
    List<Row> rows = fixture();
    String source = tempDir.resolve("two-file-instances").toString();
    // Two data files, each with promoted CT images of patient 1: two scan tasks.
    Instances.frame(spark(), rows.subList(0, 1)).write().format("delta").save(source);
    Instances.frame(spark(), rows.subList(1, rows.size()))
        .write()
        .format("delta")
        .mode("append")
        .save(source);
    PromoteJob.Result result = promoteFrom(split, source);
    assertThat(result.fullRebuild()).isTrue();
    assertThat(result.promoted()).isEqualTo(4);
    Dataset<Row> image =
        spark().read().format("delta").load(splitLayout.table(Zone.DEIDENTIFIED, "image"));
    assertThat(image.count()).isEqualTo(4);
    assertThat(image.inputFiles()).hasSize(2);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(splitLayout.table(Zone.IDENTIFIABLE, "promotion_state"))
                .inputFiles())
        .hasSize(2);
  }

  @Test
  void aFullRebuildWritesAFilePerMillionRowsAndAtLeastOnePerCore() {
    assertThat(PromoteJob.filesFor(0, 2)).isEqualTo(2);
    assertThat(PromoteJob.filesFor(1_000_000, 2)).isEqualTo(2);
    assertThat(PromoteJob.filesFor(2_500_001, 2)).isEqualTo(3);
    assertThat(PromoteJob.filesFor(100_000_000, 64)).isEqualTo(100);
    assertThat(PromoteJob.filesFor(10, 0)).isEqualTo(1);
  }
}
