package org.imaginglakehouse.extract.verify;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Searches every byte of a file for a set of identifying values at once, ignoring case (ASCII and
 * Latin-1 letters) and the difference between {@code ^} and a space, with each value encoded in
 * UTF-8, ISO-8859-1 and any further character sets given (a file's SpecificCharacterSet).
 *
 * <p>One pass over the file: every encoded, case-folded value is indexed by its last four bytes, so
 * the cost is one table lookup per byte whatever the number of values (an extraction's values are
 * thousands: one SOPInstanceUID per source instance). Inside the pixel data value only values of at
 * least {@link #PIXEL_MIN_LENGTH} bytes count: compressed pixel bytes are close to random, and a
 * four-letter name matches by chance there about once per 250 MB per value (folded letters match 2
 * of 256 byte values), a six-letter one once per 4 TB.
 *
 * <p>Parts of names and addresses (values of a kind ending in {@value #PART_SUFFIX}) count only as
 * whole words: not preceded or followed by an ASCII letter. A patient named Mary would otherwise be
 * "found" in the {@code PRIMARY} of every CT image's ImageType and block every release of her
 * images. Whole names and every other value still count anywhere, so a name part glued to a letter
 * is missed only when it is not also part of a whole name in the file (documented in
 * docs/extract.md).
 *
 * <p>Immutable after construction; safe to share between threads.
 */
public final class ResidualScanner {
  /** Shortest value (in bytes) searched inside the pixel data value. */
  public static final int PIXEL_MIN_LENGTH = 6;

  /** Kind suffix of name and address parts, matched as whole words only. */
  public static final String PART_SUFFIX = " part";

  /** Largest size of {@link #filter}: 2^18 bits (a scanner of few values gets a smaller one). */
  private static final int FILTER_BITS = 18;

  private static final byte[] FOLD = new byte[256];

  static {
    for (int b = 0; b < 256; b++) {
      int f = b;
      if (b >= 'A' && b <= 'Z') {
        f = b + 32;
      } else if (b == '^') {
        f = ' ';
      } else if (b >= 0xC0 && b <= 0xDE && b != 0xD7) {
        f = b + 32; // Latin-1 upper-case letters; UTF-8 values are indexed in both cases anyway
      }
      FOLD[b] = (byte) f;
    }
  }

  /** A value found: which one, in which encoding, at which byte offset of the file. */
  public record Hit(IdentifyingValues.Value value, String encoding, long offset) {}

  private final List<IdentifyingValues.Value> values;
  private final byte[][] patterns;
  private final int[] valueOf;
  private final boolean[] wordOnly;
  private final String[] encodingOf;
  private final int[] keys;
  private final int[] heads;
  private final int[] next;
  private final int mask;

  /**
   * A bit per hash of a last-four-bytes key that some value ends with: at most 32 KB, so it stays
   * in the core's cache whatever the number of values, and most bytes of a file are ruled out by
   * one test of it (the chained table behind it grows to hundreds of KB with an extraction's UIDs).
   */
  private final long[] filter;

  private final int filterBits;

  /**
   * A bit per last-two-bytes pair that some value ends with (exact, 8 KB: in the first-level
   * cache). Tested before {@link #filter}: an extraction's values end in digits or letters, so most
   * bytes of pixel data and binary values are ruled out here without a cache miss.
   */
  private final long[] pairs = new long[1 << (16 - 6)];

  private static final long[] NO_PAIRS = new long[1 << (16 - 6)];

  public ResidualScanner(List<IdentifyingValues.Value> values, List<Charset> extraCharsets) {
    this.values = List.copyOf(values);
    List<Charset> charsets =
        new ArrayList<>(List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1));
    extraCharsets.stream().filter(c -> !charsets.contains(c)).forEach(charsets::add);
    List<byte[]> pats = new ArrayList<>();
    List<Integer> owner = new ArrayList<>();
    List<String> enc = new ArrayList<>();
    for (int v = 0; v < this.values.size(); v++) {
      String text = this.values.get(v).text();
      Map<String, byte[]> distinct = new LinkedHashMap<>();
      Map<String, String> encodings = new LinkedHashMap<>();
      for (String cased :
          List.of(text, text.toLowerCase(Locale.ROOT), text.toUpperCase(Locale.ROOT))) {
        for (Charset cs : charsets) {
          if (!cs.newEncoder().canEncode(cased)) {
            continue;
          }
          byte[] folded = fold(cased.getBytes(cs));
          if (folded.length >= 4) {
            distinct.putIfAbsent(Arrays.toString(folded), folded);
            encodings.putIfAbsent(Arrays.toString(folded), cs.name());
          }
        }
      }
      for (Map.Entry<String, byte[]> e : distinct.entrySet()) {
        pats.add(e.getValue());
        owner.add(v);
        enc.add(encodings.get(e.getKey()));
      }
    }
    patterns = pats.toArray(byte[][]::new);
    valueOf = owner.stream().mapToInt(Integer::intValue).toArray();
    wordOnly = new boolean[valueOf.length];
    for (int p = 0; p < valueOf.length; p++) {
      wordOnly[p] = this.values.get(valueOf[p]).kind().endsWith(PART_SUFFIX);
    }
    encodingOf = enc.toArray(String[]::new);
    // 16 bits a pattern up to 2^18: a file's own few values build (per file) small tables.
    filterBits =
        Math.min(FILTER_BITS, Math.max(6, 32 - Integer.numberOfLeadingZeros(patterns.length * 16)));
    filter = new long[1 << (filterBits - 6)];
    int size = Integer.highestOneBit(Math.max(32, patterns.length * 4)) << 1;
    mask = size - 1;
    heads = new int[size];
    Arrays.fill(heads, -1);
    next = new int[patterns.length];
    keys = new int[patterns.length];
    for (int p = 0; p < patterns.length; p++) {
      byte[] pat = patterns[p];
      keys[p] = key(pat, pat.length - 1);
      int f = filterBit(keys[p]);
      filter[f >>> 6] |= 1L << f;
      int pair = keys[p] & 0xFFFF;
      pairs[pair >>> 6] |= 1L << pair;
      int h = slot(keys[p]);
      next[p] = heads[h];
      heads[h] = p;
    }
  }

  public int size() {
    return values.size();
  }

  private static byte[] fold(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = FOLD[bytes[i] & 0xFF];
    }
    return out;
  }

  private static int key(byte[] folded, int end) {
    return (folded[end - 3] & 0xFF) << 24
        | (folded[end - 2] & 0xFF) << 16
        | (folded[end - 1] & 0xFF) << 8
        | (folded[end] & 0xFF);
  }

  private int slot(int key) {
    return (key * 0x9E3779B9 >>> 7) & mask;
  }

  private int filterBit(int key) {
    return (key * 0x85EBCA6B) >>> (32 - filterBits);
  }

  /**
   * Every value found in {@code data}, each once (its first occurrence). {@code pixelStart} and
   * {@code pixelEnd} delimit the top-level PixelData value (or -1 when there is none): a match that
   * overlaps it counts only when it is at least {@link #PIXEL_MIN_LENGTH} bytes long.
   */
  public List<Hit> scan(byte[] data, long pixelStart, long pixelEnd) {
    return scan(data, pixelStart, pixelEnd, null);
  }

  /**
   * As {@link #scan(byte[], long, long)}, and in the same pass over {@code data} the values of
   * {@code also} (null: none), such as the values searched in one file only: the hits of both.
   */
  public List<Hit> scan(byte[] data, long pixelStart, long pixelEnd, ResidualScanner also) {
    Map<Integer, Hit> found = new LinkedHashMap<>();
    Map<Integer, Hit> foundAlso = also == null ? null : new LinkedHashMap<>();
    long[] alsoPairs = also == null ? NO_PAIRS : also.pairs;
    int key = 0;
    for (int i = 0; i < data.length; i++) {
      key = key << 8 | (FOLD[data[i] & 0xFF] & 0xFF);
      int pair = key & 0xFFFF;
      long bit = 1L << pair;
      if (((pairs[pair >>> 6] | alsoPairs[pair >>> 6]) & bit) == 0 || i < 3) {
        continue;
      }
      probe(data, key, i, pixelStart, pixelEnd, found);
      if (also != null) {
        also.probe(data, key, i, pixelStart, pixelEnd, foundAlso);
      }
    }
    List<Hit> out = new ArrayList<>(found.values());
    if (foundAlso != null) {
      out.addAll(foundAlso.values());
    }
    return out;
  }

  /** The values that end at byte {@code i} of {@code data} (its last four bytes: {@code key}). */
  private void probe(
      byte[] data, int key, int i, long pixelStart, long pixelEnd, Map<Integer, Hit> found) {
    int f = filterBit(key);
    if ((filter[f >>> 6] & (1L << f)) == 0) {
      return;
    }
    for (int p = heads[slot(key)]; p >= 0; p = next[p]) {
      if (keys[p] != key) {
        continue;
      }
      byte[] pat = patterns[p];
      int start = i - pat.length + 1;
      if (start < 0 || found.containsKey(valueOf[p]) || !matches(data, start, pat)) {
        continue;
      }
      if (wordOnly[p] && (isLetter(data, start - 1) || isLetter(data, i + 1))) {
        continue;
      }
      boolean inPixels = pixelStart >= 0 && start < pixelEnd && i >= pixelStart;
      if (inPixels && pat.length < PIXEL_MIN_LENGTH) {
        continue;
      }
      found.put(valueOf[p], new Hit(values.get(valueOf[p]), encodingOf[p], start));
    }
  }

  /**
   * Whether the byte at {@code i} is an ASCII letter. Only ASCII letters join a name part to a
   * longer word: bytes at or above 0x80 are boundaries even where they could be a Latin-1 or UTF-8
   * letter, because binary data (a tag such as PixelData's {@code E0 7F} right after a value, pixel
   * bytes) uses them too, and a part followed by one would be missed. Fail closed: a part glued to
   * an accented letter ("ANNÉ") is reported.
   */
  private static boolean isLetter(byte[] data, int i) {
    if (i < 0 || i >= data.length) {
      return false;
    }
    int b = data[i] & 0xFF;
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
  }

  private static boolean matches(byte[] data, int start, byte[] pat) {
    for (int j = pat.length - 5; j >= 0; j--) {
      if (FOLD[data[start + j] & 0xFF] != pat[j]) {
        return false;
      }
    }
    return true;
  }
}
