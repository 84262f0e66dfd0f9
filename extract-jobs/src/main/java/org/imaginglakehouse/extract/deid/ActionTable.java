package org.imaginglakehouse.extract.deid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * PS3.15 Table E.1-1 (Application Level Confidentiality Profile Attributes) as data: one {@link
 * Row} per attribute with its Basic Profile action code and the action of each option column. The
 * edition is pinned ({@link #EDITION}); the rows are the repository resource {@link #RESOURCE}
 * (source and licence beside it).
 *
 * <p>Immutable and thread-safe; {@link #standard()} is loaded once per JVM.
 */
public final class ActionTable {

  /** The edition of PS3.15 whose Table E.1-1 the resource holds. */
  public static final String EDITION = "2024b";

  /** Class-path location of the table. */
  public static final String RESOURCE = "/deid/ps3.15-table-e.1-1-2024b.json";

  /** The tag written in the table for private attributes (any element of an odd group). */
  public static final String PRIVATE_ATTRIBUTES_TAG = "(GGGG,EEEE) WHERE GGGG IS ODD";

  /**
   * An action of PS3.15 E.1.1, after the combinations of the Basic Profile column are resolved (see
   * {@link #resolveBasic(String)}).
   */
  public enum Action {
    /** Remove the attribute. */
    X,
    /** Replace with a zero-length value (an empty sequence for SQ). */
    Z,
    /** Replace with a non-zero-length dummy value consistent with the VR. */
    D,
    /** Keep (the value rules for UIDs, dates, ages and person names still apply). */
    K,
    /** Clean: keep with the identifying content removed or modified (dates shifted). */
    C,
    /** Replace UIDs by their project pseudonyms (for a sequence: the UIDs inside it). */
    U
  }

  /**
   * One row of Table E.1-1.
   *
   * @param tag the tag as written in the table: "(0008,0050)", "(50XX,XXXX)", or {@link
   *     #PRIVATE_ATTRIBUTES_TAG}
   * @param name the attribute name
   * @param basicProfile the Basic Profile action code, e.g. "X", "X/Z/D", "X/Z/U*"
   * @param stdCompIod "Y" when the attribute is in a standard composite IOD, else "N"
   * @param optionActions action code by option column (e.g. rtnLongModifDatesOpt → "C"), only for
   *     the columns that change the action
   */
  public record Row(
      String tag,
      String name,
      String basicProfile,
      String stdCompIod,
      Map<String, String> optionActions) {
    public Row {
      optionActions = Collections.unmodifiableMap(new LinkedHashMap<>(optionActions));
    }
  }

  /** The Table E.1-1 option columns (see {@link ProfileOption#column()}). */
  public static final List<String> OPTION_COLUMNS =
      List.of(
          "rtnSafePrivOpt",
          "rtnUIDsOpt",
          "rtnDevIdOpt",
          "rtnInstIdOpt",
          "rtnPatCharsOpt",
          "rtnLongFullDatesOpt",
          "rtnLongModifDatesOpt",
          "cleanDescOpt",
          "cleanStructContOpt",
          "cleanGraphOpt");

  private static final Set<String> BASIC_CODES =
      Set.of("X", "Z", "D", "U", "X/Z", "X/D", "Z/D", "X/Z/D", "X/Z/U*");
  private static final Set<String> OPTION_CODES = Set.of("K", "C");
  private static final Pattern TAG = Pattern.compile("\\(([0-9A-FX]{4}),([0-9A-FX]{4})\\)");

  /** A row whose tag has x digits: matches when (tag & mask) == value. */
  private record MaskedRow(int mask, int value, Row row) {}

  private static final class Holder {
    static final ActionTable STANDARD = loadResource();
  }

  private final List<Row> rows;
  private final Map<Integer, Row> byTag;
  private final List<MaskedRow> masked;
  private final Row privateRow;

  private ActionTable(List<Row> rows) {
    this.rows = List.copyOf(rows);
    Map<Integer, Row> exact = new HashMap<>();
    List<MaskedRow> wild = new ArrayList<>();
    Row priv = null;
    for (Row r : rows) {
      if (r.tag().equals(PRIVATE_ATTRIBUTES_TAG)) {
        priv = r;
        continue;
      }
      Matcher m = TAG.matcher(r.tag());
      if (!m.matches()) {
        throw new LakehouseException(
            "Table E.1-1 row '" + r.name() + "' has tag " + r.tag() + ", not (gggg,eeee)");
      }
      String hex = m.group(1) + m.group(2);
      if (hex.indexOf('X') < 0) {
        if (exact.put((int) Long.parseLong(hex, 16), r) != null) {
          throw new LakehouseException("Table E.1-1 lists " + r.tag() + " twice");
        }
      } else {
        int mask = 0;
        int value = 0;
        for (int i = 0; i < 8; i++) {
          char c = hex.charAt(i);
          mask <<= 4;
          value <<= 4;
          if (c != 'X') {
            mask |= 0xF;
            value |= Character.digit(c, 16);
          }
        }
        wild.add(new MaskedRow(mask, value, r));
      }
    }
    if (priv == null) {
      throw new LakehouseException(
          "Table E.1-1 has no row for private attributes (" + PRIVATE_ATTRIBUTES_TAG + ")");
    }
    this.byTag = Map.copyOf(exact);
    this.masked = List.copyOf(wild);
    this.privateRow = priv;
  }

  /** The pinned edition's table from the class path (loaded once). */
  public static ActionTable standard() {
    return Holder.STANDARD;
  }

  private static ActionTable loadResource() {
    try (InputStream in = ActionTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new LakehouseException(
            "The PS3.15 action table " + RESOURCE + " is missing from the class path");
      }
      return parse(in, RESOURCE);
    } catch (IOException e) {
      throw new LakehouseException("Cannot read the PS3.15 action table " + RESOURCE + ": " + e, e);
    }
  }

  /**
   * Parses a table in the innolitics/dicom-standard JSON format (an array of objects with tag,
   * name, basicProfile, stdCompIOD and the option columns), checking every action code.
   */
  public static ActionTable parse(InputStream json, String sourceName) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    if (root == null || !root.isArray()) {
      throw new LakehouseException(sourceName + " is not a JSON array of Table E.1-1 rows");
    }
    List<Row> rows = new ArrayList<>();
    for (JsonNode n : root) {
      String tag = text(n, "tag", sourceName).toUpperCase(Locale.ROOT);
      String name = text(n, "name", sourceName);
      String basic = text(n, "basicProfile", sourceName);
      if (!BASIC_CODES.contains(basic)) {
        throw new LakehouseException(
            sourceName + ": row " + tag + " has Basic Profile action '" + basic + "', unknown");
      }
      Map<String, String> options = new LinkedHashMap<>();
      for (String column : OPTION_COLUMNS) {
        JsonNode v = n.get(column);
        if (v != null && !v.isNull()) {
          if (!OPTION_CODES.contains(v.asText())) {
            throw new LakehouseException(
                sourceName + ": row " + tag + " has " + column + " '" + v.asText() + "', unknown");
          }
          options.put(column, v.asText());
        }
      }
      JsonNode std = n.get("stdCompIOD");
      rows.add(new Row(tag, name, basic, std == null ? "" : std.asText(), options));
    }
    return new ActionTable(rows);
  }

  private static String text(JsonNode n, String field, String sourceName) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || v.asText().isBlank()) {
      throw new LakehouseException(sourceName + ": a row has no '" + field + "'");
    }
    return v.asText().trim();
  }

  /** Every row, in the order of the source. */
  public List<Row> rows() {
    return rows;
  }

  /** The row for private attributes (odd groups). */
  public Row privateAttributesRow() {
    return privateRow;
  }

  /**
   * The row of a standard (even group) tag: exact match first, then repeating-group rows such as
   * (50XX,XXXX) and (60XX,3000). Private tags are not looked up here ({@link
   * #privateAttributesRow()}).
   */
  public Optional<Row> row(int tag) {
    Row r = byTag.get(tag);
    if (r != null) {
      return Optional.of(r);
    }
    for (MaskedRow m : masked) {
      if ((tag & m.mask()) == m.value()) {
        return Optional.of(m.row());
      }
    }
    return Optional.empty();
  }

  /**
   * The action for a row under the chosen options: an option that says K wins, then one that says C
   * (when two chosen options both change a row, the one retaining more applies, as each option
   * declares that its information may be released); otherwise the Basic Profile action resolved by
   * {@link #resolveBasic(String)}.
   */
  public static Action resolve(Row row, Set<ProfileOption> options) {
    boolean clean = false;
    for (ProfileOption o : options) {
      String code = o.column() == null ? null : row.optionActions().get(o.column());
      if ("K".equals(code)) {
        return Action.K;
      }
      clean |= "C".equals(code);
    }
    return clean ? Action.C : resolveBasic(row.basicProfile());
  }

  /**
   * Resolves a Basic Profile code to one action. PS3.15 E.1.1 leaves the choice in X/Z, X/D, Z/D
   * and X/Z/D to the attribute's type in the IOD (X when optional, Z when type 2, D when type 1);
   * this de-identifier does not know the IOD of every object, so it takes the choice that keeps any
   * object valid and carries no information: X/Z → Z, and X/D, Z/D, X/Z/D → D (a dummy, or an empty
   * value when the source value is empty). X/Z/U* (a sequence of references) → U: the sequence is
   * kept and the UIDs inside it are replaced.
   */
  public static Action resolveBasic(String code) {
    return switch (code) {
      case "X" -> Action.X;
      case "Z", "X/Z" -> Action.Z;
      case "D", "X/D", "Z/D", "X/Z/D" -> Action.D;
      case "U", "X/Z/U*" -> Action.U;
      default -> throw new LakehouseException("Unknown PS3.15 action code '" + code + "'");
    };
  }

  /**
   * True when a Basic Profile code allows a zero-length or dummy value, i.e. the attribute may be
   * required (type 1 or 2) in some IOD.
   */
  static boolean mayBeRequired(String code) {
    return code.contains("Z") || code.contains("D");
  }
}
