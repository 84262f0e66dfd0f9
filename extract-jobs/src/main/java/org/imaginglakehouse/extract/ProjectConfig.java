package org.imaginglakehouse.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.Sha256;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.deid.ProfileOption;
import org.imaginglakehouse.extract.pixel.PixelRedactor;
import org.imaginglakehouse.extract.pixel.SignatureRules;

/**
 * A project's extraction rules, from its YAML file (docs/extract.md, "The project file"). Every key
 * is optional except {@code project}; defaults are the strict ones (SMI's CohortExtractor): only
 * ORIGINAL\PRIMARY images, image storage SOP classes, pixel screening required for the modalities
 * that burn in text, and de-identification in allow-list mode.
 */
public record ProjectConfig(
    String project,
    List<String> cohorts,
    List<String> modalities,
    String level,
    List<String> imageTypes,
    List<String> sopClasses,
    List<String> profileOptions,
    String profileMode,
    List<String> allowAttributes,
    List<String> safePrivate,
    List<String> metadataColumns,
    Map<String, List<String>> linkedColumns,
    String pixelPolicy,
    List<String> requireScreening,
    PixelRedactor.Options redaction,
    boolean keepOverlays,
    String optOutFile,
    String sha256)
    implements Serializable {

  /** ImageType values 1 and 2 accepted by default. */
  public static final List<String> DEFAULT_IMAGE_TYPES = List.of("ORIGINAL\\PRIMARY");

  /** Modalities whose images must have been OCR-screened clean (`no_text`) to be extracted. */
  public static final List<String> DEFAULT_REQUIRE_SCREENING =
      List.of("US", "SC", "OT", "XA", "RF", "ES", "CR", "DX", "MG", "IVUS", "OP", "XC");

  /**
   * SOP classes extracted by default: image storage classes whose pixel data the project can
   * screen. Encapsulated documents, SR, presentation states and raw data are not on it.
   */
  public static final List<String> DEFAULT_SOP_CLASSES =
      List.of(
          "1.2.840.10008.5.1.4.1.1.1", // CR
          "1.2.840.10008.5.1.4.1.1.1.1", // DX for presentation
          "1.2.840.10008.5.1.4.1.1.1.1.1", // DX for processing
          "1.2.840.10008.5.1.4.1.1.1.2", // MG for presentation
          "1.2.840.10008.5.1.4.1.1.1.2.1", // MG for processing
          "1.2.840.10008.5.1.4.1.1.2", // CT
          "1.2.840.10008.5.1.4.1.1.2.1", // enhanced CT
          "1.2.840.10008.5.1.4.1.1.3.1", // US multi-frame
          "1.2.840.10008.5.1.4.1.1.4", // MR
          "1.2.840.10008.5.1.4.1.1.4.1", // enhanced MR
          "1.2.840.10008.5.1.4.1.1.6.1", // US
          "1.2.840.10008.5.1.4.1.1.7", // secondary capture
          "1.2.840.10008.5.1.4.1.1.12.1", // XA
          "1.2.840.10008.5.1.4.1.1.12.2", // RF
          "1.2.840.10008.5.1.4.1.1.20", // NM
          "1.2.840.10008.5.1.4.1.1.128"); // PET

  /** Inventory columns a project receives in its metadata file unless it names others. */
  public static final List<String> DEFAULT_METADATA_COLUMNS =
      List.of(
          "Modality",
          "StudyDate",
          "BodyPartExamined",
          "SeriesNumber",
          "InstanceNumber",
          "Rows",
          "Columns",
          "ImageType",
          "Manufacturer");

  /**
   * Linked columns refused whatever the project file says (fail closed): identifiers that would
   * join a release back to the registry or the lakehouse.
   */
  static final java.util.regex.Pattern IDENTIFIER_LIKE =
      java.util.regex.Pattern.compile(
          "(?i)^(eupi|chi|id)$|_id$|^id_|nhs|name|address|postcode|birth|phone|email");

  static final Set<String> LEVELS = Set.of("study", "series", "image");
  public static final String REJECT = "reject";
  public static final String REDACT = "redact";
  static final Set<String> PIXEL_POLICIES = Set.of(REJECT, REDACT);

  public static ProjectConfig parse(byte[] yaml, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot read project file " + source + ": not valid YAML (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new LakehouseException(
          "Project file " + source + " must be a YAML mapping with at least `project: <name>`");
    }
    checkKeys(
        root,
        source,
        Set.of(
            "project",
            "cohorts",
            "modalities",
            "level",
            "image_types",
            "sop_classes",
            "profile",
            "metadata_columns",
            "linked",
            "pixel",
            "opt_out"));
    String project = text(root, "project", null);
    if (project == null) {
      throw new LakehouseException("Project file " + source + " has no `project: <name>`");
    }
    ZoneLayout.checkName("project", project);
    JsonNode profile = root.path("profile");
    checkKeys(profile, source + " profile", Set.of("mode", "options", "allow", "safe_private"));
    JsonNode pixel = root.path("pixel");
    checkKeys(
        pixel,
        source + " pixel",
        Set.of(
            "policy",
            "require_screening",
            "signature_rules",
            "builtin_signature_rules",
            "redact_lossy",
            "margin",
            "overlays"));
    String level = text(root, "level", "image").toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new LakehouseException(
          "Project file " + source + ": level must be study, series or image, not " + level);
    }
    String policy = text(pixel, "policy", "reject").toLowerCase(Locale.ROOT);
    if (!PIXEL_POLICIES.contains(policy)) {
      throw new LakehouseException(
          "Project file "
              + source
              + ": pixel.policy '"
              + policy
              + "' is not known: `reject` (images with burned-in text are rejected) or `redact`"
              + " (their text is blacked out and checked by OCR, else they are rejected)");
    }
    return new ProjectConfig(
        project,
        list(root, "cohorts", List.of()),
        upper(list(root, "modalities", List.of())),
        level,
        list(root, "image_types", DEFAULT_IMAGE_TYPES),
        list(root, "sop_classes", DEFAULT_SOP_CLASSES),
        list(profile, "options", List.of()),
        text(profile, "mode", "allow-list"),
        list(profile, "allow", List.of()),
        list(profile, "safe_private", List.of()),
        list(root, "metadata_columns", DEFAULT_METADATA_COLUMNS),
        linked(root.path("linked"), source),
        policy,
        upper(list(pixel, "require_screening", DEFAULT_REQUIRE_SCREENING)),
        redaction(pixel, source),
        keepOverlays(pixel, list(profile, "options", List.of()), source),
        text(root.path("opt_out"), "file", null),
        sha256(yaml));
  }

  /**
   * {@code linked:}, dataset → columns: the linked-dataset columns (tables {@code lakehouse link}
   * made in the de-identified zone) the project receives for its patients. Nothing by default.
   */
  private static Map<String, List<String>> linked(JsonNode node, String source) {
    Map<String, List<String>> out = new TreeMap<>();
    if (node.isMissingNode() || node.isNull()) {
      return Collections.unmodifiableMap(out);
    }
    if (!node.isObject()) {
      throw new LakehouseException(
          "Project file "
              + source
              + ": `linked` must map a dataset to its columns, e.g. linked: {smr06: [icd10,"
              + " diagnosis_date]}");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String dataset = ZoneLayout.checkName("linked dataset", it.next());
      List<String> columns = list(node, dataset, List.of());
      if (columns.isEmpty()) {
        throw new LakehouseException(
            "Project file " + source + ": linked." + dataset + " names no column");
      }
      for (String c : columns) {
        if (IDENTIFIER_LIKE.matcher(c).find()) {
          throw new LakehouseException(
              "Project file "
                  + source
                  + ": linked."
                  + dataset
                  + " may not list "
                  + c
                  + ": it looks like an identifier (the lakehouse pseudonym, a record id, a"
                  + " name, address or birth date), which could link the release back to its"
                  + " source; the project's PatientID is on every row already");
        }
      }
      out.put(dataset, columns);
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * {@code pixel:} redaction settings: the shipped signature rules (unless {@code
   * builtin_signature_rules: false}) followed by the project's {@code signature_rules}, the margin
   * around OCR boxes, and whether lossy (JPEG baseline) pixel data may be decoded to be redacted.
   */
  private static PixelRedactor.Options redaction(JsonNode pixel, String source) {
    JsonNode builtIn = pixel.path("builtin_signature_rules");
    JsonNode lossy = pixel.path("redact_lossy");
    JsonNode margin = pixel.path("margin");
    for (JsonNode flag : List.of(builtIn, lossy)) {
      if (!flag.isMissingNode() && !flag.isBoolean()) {
        throw new LakehouseException(
            "Project file "
                + source
                + ": pixel.builtin_signature_rules and pixel.redact_lossy are true or false");
      }
    }
    if (!margin.isMissingNode() && (!margin.canConvertToInt() || margin.asInt() < 0)) {
      throw new LakehouseException(
          "Project file " + source + ": pixel.margin is a number of pixels (0 or more)");
    }
    SignatureRules own =
        SignatureRules.parse(pixel.path("signature_rules"), source + " pixel.signature_rules");
    return new PixelRedactor.Options(
        builtIn.asBoolean(true) ? SignatureRules.builtIn().plus(own) : own,
        margin.asInt(PixelRedactor.Options.DEFAULT_MARGIN),
        lossy.asBoolean(false));
  }

  /**
   * {@code pixel.overlays}: {@code remove} (the default: every overlay group is dropped) or {@code
   * keep} (an overlay plane is released only when OCR reads no text on it, see {@link
   * org.imaginglakehouse.extract.pixel.OverlayScreen}); keeping needs the profile option {@code
   * clean-graphics}, the PS3.15 option that says graphics were cleaned.
   */
  private static boolean keepOverlays(JsonNode pixel, List<String> options, String source) {
    String value = text(pixel, "overlays", "remove").toLowerCase(Locale.ROOT);
    if (!value.equals("remove") && !value.equals("keep")) {
      throw new LakehouseException(
          "Project file "
              + source
              + ": pixel.overlays '"
              + value
              + "' is not known: `remove` (every overlay is dropped) or `keep` (an overlay is"
              + " kept when OCR reads no text on it)");
    }
    if (value.equals("keep") && options.stream().noneMatch(ProjectConfig::isCleanGraphics)) {
      throw new LakehouseException(
          "Project file "
              + source
              + ": pixel.overlays: keep needs the profile option clean-graphics (PS3.15: graphics"
              + " are cleaned): list it in profile.options, e.g. options:"
              + " [retain-longitudinal-modified-dates, clean-graphics]");
    }
    return value.equals("keep");
  }

  private static boolean isCleanGraphics(String option) {
    try {
      return ProfileOption.fromName(option) == ProfileOption.CLEAN_GRAPHICS;
    } catch (LakehouseException e) {
      return false; // reported when the profile is built
    }
  }

  /** Whether the project's pixel policy is {@code redact}. */
  public boolean redacts() {
    return REDACT.equals(pixelPolicy);
  }

  /** Whether this project may extract the named cohort ({@code "*"} allows every cohort). */
  public boolean mayRead(String cohort) {
    return cohorts.contains("*") || cohorts.contains(cohort);
  }

  private static void checkKeys(JsonNode node, String where, Set<String> known) {
    if (node.isMissingNode() || node.isNull()) {
      return;
    }
    if (!node.isObject()) {
      throw new LakehouseException("Project file " + where + " must be a mapping");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new LakehouseException(
            "Project file "
                + where
                + ": unknown key '"
                + key
                + "' (known: "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
  }

  private static String text(JsonNode node, String key, String fallback) {
    JsonNode v = node.path(key);
    return v.isMissingNode() || v.isNull() ? fallback : v.asText().trim();
  }

  private static List<String> list(JsonNode node, String key, List<String> fallback) {
    JsonNode v = node.path(key);
    if (v.isMissingNode() || v.isNull()) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    if (v.isArray()) {
      v.forEach(e -> out.add(e.asText().trim()));
    } else {
      out.add(v.asText().trim());
    }
    return List.copyOf(out);
  }

  private static List<String> upper(List<String> values) {
    return values.stream().map(v -> v.toUpperCase(Locale.ROOT)).toList();
  }

  private static String sha256(byte[] bytes) {
    return Sha256.hex(bytes);
  }
}
