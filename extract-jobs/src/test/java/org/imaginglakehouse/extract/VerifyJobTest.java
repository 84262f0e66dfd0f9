package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.KilledJvm;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.testing.PhiScanner;
import org.imaginglakehouse.extract.verify.Failure;
import org.imaginglakehouse.extract.verify.IdentifyingValues;
import org.imaginglakehouse.synth.GroundTruth;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lakehouse verify} and {@code lakehouse release} on extractions of a synthetic PACS: a
 * clean extraction verifies and is released, a planted source value is caught and blocks release
 * until approved (audited), a file verify did not scan blocks release, and a verify killed with
 * SIGKILL then re-run gives the rows and files of a clean run.
 */
class VerifyJobTest extends SparkTestBase {
  static ExtractLakehouse lake;
  static ZoneLayout layout;

  @BeforeAll
  static void lakehouse() {
    lake = ExtractLakehouse.build(spark(), tempDir, newHomeConfig("verify-home"));
    layout = ZoneLayout.from(lake.config);
    lake.cohort(spark(), "everything", "SELECT eupi, StudyInstanceUID FROM deidentified.study");
  }

  static ExtractResult extract(String project, boolean verify) throws Exception {
    String yaml = ExtractLakehouse.projectFile(tempDir, project, "cohorts: ['*']\n").toString();
    Map<String, String> o = new LinkedHashMap<>();
    o.put(ExtractJob.OPTION_PROJECT, project);
    o.put(ExtractJob.OPTION_PROJECT_CONFIG, yaml);
    o.put(ExtractJob.OPTION_COHORT, "everything");
    o.put(ExtractJob.OPTION_VERIFY, Boolean.toString(verify));
    ExtractResult r = lake.extract(spark(), o, ExtractLakehouse.KEY_A);
    assertThat(r.count("written")).as(r.summary()).isPositive();
    return r;
  }

  /** The project's extraction again, with its stored project file and the default options. */
  static ExtractResult extractAgain(String project) {
    return lake.extract(
        spark(),
        Map.of(ExtractJob.OPTION_PROJECT, project, ExtractJob.OPTION_COHORT, "everything"),
        ExtractLakehouse.KEY_A);
  }

  static VerifyResult verify(String project) {
    return VerifyJob.of(
            spark(),
            lake.config,
            Map.of(
                VerifyJob.OPTION_PROJECT, project,
                VerifyJob.OPTION_EXTRACTION, "everything",
                VerifyJob.OPTION_IOD_SAMPLE, "1",
                VerifyJob.OPTION_DCMDUMP_SAMPLE, "1"))
        .execute();
  }

