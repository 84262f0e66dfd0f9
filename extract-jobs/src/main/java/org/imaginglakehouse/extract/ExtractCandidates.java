package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Turns what was asked for (cohort members or UIDs) into the instances of an extraction, each with
 * the rejection reason that keeps it out (NULL when it is extracted). Rules run before any file is
 * read, in a fixed order (the first that applies is the reason), SMI's CohortExtractor rejectors:
 * see {@link Rejection}. With the pixel policy {@code redact}, burned-in text is not a rejection
 * but marks the image {@link #REDACT}.
 */
final class ExtractCandidates {
  static final String EUPI = "eupi";
  static final String STUDY = "StudyInstanceUID";
  static final String SERIES = "SeriesInstanceUID";
  static final String SOP = "SOPInstanceUID";
  static final String REASON = "reason";
  static final String LEVEL = "level";
  static final String ASKED_UID = "asked_uid";

  /**
   * True when the image goes through the redaction (policy {@code redact}, and BurnedInAnnotation
   * YES or OCR found text); images a signature rule matches are redacted too (found by the writer).
   */
  static final String REDACT = "redact";

  /** Transfer syntaxes whose data set cannot be rewritten around verbatim pixel bytes. */
  static final Set<String> UNSUPPORTED_SYNTAXES =
      Set.of(
          "1.2.840.10008.1.2.1.99", // deflated explicit VR little endian
          "1.2.840.10008.1.2.2"); // explicit VR big endian (retired)

  private ExtractCandidates() {}

  /**
   * The instances of {@code image} that {@code asked} names at {@code level} (the finest UID column
   * of {@code asked}), joined with their files in {@code instances}; plus one row per asked UID
   * that matches nothing, with reason {@link Rejection#NOT_IN_INVENTORY}.
   */
  static Dataset<Row> expand(
      Dataset<Row> asked, String level, Dataset<Row> image, Dataset<Row> instances) {
    String key = uidColumn(level);
    Dataset<Row> keys = asked.select(col(key).cast("string").as(ASKED_UID)).distinct();
    Dataset<Row> found =
        keys.join(image, keys.col(ASKED_UID).equalTo(image.col(key)), "inner").drop(ASKED_UID);
    Dataset<Row> files =
        instances.select(
            col(SOP).as("i_sop"),
            col("file_path"),
            col("file_checksum"),
            col("TransferSyntaxUID").as("i_transfer_syntax"),
            col("SOPClassUID").as("i_sop_class"),
            col("Modality").as("i_modality"),
            col("ImageType").as("i_image_type"),
            col("BurnedInAnnotation").as("i_burned_in_annotation"),
            col("PatientID").as("i_patient_id"));
    Dataset<Row> joined =
        found.join(files, found.col(SOP).equalTo(files.col("i_sop")), "left").drop("i_sop");
    Dataset<Row> missing =
        keys.join(image, keys.col(ASKED_UID).equalTo(image.col(key)), "left_anti")
            .select(col(ASKED_UID), lit(level).as(LEVEL));
    return joined
        .withColumn(ASKED_UID, lit(null).cast("string"))
        .withColumn(LEVEL, lit("image"))
        .unionByName(missing.withColumn(REASON, lit(Rejection.NOT_IN_INVENTORY.id())), true);
  }

  /** Adds {@link #REASON}: the first rule that rejects the instance, or NULL. */
  static Dataset<Row> judge(Dataset<Row> candidates, ProjectConfig project, List<String> optOut) {
    List<String> columns = List.of(candidates.columns());
    Column reason = col(REASON);
    List<Column[]> rules = new ArrayList<>();
    rules.add(rule(col("file_path").isNull(), Rejection.NOT_INGESTED));
    if (!project.modalities().isEmpty()) {
      rules.add(
          rule(
              functions.not(
                  functions.coalesce(
                      functions.upper(col("i_modality")).isin(project.modalities().toArray()),
                      lit(false))),
              Rejection.MODALITY_NOT_ALLOWED));
    }
    if (!project.sopClasses().contains("*")) {
      rules.add(
          rule(
              functions.not(
                  functions.coalesce(
                      col("i_sop_class").isin(project.sopClasses().toArray()), lit(false))),
              Rejection.SOP_CLASS_NOT_ALLOWED));
    }
    if (!project.imageTypes().isEmpty() && !project.imageTypes().contains("*")) {
      Column firstTwo =
          functions.upper(functions.concat_ws("\\", functions.slice(col("i_image_type"), 1, 2)));
      rules.add(
          rule(
              functions.not(
                  functions.coalesce(
                      firstTwo.isin(
                          project.imageTypes().stream()
                              .map(t -> t.toUpperCase(Locale.ROOT))
                              .toArray()),
                      lit(false))),
              Rejection.IMAGE_TYPE_NOT_ALLOWED));
    }
    if (!optOut.isEmpty()) {
      Column chi = functions.regexp_replace(col("i_patient_id"), "[^0-9]", "");
      rules.add(
          rule(
              functions
                  .coalesce(col(EUPI).isin(optOut.toArray()), lit(false))
                  .or(functions.coalesce(chi.isin(optOut.toArray()), lit(false))),
              Rejection.OPTED_OUT));
    }
    Column annotated =
        functions.coalesce(
            functions.upper(functions.trim(col("i_burned_in_annotation"))).equalTo("YES"),
            lit(false));
    Column burnedIn =
        functions.coalesce(
            columns.contains("burned_in_text") ? col("burned_in_text") : lit(null), lit(false));
    Column ocrStatus = columns.contains("ocr_status") ? col("ocr_status") : lit(null);
    // Screened: OCR read the image (with `redact`, text is fine: the redaction blacks it out).
    Column screened =
        project.redacts() ? ocrStatus.isin("no_text", "text") : ocrStatus.equalTo("no_text");
    if (!project.redacts()) {
      rules.add(rule(annotated, Rejection.BURNED_IN_ANNOTATION));
      rules.add(rule(burnedIn, Rejection.BURNED_IN_TEXT));
    }
    rules.add(
        rule(
            functions
                .upper(col("i_modality"))
                .isin(project.requireScreening().toArray())
                .and(functions.not(functions.coalesce(screened, lit(false)))),
            Rejection.NOT_SCREENED));
    rules.add(
        rule(
            functions.coalesce(
                col("i_transfer_syntax").isin(UNSUPPORTED_SYNTAXES.toArray()), lit(false)),
            Rejection.UNSUPPORTED_TRANSFER_SYNTAX));
    // Folded last rule first, so the first rule in the list wins.
    Column folded = lit(null).cast("string");
    for (int i = rules.size() - 1; i >= 0; i--) {
      folded = when(rules.get(i)[0], rules.get(i)[1]).otherwise(folded);
    }
    return candidates
        .withColumn(REASON, functions.coalesce(reason, folded).cast("string"))
        .withColumn(REDACT, lit(project.redacts()).and(annotated.or(burnedIn)));
  }

  private static Column[] rule(Column condition, Rejection rejection) {
    return new Column[] {functions.coalesce(condition, lit(false)), lit(rejection.id())};
  }

  static String uidColumn(String level) {
    return switch (level) {
      case "study" -> STUDY;
      case "series" -> SERIES;
      case "image" -> SOP;
      default -> throw new LakehouseException("Unknown extraction level " + level);
    };
  }
}
