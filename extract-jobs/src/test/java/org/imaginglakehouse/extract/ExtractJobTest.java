package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.testing.PhiScanner;
import org.imaginglakehouse.synth.GroundTruth;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lakehouse extract} end to end on a synthetic PACS (ingested and promoted here): rejectors,
 * no identifying byte in any output, consistent keyed UIDs and date shifts, independent projects,
 * idempotent and incremental re-runs, and the refusals.
 */
class ExtractJobTest extends SparkTestBase {
  static ExtractLakehouse lake;
  static ZoneLayout layout;

  @BeforeAll
  static void lakehouse() {
    lake = ExtractLakehouse.build(spark(), tempDir, newHomeConfig("extract-home"));
    layout = ZoneLayout.from(lake.config);
    lake.cohort(spark(), "everything", "SELECT eupi, StudyInstanceUID FROM deidentified.study");
  }

  static Map<String, String> options(String project, String config, String... more) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(ExtractJob.OPTION_PROJECT, project);
    // The extract on its own: VerifyJobTest covers the extract that verifies at its end.
    o.put(ExtractJob.OPTION_VERIFY, "false");
    if (config != null) {
      o.put(ExtractJob.OPTION_PROJECT_CONFIG, config);
    }
    for (int i = 0; i < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return o;
  }

  static List<Row> table(String project, String table) {
    return spark().read().format("delta").load(layout.projectTable(project, table)).collectAsList();
  }

  static String sha256(String value) {
    return ExtractJob.sha256Hex(value);
  }

