package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.pixel.PixelRedactor;
import org.imaginglakehouse.extract.pixel.RedactedImage;
import org.imaginglakehouse.extract.pixel.RedactionCheck;
import org.imaginglakehouse.extract.testing.UltrasoundPacs;
import org.imaginglakehouse.extract.verify.Failure;
import org.imaginglakehouse.extract.verify.PixelOcr;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.transform.ocr.IdentityMatcher;
import org.imaginglakehouse.transform.ocr.OcrSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pixel.policy: redact} end to end: a synthetic PACS of ultrasound images with burned-in
 * names, CHIs and birth dates (SMALL pixels), ingested, OCRed by {@code lakehouse ocr}, promoted.
 * Every image with burned-in text is either released redacted (every ground-truth text box black,
 * BurnedInAnnotation NO, uncompressed, and a re-OCR of the released pixels finds none of the
 * source's identity) or rejected with a reason; never released with its text. With {@code reject}
 * none of them is released. One image is replaced by its JPEG-LS encoding (dcmtk {@code dcmcjpls}):
 * rejected with the reason under both policies.
 */
class RedactExtractTest extends SparkTestBase {
  static ExtractLakehouse lake;
  static ZoneLayout layout;
  static GroundTruth.FileEntry jpegLs;
  static final RedactionCheck OCR = new RedactionCheck(OcrSettings.defaults());

  @BeforeAll
  static void lakehouse() {
    lake =
        ExtractLakehouse.build(
            spark(),
            tempDir,
            newHomeConfig("redact-home"),
            UltrasoundPacs.options(4, 0.2)
                .invalidChiRate(0) // every patient promoted (the JPEG-LS image's too)
                .missingChiRate(0)
                .threads(1)
                .build(),
            true,
            RedactExtractTest::oneJpegLs);
    layout = ZoneLayout.from(lake.config);
    lake.cohort(
        spark(),
        "us",
        "SELECT eupi, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID FROM deidentified.image"
            + " WHERE Modality = 'US'");
  }

  /** Replaces a native image with burned-in text and BurnedInAnnotation YES by its JPEG-LS. */
  static void oneJpegLs(GroundTruth truth) {
    jpegLs =
        truth.withBurnedInText().stream()
            .filter(
                f ->
                    "YES".equals(f.burnedInAnnotation())
                        && List.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1")
                            .contains(f.transferSyntaxUid()))
            .findFirst()
            .orElseThrow();
    try {
      Path source = truth.resolve(jpegLs);
      Path encoded = source.resolveSibling("jls.tmp");
      Process p =
          new ProcessBuilder("dcmcjpls", source.toString(), encoded.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      Files.move(encoded, source, StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> options(String project, String yaml, String... more) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(ExtractJob.OPTION_PROJECT, project);
    o.put(ExtractJob.OPTION_VERIFY, "false");
    o.put(
        ExtractJob.OPTION_PROJECT_CONFIG,
        ExtractLakehouse.projectFile(tempDir, project, yaml).toString());
    for (int i = 0; i < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return o;
  }

  static List<Row> table(String project, String table) {
    String location = layout.projectTable(project, table);
    if (!io.delta.tables.DeltaTable.isDeltaTable(spark(), location)) {
      return List.of();
    }
    return spark().read().format("delta").load(location).collectAsList();
  }

  static Map<String, GroundTruth.FileEntry> bySourceHash() {
    Map<String, GroundTruth.FileEntry> out = new HashMap<>();
    for (GroundTruth.FileEntry f : lake.truth.instances()) {
      out.put(ExtractJob.sha256Hex(f.sopInstanceUid()), f);
    }
    return out;
  }

  @Test
  void burnedInTextIsRedactedOrRejectedNeverReleased() throws Exception {
    ExtractResult result =
        lake.extract(
            spark(),
            options(
                "red",
                "cohorts: [us]\npixel: {policy: redact, redact_lossy: true}\n",
                ExtractJob.OPTION_COHORT,
                "us"),
            ExtractLakehouse.KEY_A);
    System.out.print(result.summary());
    Map<String, GroundTruth.FileEntry> sources = bySourceHash();
    Map<String, Row> redactions = new HashMap<>();
    table("red", Redactions.TABLE).forEach(r -> redactions.put(r.getAs("SOPInstanceUID"), r));
    int releasedWithText = 0;
    for (Row file : table("red", ProjectTables.FILES)) {
      GroundTruth.FileEntry source = sources.get(file.<String>getAs("source_uid_sha256"));
      assertThat(source).isNotNull();
      if (source.burnedInText().isEmpty()) {
        continue;
      }
      releasedWithText++;
      String path = file.getAs("path");
      assertThat(redactions).as(path).containsKey(file.<String>getAs("SOPInstanceUID"));
      byte[] bytes = Files.readAllBytes(Path.of(result.location(), path));
      AttributeList released = PixelRedactor.parse(bytes);
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(released, TagFromName.BurnedInAnnotation))
          .isEqualTo("NO");
      assertThat(
              Attribute.getSingleStringValueOrEmptyString(released, TagFromName.TransferSyntaxUID))
          .isEqualTo("1.2.840.10008.1.2.1");
      RedactedImage pixels = PixelRedactor.decode(released, false);
      for (GroundTruth.TextBox b : source.burnedInText()) {
        int[] frame = pixels.frame(b.frame());
        int samples = frame.length / (source.rows() * source.columns());
        for (int y = b.y(); y < b.y() + b.h(); y++) {
          for (int x = b.x(); x < b.x() + b.w(); x++) {
            assertThat(frame[(y * source.columns() + x) * samples])
                .as("%s %s at %d,%d", path, b.kind(), x, y)
                .isZero();
          }
        }
      }
      RedactionCheck.Result again =
          OCR.check(
              pixels,
              IdentityMatcher.of(
                  source.patientName(),
                  source.patientId(),
                  source.patientBirthDate(),
                  source.accessionNumber()));
      assertThat(again.identity()).as(path).isEmpty();
    }
    assertThat(releasedWithText).as("images with burned-in text released redacted").isPositive();
    assertThat(result.count("redacted")).isGreaterThanOrEqualTo(releasedWithText);
    Map<String, String> reasons = new HashMap<>();
    for (Row r : table("red", ProjectTables.REJECTIONS)) {
      GroundTruth.FileEntry source = sources.get(r.<String>getAs("source_uid_sha256"));
      reasons.put(source.sopInstanceUid(), r.getAs("reason"));
      assertThat(r.<String>getAs("reason"))
          .isIn(
              "not_screened",
              "redaction_unsupported",
              "redaction_failed",
              "unsupported_transfer_syntax");
    }
    // OCR could not decode the JPEG-LS image: not screened, so not redacted either.
    assertThat(reasons).containsEntry(jpegLs.sopInstanceUid(), "not_screened");

    // Screening not required: the JPEG-LS image reaches the redaction, which refuses it; a native
    // image with burned-in text whose OCR boxes are gone (deleted for this run) and no signature
    // rule has nothing to black out. Both write-stage rejections reach the table, rejections.csv
    // (with the reason's message), README.md and report.html.
    GroundTruth.FileEntry boxless =
        lake.truth.withBurnedInText().stream()
            .filter(
                f ->
                    f != jpegLs
                        && List.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1")
                            .contains(f.transferSyntaxUid()))
            .findFirst()
            .orElseThrow();
    Path uids = tempDir.resolve("jpeg-ls.csv");
    Files.writeString(
        uids,
        "SOPInstanceUID\n" + jpegLs.sopInstanceUid() + "\n" + boxless.sopInstanceUid() + "\n");
    String text =
        layout.table(
            org.imaginglakehouse.core.zone.Zone.IDENTIFIABLE,
            org.imaginglakehouse.transform.ocr.OcrTables.TEXT_TABLE);
    long version =
        io.delta.tables.DeltaTable.forPath(spark(), text).history(1).first().getAs("version");
    spark()
        .sql(
            "DELETE FROM delta.`"
                + text
                + "` WHERE SOPInstanceUID = '"
                + boxless.sopInstanceUid()
                + "'");
    ExtractResult refusedRun;
    try {
      refusedRun =
          lake.extract(
              spark(),
              options(
                  "redls",
                  "pixel: {policy: redact, require_screening: [], builtin_signature_rules:"
                      + " false}\n",
                  ExtractJob.OPTION_UIDS,
                  uids.toString()),
              ExtractLakehouse.KEY_A);
    } finally {
      spark().sql("RESTORE TABLE delta.`" + text + "` TO VERSION AS OF " + version);
    }
    assertThat(refusedRun.count("rejected_redaction_unsupported")).isEqualTo(1);
    assertThat(refusedRun.count("rejected_redaction_failed")).isEqualTo(1);
    Map<String, Row> refused = new HashMap<>();
    table("redls", ProjectTables.REJECTIONS).forEach(r -> refused.put(r.getAs("reason"), r));
    assertThat(refused).containsOnlyKeys("redaction_unsupported", "redaction_failed");
    assertThat(refused.get("redaction_unsupported").<String>getAs("message"))
        .contains("JPEG-LS lossless");
    assertThat(refused.get("redaction_failed").<String>getAs("message"))
        .contains("nothing to black out");
    refused.values().forEach(r -> assertThat(r.<String>getAs("Modality")).isEqualTo("US"));

    ExtractionReports reports =
        new ExtractionReports(spark(), layout, "redls", "uids_jpeg_ls", refusedRun.location());
    reports.writeBeforeVerify(ProjectFiles.load(layout, "redls", ""), reports.inputs());
    Path root = Path.of(refusedRun.location());
    List<String> csv = Files.readAllLines(root.resolve(ExtractionReports.REJECTIONS_CSV));
    assertThat(csv.get(0)).isEqualTo("level,uid,reason,Modality,message");
    assertThat(csv.subList(1, csv.size()))
        .hasSize(2)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("image,")
                    .contains(",redaction_unsupported,US,")
                    .contains("JPEG-LS lossless"))
        .anySatisfy(
            l -> assertThat(l).contains(",redaction_failed,US,").contains("nothing to black out"));
    String readme = Files.readString(root.resolve(ExtractionReports.README));
    assertThat(readme)
        .contains("| redaction_unsupported | 1 |")
        .contains("| redaction_failed | 1 |")
        .contains("Pixel policy: `redact`");
    String html = Files.readString(root.resolve(ExtractionReports.REPORT_HTML));
    assertThat(html).contains("redaction_unsupported").contains("redaction_failed");
    assertThat(html).contains("<tr><th>rejected instances</th><td class=\"n\">2</td></tr>");
  }

  @Test
  void withRejectNoImageWithBurnedInTextIsReleased() throws Exception {
    lake.extract(
        spark(),
        options("rej", "cohorts: [us]\npixel: {policy: reject}\n", ExtractJob.OPTION_COHORT, "us"),
        ExtractLakehouse.KEY_A);
    Map<String, GroundTruth.FileEntry> sources = bySourceHash();
    for (Row file : table("rej", ProjectTables.FILES)) {
      assertThat(sources.get(file.<String>getAs("source_uid_sha256")).burnedInText()).isEmpty();
    }
    assertThat(table("rej", Redactions.TABLE)).isEmpty();
    Map<String, String> reasons = new HashMap<>();
    table("rej", ProjectTables.REJECTIONS)
        .forEach(
            r ->
                reasons.put(
                    sources.get(r.<String>getAs("source_uid_sha256")).sopInstanceUid(),
                    r.getAs("reason")));
    assertThat(reasons.get(jpegLs.sopInstanceUid())).isIn("burned_in_annotation", "not_screened");
  }

  @Test
  void verifyOcrsRedactedImagesAndAMissedRedactionBlocksRelease() throws Exception {
    ExtractResult extracted =
        lake.extract(
            spark(),
            options(
                "ver",
                "cohorts: [us]\npixel: {policy: redact, redact_lossy: true}\n",
                ExtractJob.OPTION_COHORT,
                "us"),
            ExtractLakehouse.KEY_A);
    VerifyResult clean = verify("ver");
    System.out.print(clean.summary());
    assertThat(clean.count("redacted_images")).isPositive();
    assertThat(pixelFailures("ver")).as("OCR of the redacted images").isEmpty();
    // The report shows every redacted image as released, its blacked-out regions outlined, and
    // passed the same scan.
    assertThat(table("ver", ExtractionState.FAILURES))
        .noneMatch(r -> r.<String>getAs("path").equals(ExtractionReports.REPORT_HTML));
    String html = Files.readString(Path.of(extracted.location(), ExtractionReports.REPORT_HTML));
    String section = html.substring(html.indexOf("<h2>Redacted images</h2>"));
    assertThat(section).contains(clean.count("redacted_images") + " images were redacted");
    java.util.regex.Matcher png =
        java.util.regex.Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(section);
    int outlined = 0;
    while (png.find()) {
      java.awt.image.BufferedImage img =
          javax.imageio.ImageIO.read(
              new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(png.group(1))));
      boolean red = false;
      for (int y = 0; y < img.getHeight() && !red; y++) {
        for (int x = 0; x < img.getWidth() && !red; x++) {
          red = (img.getRGB(x, y) & 0xffffff) == 0xff0000;
        }
      }
      outlined += red ? 1 : 0;
    }
    assertThat(outlined).isEqualTo(clean.count("redacted_images"));

    // A redaction that did not happen (a rule switched off): the source's pixels, text and all,
    // in a released file that claims to be redacted.
    Map<String, GroundTruth.FileEntry> sources = bySourceHash();
    Row missed = null;
    for (Row file : table("ver", ProjectTables.FILES)) {
      GroundTruth.FileEntry source = sources.get(file.<String>getAs("source_uid_sha256"));
      if (!source.burnedInText().isEmpty()
          && source.transferSyntaxUid().startsWith("1.2.840.10008.1.2")
          && !source.transferSyntaxUid().startsWith("1.2.840.10008.1.2.4")
          && !source.transferSyntaxUid().equals("1.2.840.10008.1.2.1.99")) {
        missed = file;
        break;
      }
    }
    assertThat(missed).as("a redacted image from native pixels").isNotNull();
    String missedPath = missed.getAs("path");
    GroundTruth.FileEntry source = sources.get(missed.<String>getAs("source_uid_sha256"));
    Path released = Path.of(extracted.location(), missed.<String>getAs("path"));
    AttributeList list = new AttributeList();
    list.read(released.toString());
    AttributeList original = new AttributeList();
    original.read(lake.truth.resolve(source).toString());
    list.put(original.get(TagFromName.PixelData));
    list.write(released.toFile(), "1.2.840.10008.1.2.1", true, true);
    spark()
        .sql(
            "UPDATE delta.`"
                + layout.projectTable("ver", ProjectTables.FILES)
                + "` SET sha256 = '"
                + ExtractJobTest.sha256File(released)
                + "' WHERE path = '"
                + missed.getAs("path")
                + "'");

    VerifyResult caught = verify("ver");
    assertThat(caught.clean()).isFalse();
    assertThat(pixelFailures("ver"))
        .anySatisfy(
            r -> {
              assertThat(r.<String>getAs("path")).isEqualTo(missedPath);
              assertThat(r.<String>getAs("check")).isEqualTo(PixelOcr.IDENTITY);
              assertThat(r.<String>getAs("severity")).isEqualTo(Failure.ERROR);
              assertThat(r.<String>getAs("found_sha256")).hasSize(64);
            });
    String table = pixelFailures("ver").toString();
    for (String part : source.patientName().split("\\^")) {
      assertThat(table).doesNotContainIgnoringCase(part);
    }
    assertThat(table).doesNotContain(source.patientId());
    assertThatThrownBy(
            () ->
                ReleaseJob.of(
                        spark(),
                        lake.config,
                        Map.of(
                            ReleaseJob.OPTION_PROJECT, "ver", ReleaseJob.OPTION_EXTRACTION, "us"))
                    .execute())
        .hasMessageContaining("failed verification");
  }

  @Test
  void aRedactingExtractKilledMidWriteThenRerunGivesTheFilesAndTablesOfOneCleanRun()
      throws Exception {
    String yaml = "cohorts: [us]\npixel: {policy: redact, redact_lossy: true}\n";
    Map<String, Map<String, String>> runs = new HashMap<>();
    for (String extraction : List.of("clean", "killed")) {
      runs.put(
          extraction,
          options(
              "redkill",
              yaml,
              ExtractJob.OPTION_COHORT,
              "us",
              ExtractJob.OPTION_EXTRACTION,
              extraction));
    }
    ExtractResult clean =
        ExtractJobTest.killedMidWriteThenRerun(
            lake,
            layout,
            "redkill",
            "us",
            ExtractLakehouse.KEY_A,
            runs::get,
            1, // killed once the first redacted file is in place
            List.of(
                ProjectTables.FILES,
                ProjectTables.REJECTIONS,
                ProjectTables.METADATA,
                Redactions.TABLE));
    assertThat(clean.count("redacted")).as(clean.summary()).isPositive();
  }

  static VerifyResult verify(String project) {
    return VerifyJob.of(
            spark(),
            lake.config,
            Map.of(VerifyJob.OPTION_PROJECT, project, VerifyJob.OPTION_EXTRACTION, "us"))
        .execute();
  }

  static List<Row> pixelFailures(String project) {
    return table(project, ExtractionState.FAILURES).stream()
        .filter(r -> r.<String>getAs("check").startsWith("pixel_"))
        .toList();
  }
}
