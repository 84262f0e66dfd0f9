package org.imaginglakehouse.ingest.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a read header ({@link AttributeList}) into the typed row: the instance columns and the
 * complete header flattened to {@link HeaderEntry}s. One instance per parser (per thread).
 *
 * <p>A header repeats the same tags file after file, so each tag's hex form and keyword are built
 * once and the same {@code String} instances are handed out again: the row builder can then convert
 * each of them to Spark's form once ({@code FileParser}). PixelMed's dictionary lookup by tag (a
 * hash map whose tag hash collides, so its bins are trees) was ~4 % of an ingest's executor time on
 * real CT headers before.
 */
final class HeaderFlattener {
  private static final DicomDictionary DICTIONARY = DicomDictionary.StandardDictionary;
  private static final AttributeTag PIXEL_DATA = TagFromName.PixelData;
  private static final List<AttributeTag> STRING_TAGS = tags(ParsedHeader.STRING_KEYWORDS);
  private static final List<AttributeTag> INT_TAGS = tags(ParsedHeader.INT_KEYWORDS);

  /** A tag's names, built once per distinct tag. */
  private record TagNames(String hex, String keyword) {}

  /** Distinct tags per parser before the cache starts afresh (private tags are unbounded). */
  static final int TAG_CACHE_LIMIT = 1 << 16;

  private final Map<Integer, TagNames> tagNames = new HashMap<>();

  /** The instance's typed values and its flattened header. */
  ParsedHeader build(
      AttributeList list,
      TransferSyntax ts,
      Long pixelOffset,
      Long pixelLength,
      String pixelVr,
      long headerLength,
      String checksum)
      throws DicomException {
    Map<String, String> strings = new HashMap<>();
    for (int i = 0; i < STRING_TAGS.size(); i++) {
      String v = value(list, STRING_TAGS.get(i));
      if (v != null) {
        strings.put(ParsedHeader.STRING_KEYWORDS.get(i), v);
      }
    }
    if (!strings.containsKey("TransferSyntaxUID") && ts != null) {
      strings.put("TransferSyntaxUID", ts.getUID());
    }
    Map<String, Integer> ints = new HashMap<>();
    for (int i = 0; i < INT_TAGS.size(); i++) {
      Integer v = intValue(list, INT_TAGS.get(i));
      if (v != null) {
        ints.put(ParsedHeader.INT_KEYWORDS.get(i), v);
      }
    }
    List<String> imageType = null;
    Attribute it = list.get(TagFromName.ImageType);
    if (it != null) {
      imageType = stringValues(it);
    }
    List<HeaderEntry> header = new ArrayList<>(list.size() + 16);
    flatten(list, "", header);
    return new ParsedHeader(
        strings,
        ints,
        imageType,
        pixelOffset,
        pixelLength,
        pixelVr,
        headerLength,
        checksum,
        header);
  }

  private void flatten(AttributeList list, String prefix, List<HeaderEntry> out)
      throws DicomException {
    for (Attribute a : list.values()) {
      AttributeTag tag = a.getTag();
      TagNames names = names(tag);
      // At the top level the path is the tag itself: the same instance, converted once.
      String path = prefix.isEmpty() ? names.hex() : prefix + names.hex();
      String creator = null;
      if (tag.isPrivate() && !tag.isPrivateCreator()) {
        String c = list.getPrivateCreatorString(tag);
        creator = c == null || c.isEmpty() ? null : c.trim();
      }
      String vr = VrNames.of(a);
      if (a instanceof SequenceAttribute sq) {
        int n = sq.getNumberOfItems();
        out.add(
            new HeaderEntry(
                path,
                names.hex(),
                names.keyword(),
                VrNames.SQ,
                creator,
                List.of(Integer.toString(n)),
                null));
        for (int i = 0; i < n; i++) {
          SequenceItem item = sq.getItem(i);
          AttributeList itemList = item.getAttributeList();
          if (itemList != null) {
            flatten(itemList, path + "[" + i + "].", out);
          }
        }
      } else if (VrNames.isBinary(vr)) {
        byte[] bytes = tag.equals(PIXEL_DATA) ? null : a.getByteValues(false);
        out.add(new HeaderEntry(path, names.hex(), names.keyword(), vr, creator, null, bytes));
      } else {
        out.add(
            new HeaderEntry(
                path, names.hex(), names.keyword(), vr, creator, stringValues(a, vr), null));
      }
    }
  }

