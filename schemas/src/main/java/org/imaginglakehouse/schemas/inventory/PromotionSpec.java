package org.imaginglakehouse.schemas.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Everything promote needs to know about what to promote: the templates, the promotion rules and
 * the reference lists (token normalisation, institution → health board). Loaded from the built-in
 * resources ({@code promote/} in the schemas jar) or from a directory with the same layout: {@code
 * promotion-rules.yaml}, {@code templates/*.yaml} and optionally {@code normalisation.yaml} and
 * {@code institutions.yaml}.
 */
public final class PromotionSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String RESOURCE_ROOT = "promote/";
  public static final String RULES_FILE = "promotion-rules.yaml";
  public static final String TEMPLATES_DIR = "templates";
  public static final String NORMALISATION_FILE = "normalisation.yaml";
  public static final String INSTITUTIONS_FILE = "institutions.yaml";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Template study;
  private final List<Template> templates;
  private final PromotionRules rules;
  private final Tokens tokens;
  private final Map<String, String> healthBoards;
  private final String fingerprint;

  private PromotionSpec(
      Template study,
      List<Template> templates,
      PromotionRules rules,
      Tokens tokens,
      Map<String, String> healthBoards,
      String fingerprint) {
    this.study = study;
    this.templates = templates;
    this.rules = rules;
    this.tokens = tokens;
    this.healthBoards = healthBoards;
    this.fingerprint = fingerprint;
  }

  /** The built-in templates and rules. */
  public static PromotionSpec builtIn() {
    return load(null);
  }

  /** From {@code dir}, or the built-in resources when {@code dir} is null. */
  public static PromotionSpec load(Path dir) {
    Sources sources = new Sources(dir);
    JsonNode rulesNode = sources.yaml(RULES_FILE, true);
    List<String> names = strings(rulesNode, "templates", RULES_FILE);
    if (names.isEmpty()) {
      throw new LakehouseException(RULES_FILE + " must list the templates (key 'templates')");
    }
    PromotionRules rules = rules(rulesNode, names);
    Template study = null;
    List<Template> templates = new ArrayList<>();
    for (String name : names) {
      String file = TEMPLATES_DIR + "/" + name + ".yaml";
      Template template = template(name, sources.yaml(file, true), file);
      if (name.equals(Template.STUDY)) {
        study = template;
      } else {
        templates.add(template);
      }
    }
    if (study == null) {
      throw new LakehouseException(RULES_FILE + " must list the 'study' template");
    }
    JsonNode norm = sources.yaml(NORMALISATION_FILE, false);
    Map<String, String> replacements = new TreeMap<>();
    if (norm != null && norm.has("tokens")) {
      norm.get("tokens")
          .fields()
          .forEachRemaining(e -> replacements.put(e.getKey(), e.getValue().asText("")));
    }
    JsonNode inst = sources.yaml(INSTITUTIONS_FILE, false);
    Map<String, String> boards = new TreeMap<>();
    if (inst != null && inst.has("health_boards")) {
      inst.get("health_boards")
          .fields()
          .forEachRemaining(
              board -> {
                for (JsonNode institution : board.getValue()) {
                  boards.put(institutionKey(institution.asText()), board.getKey());
                }
              });
    }
    // The pixel catalogue is code, not a file: its definitions are part of what is promoted.
    sources.mix("pixel-catalogue", PixelColumn.catalogDescription());
    return new PromotionSpec(
        study, templates, rules, new Tokens(replacements), boards, sources.fingerprint());
  }

  public Template study() {
    return study;
  }

  /** Modality templates in matching order. */
  public List<Template> templates() {
    return templates;
  }

  public PromotionRules rules() {
    return rules;
  }

  public Tokens tokens() {
    return tokens;
  }

  /** Normalised institution name → health board. */
  public Map<String, String> healthBoards() {
    return healthBoards;
  }

  /** Health board of an institution name, or null. */
  public String healthBoard(String institutionName) {
    return institutionName == null ? null : healthBoards.get(institutionKey(institutionName));
  }

  private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^\\p{L}\\p{N}]+");

  /** Key for institution lookup: upper case, letters and digits only. */
  public static String institutionKey(String name) {
    return NOT_ALPHANUMERIC.matcher(name.toUpperCase(Locale.ROOT)).replaceAll("");
  }

  /** SHA-256 of every file read: a change to any template or rule changes it. */
  public String fingerprint() {
    return fingerprint;
  }

  /** The template for a modality: first template listing it, else the fallback, else null. */
  public Template templateFor(String modality) {
    String m = modality == null ? "" : modality.trim().toUpperCase(Locale.ROOT);
    for (Template t : templates) {
      if (t.modalities().contains(m)) {
        return t;
      }
    }
    for (Template t : templates) {
      if (t.isFallback()) {
        return t;
      }
    }
    return null;
  }

  /** Every refusal of the templates by the rules: "template.level.column: reason". */
  public List<String> refusals() {
    List<String> problems = new ArrayList<>();
    List<Template> all = new ArrayList<>();
    all.add(study);
    all.addAll(templates);
    for (Template t : all) {
      for (Level level : Level.values()) {
        for (TemplateColumn c : t.columns(level)) {
          String why = rules.refusal(t.name(), c);
          if (why != null) {
            problems.add(t.name() + "." + level.table() + "." + c.name() + ": " + why);
          }
        }
      }
      if (!t.name().equals(Template.STUDY) && !t.columns(Level.STUDY).isEmpty()) {
        problems.add(t.name() + ": study columns belong in the 'study' template");
      }
      for (String p : t.pixel()) {
        String why =
            t.name().equals(Template.STUDY)
                ? "pixel columns are image-level: list them in the modality templates"
                : rules.pixelRefusal(p);
        if (why != null) {
          problems.add(t.name() + "." + PIXEL + "." + p + ": " + why);
        }
      }
    }
    for (String p : rules.allowedPixelColumns()) {
      String why = PixelColumn.refusal(p);
      if (why != null) {
        problems.add(RULES_FILE + ".allowed_pixel_columns." + p + ": " + why);
      }
    }
    Map<String, String> types = new LinkedHashMap<>();
    for (Template t : all) {
      for (TemplateColumn c : t.allColumns()) {
        for (OutputColumn o : c.outputs()) {
          if (PixelColumn.CATALOG.containsKey(o.name())) {
            problems.add(t.name() + "." + o.name() + ": the name is reserved for the pixel column");
          }
          String previous = types.putIfAbsent(o.name(), o.sqlType());
          if (previous != null && !previous.equals(o.sqlType())) {
            problems.add(
                t.name()
                    + "."
                    + o.name()
                    + ": type "
                    + o.sqlType()
                    + " conflicts with "
                    + previous);
          }
        }
      }
    }
    return problems;
  }

  /** Throws, listing every refusal, unless all templates are promotable under the rules. */
  public PromotionSpec checkPromotable() {
    List<String> problems = refusals();
    if (!problems.isEmpty()) {
      throw new LakehouseException(
          "Promotion refused: the templates ask for columns the promotion rules do not allow:\n  "
              + String.join("\n  ", problems)
              + "\nRemove them from the template, apply a documented transform, or (after"
              + " approval) add them to allowed_columns in "
              + RULES_FILE);
    }
    return this;
  }

  /** Template key of the pixel-derived image columns. */
  public static final String PIXEL = "pixel";

  /**
   * Pixel-derived image columns requested by any modality template, in catalogue order (empty when
   * none; unknown names are not returned: {@link #checkPromotable} refuses them).
   */
  public List<PixelColumn> pixelColumns() {
    Set<String> wanted = new LinkedHashSet<>();
    for (Template t : templates) {
      wanted.addAll(t.pixel());
    }
    List<PixelColumn> out = new ArrayList<>();
    for (PixelColumn c : PixelColumn.CATALOG.values()) {
      if (wanted.contains(c.name())) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Output columns of one level across all templates (the union; a row's columns outside its
   * modality's template are NULL), in first-seen order; for the image level followed by the
   * requested pixel columns ({@link #pixelColumns}).
   */
  public List<OutputColumn> outputColumns(Level level) {
    Map<String, OutputColumn> out = new LinkedHashMap<>();
    List<Template> all = new ArrayList<>();
    all.add(study);
    all.addAll(templates);
    for (Template t : all) {
      for (TemplateColumn c : t.columns(level)) {
        for (OutputColumn o : c.outputs()) {
          out.putIfAbsent(o.name(), o);
        }
      }
    }
    if (level == Level.IMAGE) {
      for (PixelColumn p : pixelColumns()) {
        out.putIfAbsent(p.name(), p.output());
      }
    }
    return new ArrayList<>(out.values());
  }

  /** Distinct template columns (by name) of one level across all templates. */
  public List<TemplateColumn> distinctColumns(Level level) {
    Map<String, TemplateColumn> out = new LinkedHashMap<>();
    List<Template> all = new ArrayList<>();
    all.add(study);
    all.addAll(templates);
    for (Template t : all) {
      for (TemplateColumn c : t.columns(level)) {
        out.putIfAbsent(c.name(), c);
      }
    }
    return new ArrayList<>(out.values());
  }

  // ---------------------------------------------------------------- parsing

  private static PromotionRules rules(JsonNode node, List<String> names) {
    Map<String, Set<Transform>> transformations = new TreeMap<>();
    JsonNode t = node.get("transformations");
    if (t != null) {
      t.fields()
          .forEachRemaining(
              e -> {
                Set<Transform> set = new LinkedHashSet<>();
                for (String s : strings(e.getValue())) {
                  set.add(Transform.parse(s));
                }
                transformations.put(e.getKey(), set);
              });
    }
    Map<String, Set<String>> allowed = new TreeMap<>();
    JsonNode a = node.get("allowed_columns");
    if (a != null) {
      a.fields()
          .forEachRemaining(
              e -> allowed.put(e.getKey(), new LinkedHashSet<>(strings(e.getValue()))));
    }
    JsonNode identifying = node.path("identifying");
    JsonNode imageType = node.path("image_type");
    return new PromotionRules(
        names,
        upper(strings(node, "allowed_modalities", RULES_FILE)),
        new LinkedHashSet<>(strings(node, "allowed_sop_classes", RULES_FILE)),
        upperList(strings(imageType, "required_prefix", RULES_FILE)),
        new LinkedHashSet<>(strings(imageType, "exempt_templates", RULES_FILE)),
        new LinkedHashSet<>(strings(identifying, "keywords", RULES_FILE)),
        upper(strings(identifying, "vrs", RULES_FILE)),
        transformations,
        allowed,
        new LinkedHashSet<>(strings(node, "allowed_pixel_columns", RULES_FILE)));
  }

  private static Template template(String name, JsonNode node, String file) {
    List<String> modalities = upperList(strings(node, "modalities", file));
    if (!name.equals(Template.STUDY) && modalities.isEmpty()) {
      throw new LakehouseException(file + ": list the modalities the template covers (or '*')");
    }
    Map<Level, List<TemplateColumn>> columns = new EnumMap<>(Level.class);
    for (Level level : Level.values()) {
      JsonNode list = node.get(level.table());
      if (list == null) {
        continue;
      }
      List<TemplateColumn> parsed = new ArrayList<>();
      for (JsonNode entry : list) {
        parsed.add(column(entry, file + " " + level.table()));
      }
      columns.put(level, parsed);
    }
    List<String> pixel = new ArrayList<>();
    JsonNode px = node.get(PIXEL);
    if (px != null && !px.isNull()) {
      if (!px.isArray()) {
        throw new LakehouseException(file + ": '" + PIXEL + "' must be a list of column names");
      }
      for (JsonNode entry : px) {
        if (!entry.isTextual()) {
          throw new LakehouseException(
              file + " " + PIXEL + ": an entry is a pixel column name; got " + entry);
        }
        pixel.add(entry.asText().trim());
      }
    }
    return new Template(name, modalities, columns, List.copyOf(pixel));
  }

  static TemplateColumn column(JsonNode entry, String where) {
    String source;
    String name = null;
    String vr = null;
    boolean multi = false;
    Transform transform = Transform.NONE;
    if (entry.isTextual()) {
      source = entry.asText().trim();
    } else if (entry.isObject() && entry.has("column")) {
      source = entry.get("column").asText().trim();
      name = text(entry, "name");
      vr = text(entry, "vr");
      multi = entry.path("multi").asBoolean(false);
      transform = Transform.parse(text(entry, "transform"));
    } else {
      throw new LakehouseException(
          where
              + ": a column is a keyword or {column: Keyword, transform: ..., multi: true}; got "
              + entry);
    }
    List<String> keywords = List.of(source.split("_"));
    StringBuilder path = new StringBuilder();
    String innerVr = null;
    for (int i = 0; i < keywords.size(); i++) {
      String keyword = keywords.get(i);
      AttributeTag tag = DicomDictionary.StandardDictionary.getTagFromName(keyword);
      if (tag == null) {
        throw new LakehouseException(
            where + ": '" + keyword + "' (in " + source + ") is not a DICOM keyword");
      }
      byte[] tagVr = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(tag);
      String vrText = tagVr == null ? null : new String(tagVr, StandardCharsets.US_ASCII);
      if (i < keywords.size() - 1) {
        if (!"SQ".equals(vrText)) {
          throw new LakehouseException(
              where
                  + ": '"
                  + keyword
                  + "' in "
                  + source
                  + " is not a sequence, so nothing can be lifted out of it");
        }
        path.append(tagHex(tag)).append("[0].");
      } else {
        path.append(tagHex(tag));
        innerVr = vrText;
      }
    }
    if (vr == null) {
      vr = innerVr;
    }
    if (vr == null) {
      throw new LakehouseException(where + ": no VR known for " + source + "; give one with vr:");
    }
    return new TemplateColumn(
        name == null ? source : name,
        source,
        keywords,
        path.toString(),
        vr.toUpperCase(Locale.ROOT),
        multi,
        transform);
  }

  private static String tagHex(AttributeTag tag) {
    return String.format(Locale.ROOT, "%04X%04X", tag.getGroup(), tag.getElement());
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> strings(JsonNode node, String key, String file) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new LakehouseException(file + ": '" + key + "' must be a list");
    }
    return strings(v);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    Iterator<JsonNode> it = array.elements();
    while (it.hasNext()) {
      out.add(it.next().asText().trim());
    }
    return out;
  }

  private static Set<String> upper(List<String> values) {
    return new LinkedHashSet<>(upperList(values));
  }

  private static List<String> upperList(List<String> values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v.toUpperCase(Locale.ROOT)));
    return out;
  }

  /** Reads files from a directory or the classpath, hashing everything read. */
  private static final class Sources {
    private final Path dir;
    private final MessageDigest digest;

    Sources(Path dir) {
      this.dir = dir;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    JsonNode yaml(String relative, boolean required) {
      byte[] bytes = read(relative);
      if (bytes == null) {
        if (required) {
          throw new LakehouseException(
              "Missing "
                  + relative
                  + (dir == null ? " in the built-in resources" : " in template directory " + dir));
        }
        return null;
      }
      digest.update(relative.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(bytes);
      try {
        JsonNode node = YAML.readTree(bytes);
        return node == null ? YAML.createObjectNode() : node;
      } catch (IOException e) {
        throw new LakehouseException("Invalid YAML in " + relative + ": " + e.getMessage(), e);
      }
    }

    private byte[] read(String relative) {
      try {
        if (dir != null) {
          Path file = dir.resolve(relative);
          if (Files.isRegularFile(file)) {
            return Files.readAllBytes(file);
          }
          if (relative.equals(NORMALISATION_FILE) || relative.equals(INSTITUTIONS_FILE)) {
            return readResource(relative);
          }
          return null;
        }
        return readResource(relative);
      } catch (IOException e) {
        throw new LakehouseException("Cannot read " + relative + ": " + e.getMessage(), e);
      }
    }

    private static byte[] readResource(String relative) throws IOException {
      try (InputStream in =
          PromotionSpec.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + relative)) {
        return in == null ? null : in.readAllBytes();
      }
    }

    /** Adds text that is not a file (e.g. code-defined definitions) to the fingerprint. */
    void mix(String label, String text) {
      digest.update(label.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(text.getBytes(StandardCharsets.UTF_8));
    }

    String fingerprint() {
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }
  }
}
