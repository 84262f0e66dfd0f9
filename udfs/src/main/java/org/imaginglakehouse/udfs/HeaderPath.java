package org.imaginglakehouse.udfs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An attribute address in the complete header kept by ingest ({@code header} column of {@code
 * identifiable.instances}), whose entries carry a {@code path} such as {@code 00100010} (top level)
 * or {@code 00400275[0].00321060} (item 0 of a sequence).
 *
 * <p>Accepted spellings, segment by segment separated by {@code .}: a keyword ({@code PatientName})
 * or a tag in any spelling {@link DicomTags} accepts, followed on every segment but the last by an
 * item index {@code [n]} (from 0), {@code [*]} or nothing (both meaning any item). Examples: {@code
 * PatientName}, {@code 00100010}, {@code (0010,0010)}, {@code
 * RequestAttributesSequence[0].RequestedProcedureDescription}, {@code 00400275.00321060}.
 */
public final class HeaderPath {
  private static final Pattern SEGMENT =
      Pattern.compile("([^\\[\\]]+?)\\s*(?:\\[\\s*(\\d+|\\*)\\s*\\])?");
  private static final Pattern STORED_SEGMENT = Pattern.compile("([0-9A-F]{8})(?:\\[(\\d+)\\])?");
  private static final int ANY = -1;

  private final String[] tags;
  private final int[] items;

  private HeaderPath(String[] tags, int[] items) {
    this.tags = tags;
    this.items = items;
  }

  /** Parses {@code key}; null when it is not a valid address. */
  public static HeaderPath parse(String key) {
    if (key == null || key.isBlank()) {
      return null;
    }
    // Split on '.' outside brackets; tag spellings contain no '.'.
    String[] parts = key.trim().split("\\.", -1);
    String[] tags = new String[parts.length];
    int[] items = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Matcher m = SEGMENT.matcher(parts[i].trim());
      if (!m.matches()) {
        return null;
      }
      String tag = DicomTags.resolve(m.group(1).trim());
      if (tag == null) {
        return null;
      }
      tags[i] = tag;
      String index = m.group(2);
      boolean last = i == parts.length - 1;
      if (last && index != null) {
        return null; // an item, not an attribute
      }
      if (index == null || index.equals("*")) {
        items[i] = ANY;
      } else {
        try {
          items[i] = Integer.parseInt(index);
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return new HeaderPath(tags, items);
  }

  /** Whether a stored entry path ({@code 00400275[0].00321060}) is addressed by this key. */
  public boolean matches(String storedPath) {
    if (storedPath == null) {
      return false;
    }
    String[] parts = storedPath.split("\\.", -1);
    if (parts.length != tags.length) {
      return false;
    }
    for (int i = 0; i < parts.length; i++) {
      Matcher m = STORED_SEGMENT.matcher(parts[i]);
      if (!m.matches() || !m.group(1).equals(tags[i])) {
        return false;
      }
      if (i < parts.length - 1) {
        if (m.group(2) == null) {
          return false;
        }
        if (items[i] != ANY && items[i] != Integer.parseInt(m.group(2))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Values of every entry addressed by {@code key}, in header order; null when the key is invalid
   * or no entry matches, an empty list when the attribute is present without values (or binary).
   */
  public static List<String> values(List<String> paths, List<List<String>> values, String key) {
    HeaderPath path = parse(key);
    if (path == null || paths == null) {
      return null;
    }
    List<String> found = null;
    for (int i = 0; i < paths.size(); i++) {
      if (path.matches(paths.get(i))) {
        if (found == null) {
          found = new ArrayList<>();
        }
        List<String> v = values == null || i >= values.size() ? null : values.get(i);
        if (v != null) {
          found.addAll(v);
        }
      }
    }
    return found;
  }

  /**
   * The value of the first entry addressed by {@code key}, multiple values joined with {@code \} as
   * in the DICOM encoding; null when absent, empty or binary.
   */
  public static String value(List<String> paths, List<List<String>> values, String key) {
    HeaderPath path = parse(key);
    if (path == null || paths == null) {
      return null;
    }
    for (int i = 0; i < paths.size(); i++) {
      if (path.matches(paths.get(i))) {
        List<String> v = values == null || i >= values.size() ? null : values.get(i);
        if (v == null || v.isEmpty()) {
          return null;
        }
        List<String> nonNull = new ArrayList<>(v.size());
        for (String s : v) {
          nonNull.add(s == null ? "" : s);
        }
        String joined = String.join("\\", nonNull);
        return joined.isEmpty() ? null : joined;
      }
    }
    return null;
  }
}