  @Test
  void extractsACohortWithReasonsForEveryRejectionAndNoIdentifyingByte() throws Exception {
    String yaml =
        ExtractLakehouse.projectFile(tempDir, "alpha", "cohorts: [everything]\n").toString();
    ExtractResult result =
        lake.extract(
            spark(),
            options("alpha", yaml, ExtractJob.OPTION_COHORT, "everything"),
            ExtractLakehouse.KEY_A);
    assertThat(result.count("written")).as(result.summary()).isPositive();
    Path root = Path.of(result.location());

    // Every instance of the cohort is either written or rejected with a reason.
    long instances =
        spark()
            .read()
            .format("delta")
            .load(layout.table(org.imaginglakehouse.core.zone.Zone.DEIDENTIFIED, "image"))
            .count();
    List<Row> files = table("alpha", ProjectTables.FILES);
    List<Row> rejections = table("alpha", ProjectTables.REJECTIONS);
    assertThat(files.size() + rejections.size()).isEqualTo(instances);
    assertThat(rejections).extracting(r -> r.<String>getAs("reason")).doesNotContainNull();
    assertThat(result.status())
        .isEqualTo(
            rejections.isEmpty() ? JobStatus.SUCCEEDED : JobStatus.COMPLETED_WITH_REJECTIONS);
    // Fail closed on pixels: no US/SC/OT image is extracted without an OCR screening.
    Map<String, GroundTruth.FileEntry> bySourceHash = new HashMap<>();
    // Every file of the PACS with a SOP UID: ingest also accepts some files the synthetic PACS
    // plants as junk (readable DICOM with a flaw), and those are extracted too.
    for (GroundTruth.FileEntry f : lake.truth.files()) {
      if (f.sopInstanceUid() != null && !f.sopInstanceUid().isBlank()) {
        bySourceHash.putIfAbsent(sha256(f.sopInstanceUid()), f);
      }
    }
    Map<String, String> instanceSops = new HashMap<>();
    spark()
        .read()
        .format("delta")
        .load(layout.table(org.imaginglakehouse.core.zone.Zone.IDENTIFIABLE, "instances"))
        .select("SOPInstanceUID", "file_path")
        .collectAsList()
        .forEach(x -> instanceSops.put(sha256(x.getString(0)), x.getString(1)));
    for (Row r : files) {
      GroundTruth.FileEntry source = bySourceHash.get(r.<String>getAs("source_uid_sha256"));
      assertThat(source)
          .as(
              "source of %s (ingested from %s)",
              r.getAs("path"), instanceSops.get(r.<String>getAs("source_uid_sha256")))
          .isNotNull();
      assertThat(List.of("US", "SC", "OT", "XA", "RF", "CR", "DX", "MG"))
          .doesNotContain(source.modality());
      if (source.imageType() != null && source.imageType().size() >= 2) {
        assertThat(source.imageType().subList(0, 2)).containsExactly("ORIGINAL", "PRIMARY");
      }
    }
    for (Row r : rejections) {
      GroundTruth.FileEntry source = bySourceHash.get(r.<String>getAs("source_uid_sha256"));
      assertThat(source).isNotNull();
      if (List.of("US", "SC", "OT").contains(source.modality())
          && r.getAs("reason").equals("not_screened")) {
        assertThat(source.modality()).isIn("US", "SC", "OT");
      }
    }
    assertThat(rejections)
        .extracting(r -> r.<String>getAs("reason"))
        .isSubsetOf(Stream.of(Rejection.values()).map(Rejection::id).toList());

    // The written files: where the table says, with the checksum it says, readable by dcmtk.
    Map<String, Set<String>> newStudiesBySourceStudy = new HashMap<>();
    Map<String, Set<Long>> shiftsByPatient = new HashMap<>();
    Set<String> newSops = new HashSet<>();
    Map<String, String> studyDateByPath = new HashMap<>();
    for (Row r : files) {
      Path file = root.resolve(r.<String>getAs("path"));
      assertThat(file).exists();
      assertThat(sha256File(file)).isEqualTo(r.<String>getAs("sha256"));
      assertThat(Files.size(file)).isEqualTo(r.<Long>getAs("size"));
      AttributeList out = new AttributeList();
      out.read(file.toString());
      GroundTruth.FileEntry source = bySourceHash.get(r.<String>getAs("source_uid_sha256"));
      String sop = Attribute.getSingleStringValueOrEmptyString(out, TagFromName.SOPInstanceUID);
      assertThat(sop).isEqualTo(r.<String>getAs("SOPInstanceUID")).startsWith("2.25.");
      assertThat(newSops.add(sop)).isTrue();
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(
                  out, TagFromName.MediaStorageSOPInstanceUID))
          .isEqualTo(sop);
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(out, TagFromName.PatientIdentityRemoved))
          .isEqualTo("YES");
      newStudiesBySourceStudy
          .computeIfAbsent(source.studyInstanceUid(), k -> new HashSet<>())
          .add(Attribute.getSingleStringValueOrEmptyString(out, TagFromName.StudyInstanceUID));
      String shifted = Attribute.getSingleStringValueOrEmptyString(out, TagFromName.StudyDate);
      studyDateByPath.put(r.getAs("path"), shifted);
      if (!shifted.isEmpty() && source.studyDate() != null && !source.studyDate().isEmpty()) {
        shiftsByPatient
            .computeIfAbsent(source.chi() + "/" + source.patientIndex(), k -> new HashSet<>())
            .add(ChronoUnit.DAYS.between(date(source.studyDate()), date(shifted)));
      }
    }
    assertThat(newStudiesBySourceStudy.values()).allSatisfy(s -> assertThat(s).hasSize(1));
    assertThat(shiftsByPatient).isNotEmpty();
    // Every interval between two studies of a patient is kept: one shift per patient, never 0.
    assertThat(shiftsByPatient.values())
        .allSatisfy(s -> assertThat(s).hasSize(1).doesNotContain(0L));
    dcmdumpReadsAll(files.stream().map(r -> root.resolve(r.<String>getAs("path"))).toList());

    // No identifying value of any patient in any byte written (images, metadata, manifest).
    List<String> identifying = identifyingValues();
    PhiScanner scanner = new PhiScanner();
    List<Path> written;
    try (Stream<Path> walk = Files.walk(root)) {
      written = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(written).hasSize(files.size() + 3);
    for (Path file : written) {
      assertThat(scanner.scan(file, identifying)).as(root.relativize(file).toString()).isEmpty();
    }

    // The manifest checks with sha256sum.
    Process check =
        new ProcessBuilder("sha256sum", "--quiet", "-c", ProjectTables.MANIFEST)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String checkOutput = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(checkOutput).isZero();
    assertThat(Files.readAllLines(root.resolve(ProjectTables.MANIFEST))).hasSize(files.size() + 2);
    List<String> csv = Files.readAllLines(root.resolve(ProjectTables.METADATA_CSV));
    assertThat(csv).hasSize(files.size() + 1);
    assertThat(csv.get(0))
        .startsWith("PatientID,StudyInstanceUID,SeriesInstanceUID,SOPInstanceUID,path")
        .contains(",StudyDate,");
    // StudyDate, a study-level column (deidentified.study), is in the metadata of every image,
    // shifted exactly as in the image file itself.
    List<Row> metadata = table("alpha", ProjectTables.METADATA);
    assertThat(metadata).hasSize(files.size());
    long dated = 0;
    for (Row m : metadata) {
      String inFile = studyDateByPath.get(m.<String>getAs("path"));
      java.sql.Date studyDate = m.getAs("StudyDate");
      if (inFile == null || inFile.isEmpty()) {
        assertThat(studyDate).isNull();
      } else {
        assertThat(studyDate.toLocalDate().format(DateTimeFormatter.BASIC_ISO_DATE))
            .as(m.<String>getAs("path"))
            .isEqualTo(inFile);
        dated++;
      }
    }
    assertThat(dated).isPositive();

    // The run is in the project's job_runs with its key id and profile, never the key.
    Row run =
        spark()
            .read()
            .format("delta")
            .load(layout.projectTable("alpha", "job_runs"))
            .where("run_id = '" + result.runId() + "'")
            .first();
    Map<String, String> logged = run.getJavaMap(run.fieldIndex("options"));
    assertThat(logged).containsEntry("key_id", result.keyId()).containsKey("profile");
    assertThat(logged.toString()).doesNotContain(ExtractLakehouse.KEY_A);
  }

  @Test
  void rerunWritesNothingAndAGrownCohortWritesOnlyItsNewMembers() throws Exception {
    lake.cohort(
        spark(),
        "growing",
        "SELECT eupi, StudyInstanceUID FROM deidentified.study"
            + " WHERE array_contains(ModalitiesInStudy, 'CT')");
    String yaml =
        ExtractLakehouse.projectFile(tempDir, "beta", "cohorts: [growing]\nmodalities: [CT, MR]\n")
            .toString();
    ExtractResult first =
        lake.extract(
            spark(),
            options("beta", yaml, ExtractJob.OPTION_COHORT, "growing"),
            ExtractLakehouse.KEY_A);
    long firstWritten = first.count("written");
    assertThat(firstWritten).as(first.summary()).isPositive();
    Path root = Path.of(first.location());
    Map<Path, String> before = snapshot(root);

    ExtractResult again =
        lake.extract(
            spark(),
            options("beta", null, ExtractJob.OPTION_COHORT, "growing"),
            ExtractLakehouse.KEY_A);
    assertThat(again.count("written")).isZero();
    assertThat(again.count("skipped_already_written")).isEqualTo(firstWritten);
    assertThat(snapshot(root)).isEqualTo(before);

    lake.cohort(
        spark(),
        "growing",
        "SELECT eupi, StudyInstanceUID FROM deidentified.study"
            + " WHERE arrays_overlap(ModalitiesInStudy, array('CT', 'MR'))");
    ExtractResult grown =
        lake.extract(
            spark(),
            options("beta", null, ExtractJob.OPTION_COHORT, "growing"),
            ExtractLakehouse.KEY_A);
    long mrAccepted = grown.count("accepted") - firstWritten;
    assertThat(mrAccepted).as(grown.summary()).isPositive();
    assertThat(grown.count("written")).isEqualTo(mrAccepted);
    // The new members were appended (no other run wrote to `files` in between), one row each.
    String files = layout.projectTable("beta", ProjectTables.FILES);
    assertThat(
            io.delta.tables.DeltaTable.forPath(spark(), files)
                .history(1)
                .select("operation")
                .first()
                .getString(0))
        .isEqualTo("WRITE");
    Row perSop =
        spark()
            .read()
            .format("delta")
            .load(files)
            .where("extraction_id = 'growing'")
            .selectExpr("count(*)", "count(DISTINCT SOPInstanceUID)")
            .first();
    assertThat(perSop.getLong(0)).isEqualTo(grown.count("accepted")).isEqualTo(perSop.getLong(1));
    Map<Path, String> after = snapshot(root);
    for (Map.Entry<Path, String> e : before.entrySet()) {
      if (e.getKey().toString().endsWith(".dcm")) {
        assertThat(after).containsEntry(e.getKey(), e.getValue());
      }
    }
  }

  @Test
  void twoProjectsGetUnrelatedUidsAndPatientIdsForTheSameSources() throws Exception {
    String yamlG = ExtractLakehouse.projectFile(tempDir, "gamma", "cohorts: ['*']\n").toString();
    String yamlD = ExtractLakehouse.projectFile(tempDir, "delta", "cohorts: ['*']\n").toString();
    ExtractResult g =
        lake.extract(
            spark(),
            options("gamma", yamlG, ExtractJob.OPTION_COHORT, "everything"),
            ExtractLakehouse.KEY_B);
    // The same key under another project name must still give unrelated values.
    ExtractResult d =
        lake.extract(
            spark(),
            options("delta", yamlD, ExtractJob.OPTION_COHORT, "everything"),
            ExtractLakehouse.KEY_B);
    assertThat(g.keyId()).isEqualTo(d.keyId());
    List<Row> gFiles = table("gamma", ProjectTables.FILES);
    List<Row> dFiles = table("delta", ProjectTables.FILES);
    assertThat(gFiles).hasSameSizeAs(dFiles).isNotEmpty();
    assertThat(sources(gFiles)).isEqualTo(sources(dFiles));
    Set<String> gSops = column(gFiles, "SOPInstanceUID");
    gSops.retainAll(column(dFiles, "SOPInstanceUID"));
    assertThat(gSops).isEmpty();
    Set<String> gPatients = topDirectories(Path.of(g.location()));
    gPatients.retainAll(topDirectories(Path.of(d.location())));
    assertThat(gPatients).isEmpty();
  }

  @Test
  void uidListsWithUnknownUidsAndAnOptOutList() throws Exception {
    List<GroundTruth.FileEntry> ct =
        lake.truth.instances().stream()
            .filter(f -> f.isValidDicom() && "CT".equals(f.modality()))
            .toList();
    assertThat(ct).isNotEmpty();
    String series = ct.get(0).seriesInstanceUid();
    GroundTruth.Patient optedOut = lake.truth.patient(ct.get(0).patientIndex());
    GroundTruth.FileEntry other =
        ct.stream()
            .filter(f -> f.patientIndex() != ct.get(0).patientIndex())
            .findFirst()
            .orElse(null);
    List<String> lines = new ArrayList<>(List.of("SeriesInstanceUID", series, "1.2.3.4.5.6.7.8.9"));
    if (other != null) {
      lines.add(other.seriesInstanceUid());
    }
    Path csv = tempDir.resolve("request.csv");
    Files.write(csv, lines);
    Path optOut = tempDir.resolve("opt-out.txt");
    Files.writeString(optOut, "# patients who opted out\n" + optedOut.chi() + "\n");
    String yaml =
        ExtractLakehouse.projectFile(
                tempDir, "epsilon", "level: series\nopt_out: {file: '" + optOut + "'}\n")
            .toString();
    ExtractResult r =
        lake.extract(
            spark(),
            options("epsilon", yaml, ExtractJob.OPTION_UIDS, csv.toString()),
            ExtractLakehouse.KEY_A);
    assertThat(r.extractionId()).isEqualTo("uids_request");
    assertThat(r.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(r.count("rejected_not_in_inventory")).isEqualTo(1);
    if (optedOut.writtenPatientId().replaceAll("[^0-9]", "").equals(optedOut.chi())) {
      assertThat(r.count("rejected_opted_out")).as(r.summary()).isPositive();
    }
    List<Row> rejections = table("epsilon", ProjectTables.REJECTIONS);
    assertThat(rejections)
        .filteredOn(x -> x.getAs("reason").equals("not_in_inventory"))
        .singleElement()
        .satisfies(x -> assertThat(x.<String>getAs("level")).isEqualTo("series"))
        .satisfies(
            x ->
                assertThat(x.<String>getAs("source_uid_sha256"))
                    .isEqualTo(sha256("1.2.3.4.5.6.7.8.9")));
    // The console shows the new rejections by reason, level and project UID (never the source
    // UID or a CHI), and the query listing them.
    String projectUid =
        rejections.stream()
            .filter(x -> x.getAs("reason").equals("not_in_inventory"))
            .findFirst()
            .orElseThrow()
            .getAs("uid");
    assertThat(r.summary())
        .contains(
            "  rejections: " + rejections.size() + " new this run (exit code 3)",
            "    not_in_inventory: series " + projectUid,
            "  list this run's: bin/lakehouse sql --zone projects \"SELECT * FROM"
                + " project_epsilon.rejections WHERE extraction_id = 'uids_request' AND run_id = '"
                + r.runId()
                + "'\"")
        .doesNotContain("1.2.3.4.5.6.7.8.9")
        .doesNotContain(optedOut.chi());

    // The same request again: the rejections are on record, none is new, exit code 0.
    ExtractResult again =
        lake.extract(
            spark(),
            options("epsilon", null, ExtractJob.OPTION_UIDS, csv.toString()),
            ExtractLakehouse.KEY_A);
    assertThat(again.status()).as(again.summary()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(again.summary())
        .contains(
            "  rejections: none new this run (exit code 0), " + rejections.size() + " on record",
            "  list them: bin/lakehouse sql --zone projects \"SELECT * FROM"
                + " project_epsilon.rejections WHERE extraction_id = 'uids_request'\"");
    assertThat(table("epsilon", ProjectTables.REJECTIONS))
        .extracting(x -> x.<String>getAs("run_id"))
        .containsOnly(r.runId());
  }

  @Test
  void refusesWhatItCannotDoSafelyBeforeReadingAnyFile() throws Exception {
    String yaml = ExtractLakehouse.projectFile(tempDir, "zeta", "cohorts: [other]\n").toString();
    Map<String, String> o = options("zeta", yaml, ExtractJob.OPTION_COHORT, "everything");
    assertThatThrownBy(
            () ->
                new ExtractJob(
                        spark(),
                        lake.config,
                        org.imaginglakehouse.core.job.JobOptions.of(
                            lake.config, ExtractJob.NAME, o),
                        Map.of())
                    .execute())
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("LAKEHOUSE_PROJECT_ZETA_KEY");
    assertThatThrownBy(() -> lake.extract(spark(), o, ExtractLakehouse.KEY_A))
        .hasMessageContaining("may not extract cohort 'everything'");
    assertThatThrownBy(
            () ->
                lake.extract(
                    spark(),
                    options("eta", null, ExtractJob.OPTION_COHORT, "everything"),
                    ExtractLakehouse.KEY_A))
        .hasMessageContaining("Project 'eta' is not defined");
    assertThatThrownBy(() -> lake.extract(spark(), options("zeta", null), ExtractLakehouse.KEY_A))
        .hasMessageContaining("exactly one of --cohort");
    String shortKey = "too-short";
    assertThatThrownBy(
            () ->
                lake.extract(
                    spark(), options("zeta", null, ExtractJob.OPTION_COHORT, "other"), shortKey))
        .hasMessageContaining("too short")
        .hasMessageNotContaining(shortKey);
    assertThat(Path.of(layout.projectRoot("zeta"), ExtractJob.EXTRACTIONS_DIR)).doesNotExist();
  }

  @Test
  void aProjectReceivesItsLinkedColumnsForItsOwnPatientsUnderItsPatientIdsWithShiftedDates()
      throws Exception {
    // The site links its cancer registry into the de-identified zone, as bin/demo does.
    org.imaginglakehouse.transform.link.LinkJob.of(
            spark(),
            lake.config,
            Map.of(
                org.imaginglakehouse.transform.link.LinkJob.OPTION_DATASET,
                "smr06",
                org.imaginglakehouse.transform.link.LinkJob.OPTION_SOURCE,
                lake.truth.linkedDir().resolve("smr06.csv").toString()),
            Map.of())
        .execute();
    String yaml =
        ExtractLakehouse.projectFile(
                tempDir, "lambda", "cohorts: ['*']\nlinked:\n  smr06: [icd10, diagnosis_date]\n")
            .toString();
    ExtractResult r =
        lake.extract(
            spark(),
            options("lambda", yaml, ExtractJob.OPTION_COHORT, "everything"),
            ExtractLakehouse.KEY_A);
    Path root = Path.of(r.location());
    List<String> csv = Files.readAllLines(root.resolve("linked_smr06.csv"));
    assertThat(csv.get(0)).isEqualTo("PatientID,icd10,diagnosis_date");
    assertThat(root.resolve("linked_smr06.parquet")).exists();
    assertThat(Files.readString(root.resolve(ProjectTables.MANIFEST)))
        .contains("  linked_smr06.csv\n")
        .contains("  linked_smr06.parquet\n");

    // Expected: every registry row of a patient with a file in the extraction, under the
    // project's PatientID, its date moved by that patient's offset.
    org.imaginglakehouse.extract.deid.HmacProjectPseudonyms keyed =
        org.imaginglakehouse.extract.deid.HmacProjectPseudonyms.of(
            org.imaginglakehouse.extract.deid.ProjectKeys.resolve(
                lake.config,
                "lambda",
                Map.of("LAKEHOUSE_PROJECT_LAMBDA_KEY", ExtractLakehouse.KEY_A)),
            "lambda");
    Set<String> patients = new HashSet<>();
    table("lambda", ProjectTables.METADATA).forEach(m -> patients.add(m.getAs("PatientID")));
    List<String> expected = new ArrayList<>();
    for (Row s :
        spark()
            .read()
            .format("delta")
            .load(layout.table(org.imaginglakehouse.core.zone.Zone.DEIDENTIFIED, "smr06"))
            .collectAsList()) {
      String patient = keyed.patientId(s.getAs("eupi"));
      if (patients.contains(patient)) {
        Object date = s.getAs("diagnosis_date");
        String shifted =
            date == null
                ? "null"
                : ((java.sql.Date) date)
                    .toLocalDate()
                    .plusDays(keyed.dayShift(s.getAs("eupi")))
                    .toString();
        expected.add(patient + "|" + s.getAs("icd10") + "|" + shifted);
      }
    }
    List<String> released = new ArrayList<>();
    for (Row l : table("lambda", "linked_smr06")) {
      Object date = l.getAs("diagnosis_date");
      released.add(
          l.getAs("PatientID")
              + "|"
              + l.getAs("icd10")
              + "|"
              + (date == null ? "null" : ((java.sql.Date) date).toLocalDate().toString()));
    }
    assertThat(expected).isNotEmpty();
    assertThat(released).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(csv).hasSize(expected.size() + 1);
    // Neither the lakehouse pseudonym nor any identifier of the registry crosses.
    List<String> identifying = new ArrayList<>(identifyingValues());
    spark()
        .read()
        .format("delta")
        .load(layout.table(org.imaginglakehouse.core.zone.Zone.DEIDENTIFIED, "smr06"))
        .select("eupi")
        .distinct()
        .collectAsList()
        .forEach(e -> identifying.add(e.getString(0)));
    for (String file : List.of("linked_smr06.csv", "linked_smr06.parquet")) {
      assertThat(new PhiScanner().scan(root.resolve(file), identifying)).as(file).isEmpty();
    }

    // What the project file promises must be there: a missing column or dataset stops the run.
    String wrong =
        ExtractLakehouse.projectFile(tempDir, "lambda", "cohorts: ['*']\nlinked: {smr06: [nope]}\n")
            .toString();
    assertThatThrownBy(
            () ->
                lake.extract(
                    spark(),
                    options(
                        "lambda",
                        wrong,
                        ExtractJob.OPTION_COHORT,
                        "everything",
                        ExtractJob.OPTION_EXTRACTION,
                        "wrong"),
                    ExtractLakehouse.KEY_A))
        .hasMessageContaining("deidentified.smr06 has no column nope");
    String eupi =
        ExtractLakehouse.projectFile(tempDir, "lambda", "cohorts: ['*']\nlinked: {smr06: [eupi]}\n")
            .toString();
    assertThatThrownBy(
            () ->
                lake.extract(
                    spark(),
                    options("lambda", eupi, ExtractJob.OPTION_COHORT, "everything"),
                    ExtractLakehouse.KEY_A))
        .hasMessageContaining("may not list eupi: it looks like an identifier");
  }

  @Test
  void killedMidWriteThenRerunGivesTheFilesAndTablesOfOneCleanRun() throws Exception {
    String yaml = ExtractLakehouse.projectFile(tempDir, "kappa", "cohorts: ['*']\n").toString();
    killedMidWriteThenRerun(
        lake,
        layout,
        "kappa",
        "everything",
        ExtractLakehouse.KEY_B,
        extraction ->
            options(
                "kappa",
                extraction.equals("clean") ? yaml : null, // the re-run uses the stored file
                ExtractJob.OPTION_COHORT,
                "everything",
                ExtractJob.OPTION_EXTRACTION,
                extraction),
        2,
        List.of(ProjectTables.FILES, ProjectTables.REJECTIONS, ProjectTables.METADATA));
  }

  /**
   * Extracts {@code cohort} as extraction {@code clean}; runs the same extract as {@code killed} in
   * a JVM of its own (with the project file the clean run stored) and kills it with SIGKILL once
   * {@code killAt} files are in place; re-runs it here and asserts that its files and its rows of
   * {@code tables} equal the clean run's. Returns the clean run.
   */
  static ExtractResult killedMidWriteThenRerun(
      ExtractLakehouse lake,
      ZoneLayout layout,
      String project,
      String cohort,
      String key,
      java.util.function.Function<String, Map<String, String>> options,
      int killAt,
      List<String> tables)
      throws Exception {
    ExtractResult clean = lake.extract(spark(), options.apply("clean"), key);
    assertThat(clean.count("written")).as(clean.summary()).isPositive();
    Path keyFile = tempDir.resolve(project + ".key");
    Files.writeString(keyFile, key);
    Path killedRoot = Path.of(layout.projectRoot(project), ExtractJob.EXTRACTIONS_DIR, "killed");
    KilledJvm.killWhen(
        repoRoot(),
        tempDir,
        ExtractMain.class,
        List.of(layout.home(), project, cohort, keyFile.toString(), "killed"),
        () -> countFiles(killedRoot) >= killAt,
        5);
    assertThat(Path.of(killedRoot.toString(), ProjectTables.MANIFEST)).doesNotExist();
    ExtractResult rerun = lake.extract(spark(), options.apply("killed"), key);
    assertThat(rerun.status()).isEqualTo(clean.status());
    assertThat(contents(killedRoot)).isEqualTo(contents(Path.of(clean.location())));
    assertThat(tableRows(layout, project, "killed", tables))
        .isEqualTo(tableRows(layout, project, "clean", tables));
    return clean;
  }

  static long countFiles(Path root) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".dcm")).count();
    } catch (Exception e) {
      return 0; // a directory renamed while walking: poll again
    }
  }

  /** Every file under {@code root} (relative path → SHA-256), hidden temporary files included. */
  static Map<String, String> contents(Path root) throws Exception {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), sha256File(p));
      }
    }
    return out;
  }

  /** The rows of one extraction in the project's three tables, without run ids and times. */
  static List<String> tableRows(String project, String extraction) {
    return tableRows(
        layout,
        project,
        extraction,
        List.of(ProjectTables.FILES, ProjectTables.REJECTIONS, ProjectTables.METADATA));
  }

  /** The rows of one extraction in {@code tables}, without run ids and times. */
  static List<String> tableRows(
      ZoneLayout layout, String project, String extraction, List<String> tables) {
    List<String> out = new ArrayList<>();
    for (String table : tables) {
      out.add(table);
      out.addAll(
          spark()
              .read()
              .format("delta")
              .load(layout.projectTable(project, table))
              .where("extraction_id = '" + extraction + "'")
              .drop("extraction_id", "run_id", "written_at", "recorded_at")
              .selectExpr("to_json(struct(*)) AS j")
              .orderBy("j")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList());
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  /** Every identifying value the synthetic PACS planted, plus every original UID. */
  static List<String> identifyingValues() {
    Set<String> values = new HashSet<>();
    for (GroundTruth.Patient p : lake.truth.patients()) {
      add(values, p.chi(), p.writtenPatientId(), p.familyName(), p.givenName(), p.dicomName());
      add(values, p.birthDate(), p.address(), p.postcode());
    }
    for (GroundTruth.FileEntry f : lake.truth.files()) {
      add(values, f.accessionNumber(), f.patientId(), f.patientName(), f.patientAddress());
      add(values, f.sopInstanceUid(), f.seriesInstanceUid(), f.studyInstanceUid());
      if (f.phi() != null) {
        f.phi().forEach(l -> add(values, l.value()));
      }
    }
    return List.copyOf(values);
  }

  private static void add(Set<String> values, String... candidates) {
    for (String v : candidates) {
      if (v != null && v.strip().length() >= 4) {
        values.add(v.strip());
      }
    }
  }

  static LocalDate date(String da) {
    return LocalDate.parse(da.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE);
  }

  static String sha256File(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  static Map<Path, String> snapshot(Path root) throws Exception {
    Map<Path, String> out = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p), sha256File(p) + "@" + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }

  static Set<String> sources(List<Row> files) {
    return column(files, "source_uid_sha256");
  }

  static Set<String> column(List<Row> rows, String name) {
    Set<String> out = new HashSet<>();
    rows.forEach(r -> out.add(r.getAs(name)));
    return out;
  }

  static Set<String> topDirectories(Path root) throws Exception {
    Set<String> out = new HashSet<>();
    try (Stream<Path> list = Files.list(root)) {
      list.filter(Files::isDirectory).forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }

  static void dcmdumpReadsAll(List<Path> files) throws Exception {
    for (Path f : files) {
      Process p =
          new ProcessBuilder("dcmdump", "-q", f.toString()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(f + ": " + output).isZero();
    }
  }
}