  private TagNames names(AttributeTag tag) {
    int key = tag.getGroup() << 16 | tag.getElement() & 0xFFFF;
    TagNames names = tagNames.get(key);
    if (names == null) {
      if (tagNames.size() >= TAG_CACHE_LIMIT) {
        tagNames.clear();
      }
      names = new TagNames(hex(tag), tag.isPrivate() ? null : DICTIONARY.getNameFromTag(tag));
      tagNames.put(key, names);
    }
    return names;
  }

  /** Every value of a non-binary attribute as a string. */
  static List<String> stringValues(Attribute a) throws DicomException {
    return stringValues(a, VrNames.of(a));
  }

  private static List<String> stringValues(Attribute a, String vr) throws DicomException {
    List<String> out = new ArrayList<>();
    switch (vr) {
      case "US", "SS", "UL", "SL", "SV" -> {
        long[] v = a.getLongValues();
        if (v != null) {
          for (long x : v) {
            out.add(Long.toString(x));
          }
        }
      }
      case "UV" -> {
        long[] v = a.getLongValues();
        if (v != null) {
          for (long x : v) {
            out.add(Long.toUnsignedString(x));
          }
        }
      }
      case "FL" -> {
        float[] v = a.getFloatValues();
        if (v != null) {
          for (float x : v) {
            out.add(Float.toString(x));
          }
        }
      }
      case "FD" -> {
        double[] v = a.getDoubleValues();
        if (v != null) {
          for (double x : v) {
            out.add(Double.toString(x));
          }
        }
      }
      case "AT" -> {
        AttributeTag[] v = ((AttributeTagAttribute) a).getAttributeTagValues();
        if (v != null) {
          for (AttributeTag x : v) {
            out.add(hex(x));
          }
        }
      }
      default -> {
        String[] v;
        try {
          v = a.getOriginalStringValues();
        } catch (DicomException notKept) {
          // Text VRs (ST, LT, UT) keep no "original" values in PixelMed.
          v = null;
        }
        if (v == null) {
          v = a.getStringValues();
        }
        if (v != null) {
          for (String x : v) {
            out.add(stripPadding(x));
          }
        }
      }
    }
    return out;
  }

  /** Drops trailing padding (space, or NUL for UI), which is not part of a DICOM value. */
  static String stripPadding(String v) {
    if (v == null) {
      return null;
    }
    int end = v.length();
    while (end > 0 && (v.charAt(end - 1) == ' ' || v.charAt(end - 1) == '\0')) {
      end--;
    }
    return v.substring(0, end);
  }

  /** A top-level attribute's values joined by backslash (as in the file), or null. */
  static String value(AttributeList list, AttributeTag tag) {
    Attribute a = list.get(tag);
    if (a == null) {
      return null;
    }
    try {
      List<String> values = stringValues(a);
      return values.isEmpty() ? null : String.join("\\", values);
    } catch (DicomException e) {
      return null;
    }
  }

  private static Integer intValue(AttributeList list, AttributeTag tag) {
    String v = value(list, tag);
    if (v == null) {
      return null;
    }
    int cut = v.indexOf('\\');
    String first = (cut >= 0 ? v.substring(0, cut) : v).trim();
    try {
      long parsed = Long.parseLong(first.startsWith("+") ? first.substring(1) : first);
      return parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE ? null : (int) parsed;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();

  /** {@code GGGGEEEE} in upper-case hex (no String.format: called per AT value). */
  static String hex(AttributeTag tag) {
    int value = tag.getGroup() << 16 | tag.getElement() & 0xFFFF;
    char[] out = new char[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = HEX_DIGITS[value & 0xF];
      value >>>= 4;
    }
    return new String(out);
  }

  private static List<AttributeTag> tags(List<String> keywords) {
    List<AttributeTag> out = new ArrayList<>();
    for (String keyword : keywords) {
      out.add(DICTIONARY.getTagFromName(keyword));
    }
    return List.copyOf(out);
  }
}
