package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.extract.report.HtmlReport;
import org.imaginglakehouse.extract.report.Thumbnails;
import org.imaginglakehouse.extract.verify.Failure;

/**
 * Gathers what {@code report.html} shows from what verify read of the extraction ({@link
 * ExtractionReports.Inputs}: its files, source studies, redactions), the ages at study of those
 * studies in {@code deidentified.study} (never a birth date) and the released files themselves
 * (thumbnails), and renders it with {@link HtmlReport}. Deterministic, like the other reports: the
 * same extraction gives the same bytes.
 */
final class ExtractionHtml {
  private ExtractionHtml() {}

  static String render(
      ExtractionReports reports,
      ProjectConfig config,
      ExtractionReports.Inputs inputs,
      ExtractionReports.Extracted extracted,
      Map<String, Long> rejectionsByReason,
      Map<String, Long> errorsByReason) {
    return HtmlReport.render(
        new HtmlReport.Data(
            reports.project(),
            Profiles.of(config).summary(),
            config.pixelPolicy(),
            extracted.files(),
            extracted.bytes(),
            extracted.modalities(),
            rejectionsByReason,
            errorsByReason,
            extracted.studyYears(),
            ageAtStudy(reports, inputs.sourceStudies()),
            thumbnails(reports, inputs.files(), extracted.modalityOf()),
            inputs.redacted().size(),
            redactedThumbnails(reports, inputs.redacted(), extracted.modalityOf())));
  }

  /**
   * Studies by decade of age at study, from {@code deidentified.study.AgeAtStudy_years} of the
   * extraction's source studies only (a semi-join with their broadcast list, not a join of the
   * whole inventory).
   */
  static Map<String, Long> ageAtStudy(ExtractionReports reports, Set<String> studies) {
    Map<String, Long> out = new LinkedHashMap<>();
    String studyTable = reports.layout().table(Zone.DEIDENTIFIED, "study");
    if (studies.isEmpty() || !ProjectFiles.exists(new Path(studyTable, "_delta_log"))) {
      return out;
    }
    Dataset<Row> study = reports.spark().read().format("delta").load(studyTable);
    if (!Arrays.asList(study.columns()).contains("AgeAtStudy_years")) {
      return out;
    }
    Dataset<Row> wanted =
        reports
            .spark()
            .createDataset(new ArrayList<>(studies), Encoders.STRING())
            .toDF("wanted_study");
    Map<Integer, Long> byDecade = new TreeMap<>();
    for (Row r :
        study
            .join(
                functions.broadcast(wanted),
                col("StudyInstanceUID").equalTo(col("wanted_study")),
                "left_semi")
            .where(col("AgeAtStudy_years").isNotNull())
            .select(
                functions
                    .least(
                        functions.floor(col("AgeAtStudy_years").divide(10)).cast("int"),
                        functions.lit(9))
                    .as("decade"))
            .groupBy("decade")
            .count()
            .collectAsList()) {
      byDecade.put(r.getInt(0), r.getLong(1));
    }
    byDecade.forEach((d, n) -> out.put(d >= 9 ? "90+" : (d * 10) + "\u2013" + (d * 10 + 9), n));
    return out;
  }

  /** Every redacted image as released, its blacked-out regions outlined. */
  private static List<HtmlReport.Thumbnail> redactedThumbnails(
      ExtractionReports reports,
      Map<String, List<Region>> redacted,
      Map<String, String> modalityOf) {
    List<HtmlReport.Thumbnail> out = new ArrayList<>();
    for (Map.Entry<String, List<Region>> e : redacted.entrySet()) {
      Path file = new Path(reports.root(), e.getKey());
      if (!ProjectFiles.exists(file)) {
        continue;
      }
      List<int[]> regions =
          e.getValue().stream().map(r -> new int[] {r.x(), r.y(), r.width(), r.height()}).toList();
      Optional<byte[]> png = Thumbnails.png(ProjectFiles.read(file), regions);
      png.ifPresent(
          p ->
              out.add(
                  new HtmlReport.Thumbnail(
                      "redacted "
                          + modalityOf.getOrDefault(e.getKey(), "image")
                          + " "
                          + (out.size() + 1),
                      p)));
    }
    return out;
  }

  /** The files' paths in the order of their SHA-256 (hex): a stable sample for the thumbnails. */
  static List<String> thumbnailOrder(List<Row> files) {
    TreeMap<String, String> byHash = new TreeMap<>();
    files.forEach(r -> byHash.put(Failure.sha256(r.getString(1)), r.getString(1)));
    return new ArrayList<>(byHash.values());
  }

  /** Up to {@link ExtractionReports#THUMBNAILS} released images, chosen by path hash. */
  private static List<HtmlReport.Thumbnail> thumbnails(
      ExtractionReports reports, List<Row> files, Map<String, String> modalityOf) {
    List<HtmlReport.Thumbnail> out = new ArrayList<>();
    // Four candidates per thumbnail shown (a file that is gone or not an image is skipped).
    List<String> paths =
        thumbnailOrder(files).stream().limit(ExtractionReports.THUMBNAILS * 4L).toList();
    for (String path : paths) {
      if (out.size() >= ExtractionReports.THUMBNAILS) {
        break;
      }
      Path file = new Path(reports.root(), path);
      if (!ProjectFiles.exists(file)) {
        continue;
      }
      Optional<byte[]> png = Thumbnails.png(ProjectFiles.read(file));
      png.ifPresent(
          p ->
              out.add(
                  new HtmlReport.Thumbnail(
                      modalityOf.getOrDefault(path, "image") + " " + (out.size() + 1), p)));
    }
    return out;
  }
}
