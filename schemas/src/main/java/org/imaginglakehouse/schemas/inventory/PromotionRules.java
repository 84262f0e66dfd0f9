package org.imaginglakehouse.schemas.inventory;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The audited promotion rules ({@code promotion-rules.yaml}): which instances may be promoted and
 * which columns each template may carry.
 *
 * @param templates template names, in the order they are matched to modalities
 * @param allowedModalities instances of other modalities are rejected ({@code
 *     modality_not_allowed})
 * @param allowedSopClasses empty = any; else others are rejected ({@code sop_class_not_allowed})
 * @param imageTypePrefix leading ImageType values required (e.g. ORIGINAL, PRIMARY); empty = any
 * @param imageTypeExemptTemplates templates whose instances the ImageType rule does not apply to
 * @param identifyingKeywords attributes that can never be promoted as they are
 * @param identifyingVrs VRs that can never be promoted (PN: person names)
 * @param transformations for identifying attributes: the transformations that make them safe
 * @param allowedColumns per template (and {@code common}): the approved columns (source paths)
 * @param allowedPixelColumns the pixel-derived image columns templates may request (names from
 *     {@link PixelColumn#CATALOG})
 */
public record PromotionRules(
    List<String> templates,
    Set<String> allowedModalities,
    Set<String> allowedSopClasses,
    List<String> imageTypePrefix,
    Set<String> imageTypeExemptTemplates,
    Set<String> identifyingKeywords,
    Set<String> identifyingVrs,
    Map<String, Set<Transform>> transformations,
    Map<String, Set<String>> allowedColumns,
    Set<String> allowedPixelColumns) {

  public static final String COMMON = "common";

  /** Rejection reasons (instance level), as written to promotion_rejections. */
  public static final String REASON_MODALITY = "modality_not_allowed";

  public static final String REASON_SOP_CLASS = "sop_class_not_allowed";
  public static final String REASON_IMAGE_TYPE = "image_type_not_allowed";
  public static final String REASON_MISSING_UID = "missing_uid";

  /** Whether {@code column} of {@code template} is approved by the allow-list. */
  public boolean allowed(String template, String source) {
    return allowedColumns.getOrDefault(COMMON, Set.of()).contains(source)
        || allowedColumns.getOrDefault(template, Set.of()).contains(source);
  }

  /** Why {@code column} may not be promoted, or {@code null} when it may. */
  public String refusal(String template, TemplateColumn column) {
    for (String keyword : column.keywords()) {
      if (identifyingKeywords.contains(keyword)) {
        Set<Transform> allowed = transformations.getOrDefault(keyword, Set.of());
        if (!allowed.contains(column.transform())) {
          return keyword
              + " is identifying"
              + (allowed.isEmpty()
                  ? " and can never be promoted"
                  : " and may only be promoted with transform " + allowed);
        }
      }
    }
    if (column.vr() != null && identifyingVrs.contains(column.vr())) {
      return column.source() + " has VR " + column.vr() + ", which is never promoted";
    }
    if (column.type() == null) {
      return column.source() + " has binary or sequence VR " + column.vr();
    }
    if (!allowed(template, column.source())) {
      return column.source()
          + " is not in the allow-list of template "
          + template
          + " (allowed_columns."
          + template
          + " or allowed_columns.common in the promotion rules)";
    }
    return null;
  }

  /** Why a template may not request pixel column {@code name}, or {@code null} when it may. */
  public String pixelRefusal(String name) {
    String why = PixelColumn.refusal(name);
    if (why != null) {
      return why;
    }
    if (!allowedPixelColumns.contains(name)) {
      return name
          + " is a promotable pixel column but not in allowed_pixel_columns of the promotion rules";
    }
    return null;
  }
}
