package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.extract.report.HtmlReport;
import org.imaginglakehouse.extract.report.Thumbnails;

/**
 * Gathers what {@code report.html} shows from the project's tables, the de-identified inventory
 * (age at study, never a birth date) and the released files themselves (thumbnails), and renders it
 * with {@link HtmlReport}. Deterministic, like the other reports: the same extraction gives the
 * same bytes.
 */
final class ExtractionHtml {
  private ExtractionHtml() {}

  static String render(
      ExtractionReports reports,
      ProjectConfig config,
      ExtractionReports.Extracted extracted,
      Map<String, Long> rejectionsByReason,
      Map<String, Long> errorsByReason) {
    Dataset<Row> files = reports.table(ProjectTables.FILES);
    Dataset<Row> metadata = reports.table(ProjectTables.METADATA);
    Map<String, List<Region>> redacted =
        Redactions.read(
            reports.spark(), reports.layout(), reports.project(), reports.extractionId());
    Map<String, Long> years = new TreeMap<>();
    if (metadata != null) {
      List<String> columns = Arrays.asList(metadata.columns());
      if (columns.contains("StudyDate")) {
        for (Row r :
            metadata
                .where(col("StudyDate").isNotNull())
                .select(
                    functions.year(col("StudyDate")).cast("string").as("year"),
                    col("StudyInstanceUID"))
                .distinct()
                .groupBy("year")
                .count()
                .collectAsList()) {
          years.put(r.getString(0), r.getLong(1));
        }
      }
    }
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
            years,
            ageAtStudy(reports, files),
            thumbnails(reports, files, extracted.modalityOf()),
            redacted.size(),
            redactedThumbnails(reports, redacted, extracted.modalityOf())));
  }

  /** Studies by decade of age at study, from {@code deidentified.study.AgeAtStudy_years}. */
  private static Map<String, Long> ageAtStudy(ExtractionReports reports, Dataset<Row> files) {
    Map<String, Long> out = new LinkedHashMap<>();
    String imageTable = reports.layout().table(Zone.DEIDENTIFIED, "image");
    String studyTable = reports.layout().table(Zone.DEIDENTIFIED, "study");
    if (files == null
        || !ProjectFiles.exists(new Path(imageTable, "_delta_log"))
        || !ProjectFiles.exists(new Path(studyTable, "_delta_log"))) {
      return out;
    }
    Dataset<Row> study = reports.spark().read().format("delta").load(studyTable);
    if (!Arrays.asList(study.columns()).contains("AgeAtStudy_years")) {
      return out;
    }
    Dataset<Row> image =
        reports
            .spark()
            .read()
            .format("delta")
            .load(imageTable)
            .select(
                functions.sha2(col("SOPInstanceUID"), 256).as("h"),
                col("StudyInstanceUID").as("study"));
    Dataset<Row> studies =
        files
            .join(image, files.col("source_uid_sha256").equalTo(image.col("h")))
            .select("study")
            .distinct();
    Map<Integer, Long> byDecade = new TreeMap<>();
    for (Row r :
        studies
            .join(study, studies.col("study").equalTo(study.col("StudyInstanceUID")))
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

  /** Up to {@link ExtractionReports#THUMBNAILS} released images, chosen by path hash. */
  private static List<HtmlReport.Thumbnail> thumbnails(
      ExtractionReports reports, Dataset<Row> files, Map<String, String> modalityOf) {
    List<HtmlReport.Thumbnail> out = new ArrayList<>();
    if (files == null) {
      return out;
    }
    List<String> paths =
        files
            .select("path")
            .orderBy(functions.sha2(col("path"), 256))
            .limit(ExtractionReports.THUMBNAILS * 4)
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
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
