package org.imaginglakehouse.extract.testing;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Test support: searches a file's raw bytes for identifying values, whatever the encoding a writer
 * chose: UTF-8 and ISO-8859-1, as given, upper- and lower-case, and with {@code ^} (PN component
 * separator) and space swapped ("DOE^JOHN" also as "DOE JOHN", and the other way). A hit names the
 * value's index, the variant and the byte offset, so a failing assertion does not need to print the
 * value itself.
 */
public final class PhiScanner {
  /** Values shorter than this are not searched: they occur by chance in pixel data. */
  public static final int DEFAULT_MIN_LENGTH = 4;

  private final int minLength;

  public PhiScanner() {
    this(DEFAULT_MIN_LENGTH);
  }

  public PhiScanner(int minLength) {
    this.minLength = minLength;
  }

  /** One occurrence. */
  public record Hit(int valueIndex, String variant, long offset) {
    @Override
    public String toString() {
      return "value #" + valueIndex + " as " + variant + " at byte " + offset;
    }
  }

  public List<Hit> scan(Path file, List<String> values) throws IOException {
    return scan(Files.readAllBytes(file), values);
  }

  public List<Hit> scan(byte[] bytes, List<String> values) {
    List<Hit> hits = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (value == null || value.strip().length() < minLength) {
        continue;
      }
      for (Map.Entry<String, byte[]> variant : variants(value.strip()).entrySet()) {
        long offset = indexOf(bytes, variant.getValue());
        if (offset >= 0) {
          hits.add(new Hit(i, variant.getKey(), offset));
        }
      }
    }
    return hits;
  }

  /** True when none of {@code values} occurs in {@code file}. */
  public boolean clean(Path file, Collection<String> values) throws IOException {
    return scan(file, List.copyOf(values)).isEmpty();
  }

  /** Every byte pattern searched for {@code value}, by variant name. */
  public static Map<String, byte[]> variants(String value) {
    Map<String, String> texts = new LinkedHashMap<>();
    for (String c : List.of("as-is", "upper", "lower")) {
      String cased =
          switch (c) {
            case "upper" -> value.toUpperCase(Locale.ROOT);
            case "lower" -> value.toLowerCase(Locale.ROOT);
            default -> value;
          };
      texts.putIfAbsent(c, cased);
      texts.putIfAbsent(c + ", ^ as space", cased.replace('^', ' '));
      texts.putIfAbsent(c + ", space as ^", cased.replace(' ', '^'));
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> text : texts.entrySet()) {
      add(out, text.getKey(), text.getValue(), StandardCharsets.UTF_8);
      add(out, text.getKey(), text.getValue(), StandardCharsets.ISO_8859_1);
    }
    return out;
  }

  private static void add(Map<String, byte[]> out, String name, String text, Charset charset) {
    if (charset.newEncoder().canEncode(text)) {
      byte[] encoded = text.getBytes(charset);
      boolean duplicate = out.values().stream().anyMatch(b -> java.util.Arrays.equals(b, encoded));
      if (!duplicate) {
        out.put(name + " " + charset.name(), encoded);
      }
    }
  }

  /** First offset of {@code pattern} in {@code bytes}, or -1. */
  static long indexOf(byte[] bytes, byte[] pattern) {
    if (pattern.length == 0) {
      return -1;
    }
    outer:
    for (int i = 0; i <= bytes.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