  static JobResult release(String project, String... more) {
    Map<String, String> o = new HashMap<>();
    o.put(ReleaseJob.OPTION_PROJECT, project);
    o.put(ReleaseJob.OPTION_EXTRACTION, "everything");
    for (int i = 0; i < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return ReleaseJob.of(spark(), lake.config, o).execute();
  }

  static List<Row> rows(String project, String table) {
    return spark()
        .read()
        .format("delta")
        .load(layout.projectTable(project, table))
        .where("extraction_id = 'everything'")
        .collectAsList();
  }

  static String status(String project) {
    return rows(project, ExtractionState.EXTRACTIONS).get(0).getAs("status");
  }

  @Test
  void aCleanExtractionIsVerifiedAtTheEndOfExtractAndReleasedWhole() throws Exception {
    ExtractResult extracted = extract("vclean", true);
    assertThat(extracted.count("verify_errors")).as(extracted.summary()).isZero();
    assertThat(status("vclean")).isEqualTo(ExtractionState.VERIFIED);
    // The stricter explicit run (every file through dcmdump and dciodvfy) agrees.
    VerifyResult v = verify("vclean");
    assertThat(v.clean()).as(describe("vclean") + v.summary()).isTrue();
    assertThat(v.count("files_verified")).isEqualTo(extracted.count("written"));
    Path root = Path.of(extracted.location());
    // Extract again with the default options (verify at the end): nothing is written, verify
    // runs again, and every byte of the extraction and its state are as before.
    Map<String, String> filesBefore = ExtractJobTest.contents(root);
    List<String> stateBefore = stateRows("vclean");
    ExtractResult again = extractAgain("vclean");
    assertThat(again.count("written")).as(again.summary()).isZero();
    assertThat(again.count("verify_errors")).as(again.summary()).isZero();
    assertThat(ExtractJobTest.contents(root)).isEqualTo(filesBefore);
    assertThat(stateRows("vclean")).isEqualTo(stateBefore);
    for (String report :
        List.of(
            ExtractionReports.README,
            ExtractionReports.REJECTIONS_CSV,
            ExtractionReports.ERRORS_CSV,
            ExtractionReports.FAILURES_CSV,
            VerifyJob.VERIFIED_LIST)) {
      assertThat(root.resolve(report)).exists();
    }
    String readme = Files.readString(root.resolve(ExtractionReports.README));
    assertThat(readme)
        .contains("cohort: `everything`")
        .contains("| files | " + extracted.count("written") + " |");
    long rejected = rows("vclean", ProjectTables.REJECTIONS).size();
    assertThat(
            Files.readAllLines(root.resolve(ExtractionReports.REJECTIONS_CSV)).size()
                + Files.readAllLines(root.resolve(ExtractionReports.ERRORS_CSV)).size()
                - 2)
        .isEqualTo(rejected);
    reportsReadOnlyTheExtractionAsTheWholeTablesWould("vclean", root);
    // The reports too are free of any identifying value of the PACS.
    List<String> identifying = identifyingValues();
    reportHtmlRendersItsChartsAndThumbnailsAndHoldsNoIdentifyingValue(
        root.resolve(ExtractionReports.REPORT_HTML), identifying);
    for (String report :
        List.of(
            ExtractionReports.README,
            ExtractionReports.REJECTIONS_CSV,
            ExtractionReports.ERRORS_CSV,
            ExtractionReports.FAILURES_CSV)) {
      assertThat(new PhiScanner().scan(root.resolve(report), identifying)).as(report).isEmpty();
    }

    // A file verify never scanned blocks the release; removed, the release goes through.
    Path stray = root.resolve("notes.txt");
    Files.writeString(stray, "added after verification");
    assertThatThrownBy(() -> release("vclean"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("notes.txt: not verified");
    Files.delete(stray);
    Map<String, String> before = ExtractJobTest.contents(root);
    JobResult released = release("vclean");
    assertThat(released.status()).isEqualTo(JobStatus.SUCCEEDED);
    Path target = Path.of(layout.projectRoot("vclean"), ReleaseJob.RELEASES_DIR, "everything");
    assertThat(ExtractJobTest.contents(target)).isEqualTo(before);
    assertThat(root).doesNotExist();
    assertThat(status("vclean")).isEqualTo(ExtractionState.RELEASED);
    List<Row> audit = rows("vclean", ExtractionState.AUDIT);
    assertThat(audit)
        .extracting(r -> r.<String>getAs("decision"))
        .containsExactlyInAnyOrder("refused", "released");
    assertThatThrownBy(() -> release("vclean")).hasMessageContaining("already released");
    assertThatThrownBy(() -> verify("vclean")).hasMessageContaining("released");
  }

  @Test
  void aPlantedSourceValueIsCaughtAndBlocksReleaseUntilANamedApproverAcceptsIt() throws Exception {
    ExtractResult extracted = extract("vplant", false);
    Path root = Path.of(extracted.location());
    // The first file by path, so that a failure can be reproduced.
    Row file =
        rows("vplant", ProjectTables.FILES).stream()
            .min(Comparator.comparing(r -> r.<String>getAs("path")))
            .orElseThrow();
    GroundTruth.FileEntry source = lake.sourceOf(file.getAs("source_uid_sha256"));
    String name = source.patientName();
    assertThat(name).isNotBlank();
    // The extract "missed" the name: put it back into a private attribute, as a buggy rule would.
    Path planted = root.resolve(file.<String>getAs("path"));
    AttributeList list = new AttributeList();
    list.read(planted.toString());
    list.put(attr(new LongStringAttribute(new AttributeTag(0x0011, 0x0010)), "TEST LEAK"));
    list.put(attr(new LongStringAttribute(new AttributeTag(0x0011, 0x1001)), name.toUpperCase()));
    list.remove(TagFromName.DataSetTrailingPadding);
    String ts = list.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString();
    list.write(planted.toFile(), ts, true, true);
    spark()
        .sql(
            "UPDATE delta.`"
                + layout.projectTable("vplant", ProjectTables.FILES)
                + "` SET sha256 = '"
                + ExtractJobTest.sha256File(planted)
                + "' WHERE path = '"
                + file.getAs("path")
                + "'");

    VerifyResult v = verify("vplant");
    assertThat(v.clean()).isFalse();
    assertThat(v.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(status("vplant")).isEqualTo(ExtractionState.FAILED);
    List<Row> failures = rows("vplant", ExtractionState.FAILURES);
    String nameHash = Failure.sha256(IdentifyingValues.normalise(name));
    assertThat(failures)
        .filteredOn(r -> r.getAs("check").equals(Failure.Check.RESIDUAL_VALUE))
        .allSatisfy(r -> assertThat(r.<String>getAs("path")).isEqualTo(file.getAs("path")))
        .anySatisfy(r -> assertThat(r.<String>getAs("found_sha256")).isEqualTo(nameHash));
    // Hashes and offsets only: the value is nowhere in the table or the report.
    assertThat(failures.toString()).doesNotContainIgnoringCase(name);
    assertThat(Files.readString(root.resolve(ExtractionReports.FAILURES_CSV)))
        .doesNotContainIgnoringCase(name);
    assertThat(describe("vplant")).doesNotContain("checksum_mismatch");
    // An extract re-run (verify at its end, as schedulers run it) exits 3 too: release is blocked.
    ExtractResult again = extractAgain("vplant");
    assertThat(again.count("written")).as(again.summary()).isZero();
    assertThat(again.count("verify_errors")).as(again.summary()).isPositive();
    assertThat(again.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(status("vplant")).isEqualTo(ExtractionState.FAILED);

    assertThatThrownBy(() -> release("vplant")).hasMessageContaining("failed verification");
    assertThatThrownBy(() -> release("vplant", ReleaseJob.OPTION_APPROVE_FAILURES, "true"))
        .hasMessageContaining("--reason");
    JobResult approved =
        release(
            "vplant",
            ReleaseJob.OPTION_APPROVE_FAILURES,
            "true",
            ReleaseJob.OPTION_REASON,
            "test: planted on purpose",
            ReleaseJob.OPTION_APPROVER,
            "Test Approver");
    assertThat(approved.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(Path.of(layout.projectRoot("vplant"), ReleaseJob.RELEASES_DIR, "everything"))
        .isDirectory();
    Row decision =
        rows("vplant", ExtractionState.AUDIT).stream()
            .filter(r -> r.getAs("decision").equals("released_with_approval"))
            .findFirst()
            .orElseThrow();
    assertThat(decision.<String>getAs("decided_by")).isEqualTo("Test Approver");
    assertThat(decision.<String>getAs("reason")).isEqualTo("test: planted on purpose");
    List<String> errorIds =
        failures.stream()
            .filter(r -> r.getAs("severity").equals(Failure.ERROR))
            .map(r -> r.<String>getAs("failure_id"))
            .sorted()
            .toList();
    assertThat(decision.<String>getList(decision.fieldIndex("approved_failure_ids")))
        .containsExactlyElementsOf(errorIds);
    assertThat(rows("vplant", ExtractionState.AUDIT))
        .extracting(r -> r.<String>getAs("decision"))
        .containsExactlyInAnyOrder("refused", "released_with_approval");
  }

  @Test
  void killedDuringVerifyThenRerunGivesTheResultOfACleanRun() throws Exception {
    ExtractResult extracted = extract("vkill", false);
    Path root = Path.of(extracted.location());
    verify("vkill");
    Map<String, String> files = ExtractJobTest.contents(root);
    List<String> tables = stateRows("vkill");
    String extractions = layout.projectTable("vkill", ExtractionState.EXTRACTIONS);
    long commits = KilledJvm.commits(extractions);
    KilledJvm.killWhen(
        repoRoot(),
        tempDir,
        VerifyMain.class,
        List.of(layout.home(), "vkill", "everything"),
        () -> KilledJvm.commits(extractions) > commits,
        5);
    // Killed after it set the status back to pending: nothing can be released meanwhile.
    assertThat(status("vkill")).isEqualTo(ExtractionState.PENDING);
    assertThatThrownBy(() -> release("vkill")).hasMessageContaining("is not verified");
    verify("vkill");
    assertThat(ExtractJobTest.contents(root)).isEqualTo(files);
    assertThat(stateRows("vkill")).isEqualTo(tables);
  }

  /**
   * The reports read only the extraction's own rows (its files, its source studies) yet count what
   * the queries over the whole tables that they replaced count: ages at study by a join of the
   * extraction's files with all of {@code deidentified.image} and {@code .study}, thumbnails chosen
   * by Spark's {@code sha2} order of every path.
   */
  static void reportsReadOnlyTheExtractionAsTheWholeTablesWould(String project, Path root) {
    ExtractionReports reports =
        new ExtractionReports(spark(), layout, project, "everything", root.toString());
    ExtractionReports.Inputs inputs = reports.inputs();
    assertThat(inputs.files()).hasSize(rows(project, ProjectTables.FILES).size());
    spark()
        .read()
        .format("delta")
        .load(layout.projectTable(project, ProjectTables.FILES))
        .where("extraction_id = 'everything'")
        .createOrReplaceTempView("verify_test_files");
    spark()
        .read()
        .format("delta")
        .load(layout.table(org.imaginglakehouse.core.zone.Zone.DEIDENTIFIED, "image"))
        .createOrReplaceTempView("verify_test_image");
    spark()
        .read()
        .format("delta")
        .load(layout.table(org.imaginglakehouse.core.zone.Zone.DEIDENTIFIED, "study"))
        .createOrReplaceTempView("verify_test_study");
    Map<String, Long> expected = new LinkedHashMap<>();
    for (Row r :
        spark()
            .sql(
                "SELECT least(CAST(floor(s.AgeAtStudy_years / 10) AS INT), 9) AS d, count(*)"
                    + " FROM (SELECT DISTINCT i.StudyInstanceUID AS study FROM verify_test_files f"
                    + " JOIN verify_test_image i ON f.source_uid_sha256 = sha2(i.SOPInstanceUID,"
                    + " 256)) x JOIN verify_test_study s ON x.study = s.StudyInstanceUID"
                    + " WHERE s.AgeAtStudy_years IS NOT NULL GROUP BY d ORDER BY d")
            .collectAsList()) {
      int d = r.getInt(0);
      expected.put(d >= 9 ? "90+" : (d * 10) + "\u2013" + (d * 10 + 9), r.getLong(1));
    }
    assertThat(ExtractionHtml.ageAtStudy(reports, inputs.sourceStudies()))
        .isNotEmpty()
        .isEqualTo(expected);
    List<String> bySha2 =
        spark()
            .sql("SELECT path FROM verify_test_files ORDER BY sha2(path, 256)")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(ExtractionHtml.thumbnailOrder(inputs.files())).isEqualTo(bySha2);
  }

  /**
   * report.html of a real extraction: self-contained (no URL, no script), free of identifying
   * values in its text and in its decoded pictures, and rendered by headless Chromium with its bar
   * charts and every thumbnail drawn and nothing logged to the console.
   */
  static void reportHtmlRendersItsChartsAndThumbnailsAndHoldsNoIdentifyingValue(
      Path html, List<String> identifying) throws Exception {
    String page = Files.readString(html);
    assertThat(page)
        .doesNotContainPattern("(?i)https?:|<script|<link|<iframe|@import")
        .contains("<svg")
        .contains("Instances per modality")
        .contains("data:image/png;base64,");
    // The studies-per-year chart has bars: StudyDate (shifted) is in the extraction's metadata.
    java.util.regex.Matcher years =
        java.util.regex.Pattern.compile(
                "<svg[^>]*aria-label=\"Studies per year \\(shifted dates\\)\">(.*?)</svg>",
                java.util.regex.Pattern.DOTALL)
            .matcher(page);
    assertThat(years.find()).as("studies-per-year chart").isTrue();
    assertThat(years.group(1)).contains("<rect").doesNotContain("no data");
    java.util.regex.Matcher uri =
        java.util.regex.Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(page);
    int pictures = 0;
    while (uri.find()) {
      byte[] png = java.util.Base64.getDecoder().decode(uri.group(1));
      assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)))
          .as("thumbnail %d decodes as PNG", pictures)
          .isNotNull();
      assertThat(new PhiScanner().scan(png, identifying)).as("thumbnail " + pictures).isEmpty();
      pictures++;
    }
    assertThat(pictures).isBetween(1, ExtractionReports.THUMBNAILS);
    String text = uri.reset().replaceAll("data:image/png;base64,");
    assertThat(
            new PhiScanner()
                .scan(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), identifying))
        .as("report.html text")
        .isEmpty();

    org.imaginglakehouse.extract.testing.HeadlessChromium.Rendered shown =
        org.imaginglakehouse.extract.testing.HeadlessChromium.render(html, tempDir, 1200, 2400);
    assertThat(shown.log())
        .doesNotContain("Uncaught")
        .doesNotContain("Failed to load resource")
        .doesNotContain("Refused to")
        .doesNotContain("Not allowed to load");
    int bar =
        Integer.parseInt(
            org.imaginglakehouse.extract.report.HtmlReport.BAR_COLOUR.substring(1), 16);
    assertThat(org.imaginglakehouse.extract.testing.HeadlessChromium.count(shown.screenshot(), bar))
        .as("pixels of the chart bars")
        .isGreaterThan(300);
    long[] greys = org.imaginglakehouse.extract.testing.HeadlessChromium.greys(shown.screenshot());
    assertThat(greys[0])
        .as("grey pixels of %d thumbnails", pictures)
        .isGreaterThan(pictures * 300L);
    assertThat(greys[1]).as("grey levels of the thumbnails").isGreaterThan(20);
  }

  /** The failures and the extraction's row, without run ids and times. */
  static List<String> stateRows(String project) {
    List<String> out = new ArrayList<>();
    for (String table : List.of(ExtractionState.FAILURES, ExtractionState.EXTRACTIONS)) {
      out.add(table);
      out.addAll(
          spark()
              .read()
              .format("delta")
              .load(layout.projectTable(project, table))
              .where("extraction_id = 'everything'")
              .drop("run_id", "recorded_at", "verify_run_id", "verified_at", "updated_at")
              .selectExpr("to_json(struct(*)) AS j")
              .orderBy("j")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList());
    }
    return out;
  }

  /** What verify found, by check and detail (never values), for assertion messages. */
  static String describe(String project) {
    StringBuilder out = new StringBuilder();
    for (Row r : rows(project, ExtractionState.FAILURES)) {
      out.append(r.<String>getAs("severity"))
          .append(' ')
          .append(r.<String>getAs("check"))
          .append(' ')
          .append(r.<String>getAs("detail"))
          .append(' ')
          .append(r.<String>getAs("path"))
          .append('\n');
    }
    return out.toString();
  }

  static <A extends com.pixelmed.dicom.Attribute> A attr(A a, String value) throws Exception {
    a.addValue(value);
    return a;
  }

  static List<String> identifyingValues() {
    List<String> out = new ArrayList<>();
    for (GroundTruth.Patient p : lake.truth.patients()) {
      for (String v :
          new String[] {
            p.chi(), p.familyName(), p.givenName(), p.birthDate(), p.address(), p.postcode()
          }) {
        if (v != null && v.strip().length() >= 4) {
          out.add(v.strip());
        }
      }
    }
    return out;
  }
}
