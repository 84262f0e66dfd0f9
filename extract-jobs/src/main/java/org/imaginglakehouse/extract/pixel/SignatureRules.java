package org.imaginglakehouse.extract.pixel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Pixel signature rules, in the spirit of CTP's DicomPixelAnonymizer script: each rule names header
 * values (Manufacturer, ManufacturerModelName, Rows, Columns, SOPClassUID, Modality, any PS3.6
 * keyword) and the rectangles a device of that kind burns its annotation into. Every rule whose
 * conditions all hold applies (their rectangles add up). YAML:
 *
 * <pre>
 * - name: ge-logiq9-320x240
 *   when: {Manufacturer: "GE*", ManufacturerModelName: LOGIQ9, Rows: 240, Columns: 320}
 *   regions: [[0, 0, 320, 24], [0, 212, 320, 28]]     # x, y, width, height in pixels
 * </pre>
 *
 * A condition value matches the attribute's value (all values joined by {@code \}) ignoring case
 * and surrounding spaces; {@code "GE*"} matches by prefix, {@code "*"} any non-empty value, and a
 * list matches when any of its entries does. The shipped rules ({@link #BUILT_IN}) cover the
 * synthetic PACS's ultrasound layouts; a site adds its own in the project file (docs/extract.md).
 */
public final class SignatureRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The rules shipped with the lakehouse (classpath resource). */
  public static final String BUILT_IN = "org/imaginglakehouse/extract/pixel/signature-rules.yaml";

  private static final Set<String> RULE_KEYS = Set.of("name", "when", "regions");

  /** One rule: its conditions (keyword → accepted values) and rectangles. */
  public record Rule(String name, Map<String, List<String>> when, List<Region> regions)
      implements Serializable {

    boolean matches(AttributeList header) {
      for (Map.Entry<String, List<String>> c : when.entrySet()) {
        AttributeTag tag = AttributeList.getDictionary().getTagFromName(c.getKey());
        String value =
            Attribute.getDelimitedStringValuesOrEmptyString(header, tag)
                .trim()
                .toUpperCase(Locale.ROOT);
        if (c.getValue().stream().noneMatch(v -> accepts(v, value))) {
          return false;
        }
      }
      return true;
    }

    private static boolean accepts(String pattern, String value) {
      String p = pattern.trim().toUpperCase(Locale.ROOT);
      if (p.equals("*")) {
        return !value.isEmpty();
      }
      if (p.endsWith("*")) {
        return value.startsWith(p.substring(0, p.length() - 1));
      }
      return value.equals(p);
    }
  }

  private final List<Rule> rules;

  private SignatureRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static SignatureRules none() {
    return new SignatureRules(List.of());
  }

  /** The shipped rules. */
  public static SignatureRules builtIn() {
    try (InputStream in = SignatureRules.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + BUILT_IN);
      }
      return parse(new ObjectMapper(new YAMLFactory()).readTree(in), BUILT_IN);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + BUILT_IN, e);
    }
  }

  /** Rules from a YAML list ({@code where} names it in errors). */
  public static SignatureRules parse(JsonNode list, String where) {
    if (list == null || list.isMissingNode() || list.isNull()) {
      return none();
    }
    if (!list.isArray()) {
      throw new LakehouseException(
          where + " must be a list of rules: - {name: ..., when: {...}, regions: [[x, y, w, h]]}");
    }
    List<Rule> out = new ArrayList<>();
    int index = 0;
    for (JsonNode node : list) {
      String at = where + " rule " + (index++ + 1);
      if (!node.isObject()) {
        throw new LakehouseException(at + " must be a mapping with name, when and regions");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!RULE_KEYS.contains(key)) {
          throw new LakehouseException(
              at + ": unknown key '" + key + "' (known: name, when, regions)");
        }
      }
      String name = node.path("name").asText(at).trim();
      JsonNode when = node.path("when");
      if (!when.isObject() || when.isEmpty()) {
        throw new LakehouseException(
            at + " (" + name + "): `when` must map header keywords to values");
      }
      Map<String, List<String>> conditions = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = when.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> c = it.next();
        if (AttributeList.getDictionary().getTagFromName(c.getKey()) == null) {
          throw new LakehouseException(
              at + " (" + name + "): '" + c.getKey() + "' is not a DICOM keyword");
        }
        List<String> values = new ArrayList<>();
        if (c.getValue().isArray()) {
          c.getValue().forEach(v -> values.add(v.asText()));
        } else {
          values.add(c.getValue().asText());
        }
        conditions.put(c.getKey(), List.copyOf(values));
      }
      List<Region> regions = new ArrayList<>();
      JsonNode rects = node.path("regions");
      if (!rects.isArray() || rects.isEmpty()) {
        throw new LakehouseException(
            at + " (" + name + "): `regions` must list rectangles [x, y, width, height]");
      }
      for (JsonNode r : rects) {
        if (!r.isArray()
            || r.size() != 4
            || !r.get(0).canConvertToInt()
            || !r.get(1).canConvertToInt()
            || !r.get(2).canConvertToInt()
            || !r.get(3).canConvertToInt()
            || r.get(2).asInt() <= 0
            || r.get(3).asInt() <= 0) {
          throw new LakehouseException(
              at + " (" + name + "): a region is [x, y, width, height] with a positive size");
        }
        regions.add(
            new Region(r.get(0).asInt(), r.get(1).asInt(), r.get(2).asInt(), r.get(3).asInt()));
      }
      out.add(new Rule(name, conditions, List.copyOf(regions)));
    }
    return new SignatureRules(out);
  }

  /** These rules followed by {@code more}. */
  public SignatureRules plus(SignatureRules more) {
    List<Rule> all = new ArrayList<>(rules);
    all.addAll(more.rules);
    return new SignatureRules(all);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The rules whose conditions all hold for {@code header}. */
  public List<Rule> matching(AttributeList header) {
    return rules.stream().filter(r -> r.matches(header)).toList();
  }
}
