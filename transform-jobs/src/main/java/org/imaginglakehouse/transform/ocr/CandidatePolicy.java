package org.imaginglakehouse.transform.ocr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Which instances are OCRed: a YAML list of rules, first match wins (see {@code
 * default-ocr-policy.yaml} for the format and the defaults).
 */
public final class CandidatePolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String DEFAULT_RESOURCE = "default-ocr-policy.yaml";

  /** One rule; empty condition sets are ignored. */
  public record Rule(
      String name,
      Set<String> modalities,
      Set<String> sopClasses,
      Set<String> imageTypeAny,
      Set<String> imageTypeAll,
      Set<String> burnedInAnnotation,
      boolean ocr)
      implements Serializable {
    boolean matches(Candidate c) {
      if (!modalities.isEmpty() && !modalities.contains(upper(c.modality()))) {
        return false;
      }
      if (!sopClasses.isEmpty() && !sopClasses.contains(upper(c.sopClassUid()))) {
        return false;
      }
      Set<String> types = new TreeSet<>();
      if (c.imageType() != null) {
        c.imageType().forEach(t -> types.add(upper(t)));
      }
      if (!imageTypeAny.isEmpty() && imageTypeAny.stream().noneMatch(types::contains)) {
        return false;
      }
      if (!imageTypeAll.isEmpty() && !types.containsAll(imageTypeAll)) {
        return false;
      }
      return burnedInAnnotation.isEmpty()
          || burnedInAnnotation.contains(upper(c.burnedInAnnotation()));
    }
  }

  /** The header facts a decision uses. */
  public record Candidate(
      String modality, String sopClassUid, List<String> imageType, String burnedInAnnotation) {}

  /** Outcome: OCR or not, and the rule (or "default") that decided. */
  public record Decision(boolean ocr, String rule) implements Serializable {}

  private final List<Rule> rules;
  private final boolean defaultOcr;

  public CandidatePolicy(List<Rule> rules, boolean defaultOcr) {
    this.rules = List.copyOf(rules);
    this.defaultOcr = defaultOcr;
  }

  /** OCR everything. */
  public static CandidatePolicy everything() {
    return new CandidatePolicy(List.of(), true);
  }

  public static CandidatePolicy defaults() {
    try (InputStream in = CandidatePolicy.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return parse(in, DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new LakehouseException("Cannot read built-in OCR policy: " + e.getMessage(), e);
    }
  }

  public static CandidatePolicy load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot read OCR policy " + file + ": " + e.getMessage() + " (option policy)", e);
    }
  }

  static CandidatePolicy parse(InputStream in, String source) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
    if (root == null || !root.isObject()) {
      throw new LakehouseException("OCR policy " + source + " must be a YAML mapping");
    }
    boolean defaultOcr = action(root.path("default").asText("skip"), source, "default");
    List<Rule> rules = new ArrayList<>();
    int index = 0;
    for (JsonNode node : root.path("rules")) {
      index++;
      Iterator<String> fields = node.fieldNames();
      while (fields.hasNext()) {
        String f = fields.next();
        if (!Set.of(
                "name",
                "modalities",
                "sop_classes",
                "image_type_any",
                "image_type_all",
                "burned_in_annotation",
                "action")
            .contains(f)) {
          throw new LakehouseException(
              "OCR policy " + source + ": rule " + index + " has unknown field '" + f + "'");
        }
      }
      String name = node.path("name").asText("rule-" + index);
      rules.add(
          new Rule(
              name,
              set(node.path("modalities")),
              set(node.path("sop_classes")),
              set(node.path("image_type_any")),
              set(node.path("image_type_all")),
              set(node.path("burned_in_annotation")),
              action(node.path("action").asText(""), source, name)));
    }
    return new CandidatePolicy(rules, defaultOcr);
  }

  private static boolean action(String value, String source, String where) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "ocr" -> true;
      case "skip" -> false;
      default ->
          throw new LakehouseException(
              "OCR policy "
                  + source
                  + ": "
                  + where
                  + " needs action 'ocr' or 'skip', got '"
                  + value
                  + "'");
    };
  }

  private static Set<String> set(JsonNode node) {
    Set<String> out = new TreeSet<>();
    if (node.isArray()) {
      node.forEach(v -> out.add(upper(v.asText())));
    } else if (!node.isMissingNode() && !node.isNull()) {
      out.add(upper(node.asText()));
    }
    return out;
  }

  private static String upper(String s) {
    return s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
  }

  public Decision decide(Candidate candidate) {
    for (Rule rule : rules) {
      if (rule.matches(candidate)) {
        return new Decision(rule.ocr(), rule.name());
      }
    }
    return new Decision(defaultOcr, "default");
  }
}
