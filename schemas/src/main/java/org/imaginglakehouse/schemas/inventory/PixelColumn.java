package org.imaginglakehouse.schemas.inventory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pixel-derived image column a template may request under {@code pixel:}: a value computed by
 * {@code lakehouse features} ({@code identifiable.pixel_features}) or {@code lakehouse ocr} ({@code
 * identifiable.pixel_text_flags}) that carries nothing identifying. The catalogue ({@link
 * #CATALOG}) is fixed in code and only reads source columns that the pixel jobs mark {@code
 * promotable=true} in their schemas: OCR words, boxes and per-word confidences, decode/status
 * reasons (which may hold file paths) and checksums can never be requested. A template asking for
 * anything outside the catalogue is refused ({@link #refusal}).
 *
 * @param name column name in {@code deidentified.image}
 * @param table source table in the identifiable zone ({@link #FEATURES} or {@link #OCR_FLAGS})
 * @param expression Spark SQL over the source table's columns
 * @param type value type ({@code array} for arrays of it)
 * @param sources the source table's columns the expression reads (all must be promotable)
 * @param description what the value means (documentation)
 */
public record PixelColumn(
    String name,
    String table,
    String expression,
    ValueType type,
    boolean array,
    List<String> sources,
    String description) {

  /** {@code identifiable.pixel_features} (one row per instance, key SOPInstanceUID). */
  public static final String FEATURES = "pixel_features";

  /** {@code identifiable.pixel_text_flags} (one row per instance, key SOPInstanceUID). */
  public static final String OCR_FLAGS = "pixel_text_flags";

  /** The output column this produces. */
  public OutputColumn output() {
    return new OutputColumn(name, type, array);
  }

  /** Start of a CASE that keeps an OCR value only when the image was actually OCRed. */
  private static final String OCRED = "CASE WHEN ocr_status IN ('text', 'no_text') THEN ";

  /** The promotable pixel columns, by name, in documentation order. */
  public static final Map<String, PixelColumn> CATALOG = catalog();

  private static Map<String, PixelColumn> catalog() {
    Map<String, PixelColumn> m = new LinkedHashMap<>();
    add(
        m,
        new PixelColumn(
            "ocr_status",
            OCR_FLAGS,
            "ocr_status",
            ValueType.STRING,
            false,
            List.of("ocr_status"),
            "text / no_text / undecodable / skipped_by_policy"));
    add(
        m,
        new PixelColumn(
            "burned_in_text",
            OCR_FLAGS,
            OCRED
                + "coalesce(has_burned_in_text, FALSE) OR coalesce(matches_patient_identity, FALSE)"
                + " END",
            ValueType.BOOLEAN,
            false,
            List.of("ocr_status", "has_burned_in_text", "matches_patient_identity"),
            "true when OCR found text or a patient-identity match; NULL when not OCRed"
                + " (skipped_by_policy, undecodable)"));
    add(
        m,
        new PixelColumn(
            "ocr_identity_match",
            OCR_FLAGS,
            OCRED + "matches_patient_identity END",
            ValueType.BOOLEAN,
            false,
            List.of("ocr_status", "matches_patient_identity"),
            "OCR text matched the patient's name, ID, birth date or accession number; NULL when"
                + " not OCRed"));
    add(
        m,
        new PixelColumn(
            "ocr_text_word_count",
            OCR_FLAGS,
            OCRED + "text_word_count END",
            ValueType.INT,
            false,
            List.of("ocr_status", "text_word_count"),
            "number of confident words (a count, never the words); NULL when not OCRed"));
    add(
        m,
        new PixelColumn(
            "pixel_decode_status",
            FEATURES,
            "decode_status",
            ValueType.STRING,
            false,
            List.of("decode_status"),
            "decoded / undecodable (the reason is not promotable)"));
    add(m, feature("pixel_min", "pixel_min", ValueType.DOUBLE, "minimum in modality units"));
    add(m, feature("pixel_max", "pixel_max", ValueType.DOUBLE, "maximum in modality units"));
    add(m, feature("pixel_mean", "pixel_mean", ValueType.DOUBLE, "mean in modality units"));
    add(m, feature("pixel_std", "pixel_std", ValueType.DOUBLE, "standard deviation"));
    add(
        m,
        feature(
            "pixel_background_fraction",
            "background_fraction",
            ValueType.DOUBLE,
            "fraction of pixels within 2 % of the range above the minimum"));
    add(
        m,
        feature("pixel_overlay_count", "overlay_count", ValueType.INT, "number of overlay planes"));
    add(
        m,
        new PixelColumn(
            "pixel_histogram",
            FEATURES,
            "histogram",
            ValueType.BIGINT,
            true,
            List.of("histogram"),
            "16-bin histogram between pixel_min and pixel_max"));
    return java.util.Collections.unmodifiableMap(m);
  }

  private static PixelColumn feature(String name, String source, ValueType type, String what) {
    return new PixelColumn(name, FEATURES, source, type, false, List.of(source), what);
  }

  private static void add(Map<String, PixelColumn> m, PixelColumn c) {
    m.put(c.name(), c);
  }

  /**
   * Names that exist in the pixel tables but must never cross, with the reason (for a clear refusal
   * message).
   */
  private static final Map<String, String> NEVER = never();

  private static Map<String, String> never() {
    Map<String, String> m = new TreeMap<>();
    String text = "is OCR text content (identifiable.pixel_text) and is never promoted";
    for (String c : List.of("word", "words", "line", "word_index", "source", "frame", "pass")) {
      m.put(c, text);
    }
    String box = "is an OCR word box/confidence (identifiable.pixel_text) and is never promoted";
    for (String c :
        List.of("confidence", "box_left", "box_top", "box_width", "box_height", "boxes")) {
      m.put(c, box);
    }
    String free = "is free text that may hold file paths or identifiers and is never promoted";
    for (String c : List.of("status_reason", "decode_reason")) {
      m.put(c, free);
    }
    String id = "identifies the instance or its file and is never promoted";
    for (String c :
        List.of(
            "SOPInstanceUID",
            "SeriesInstanceUID",
            "StudyInstanceUID",
            // the pixel jobs' key names until 2026-12
            "sop_instance_uid",
            "series_instance_uid",
            "study_instance_uid",
            "file_checksum",
            "run_id",
            "processed_time")) {
      m.put(c, id);
    }
    m.put(
        "matched_identity",
        "names the kinds of identity matched; promote ocr_identity_match or burned_in_text");
    return m;
  }

  /** Why a template may not request {@code name} under {@code pixel:}, or null when it may. */
  public static String refusal(String name) {
    if (CATALOG.containsKey(name)) {
      return null;
    }
    String never = NEVER.get(name);
    if (never != null) {
      return name + " " + never;
    }
    return name
        + " is not a promotable pixel column (promotable: "
        + String.join(", ", CATALOG.keySet())
        + ")";
  }

  /** Text that identifies the catalogue's definitions (mixed into the promotion fingerprint). */
  static String catalogDescription() {
    StringBuilder sb = new StringBuilder();
    for (PixelColumn c : CATALOG.values()) {
      sb.append(c.name())
          .append('|')
          .append(c.table())
          .append('|')
          .append(c.expression())
          .append('|')
          .append(c.output().sqlType())
          .append('\n');
    }
    return sb.toString();
  }
}
