package org.imaginglakehouse.udfs;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Data dictionary look-ups (PixelMed's standard dictionary) in the tag spelling used by the {@code
 * header} column of {@code identifiable.instances}: 8 upper-case hex digits, e.g. {@code 00100010}.
 * Accepted tag spellings: {@code 00100010}, {@code (0010,0010)}, {@code 0010,0010}, {@code
 * 0x00100010}, {@code 0010 0010}; case-insensitive. Nothing here throws.
 */
public final class DicomTags {
  private static final Pattern TAG =
      Pattern.compile("\\(?\\s*(?:0X)?([0-9A-F]{4})\\s*[,\\s]?\\s*([0-9A-F]{4})\\s*\\)?");
  private static final Pattern KEYWORD = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

  private DicomTags() {}

  private static DicomDictionary dictionary() {
    return DicomDictionary.StandardDictionary;
  }

  /** Parses a tag spelling to {@code GGGGEEEE} (upper-case hex), or null. */
  public static String normaliseTag(String tag) {
    if (tag == null) {
      return null;
    }
    Matcher m = TAG.matcher(tag.trim().toUpperCase(Locale.ROOT));
    return m.matches() ? m.group(1) + m.group(2) : null;
  }

  /** Keyword of a tag ({@code 00100010} → {@code PatientName}); null if unknown or private. */
  public static String keyword(String tag) {
    AttributeTag parsed = attributeTag(normaliseTag(tag));
    if (parsed == null || parsed.isPrivate()) {
      return null;
    }
    String name = dictionary().getNameFromTag(parsed);
    if (name == null && parsed.isRepeatingGroup()) {
      name = dictionary().getNameFromTag(parsed.getTagWithRepeatingGroupBase());
    }
    return name;
  }

  /** Tag of a keyword ({@code PatientName} → {@code 00100010}); exact, case-sensitive match. */
  public static String tag(String keyword) {
    if (keyword == null) {
      return null;
    }
    String k = keyword.trim();
    if (!KEYWORD.matcher(k).matches()) {
      return null;
    }
    AttributeTag tag = dictionary().getTagFromName(k);
    return tag == null ? null : format(tag);
  }

  /** Value representation of a keyword or tag ({@code PatientName} → {@code PN}), or null. */
  public static String vr(String keywordOrTag) {
    if (keywordOrTag == null) {
      return null;
    }
    String tag = tag(keywordOrTag);
    if (tag == null) {
      tag = normaliseTag(keywordOrTag);
    }
    AttributeTag parsed = attributeTag(tag);
    if (parsed == null) {
      return null;
    }
    byte[] vr = dictionary().getValueRepresentationFromTag(parsed);
    if (vr == null && parsed.isRepeatingGroup()) {
      vr = dictionary().getValueRepresentationFromTag(parsed.getTagWithRepeatingGroupBase());
    }
    return vr == null || vr.length != 2 ? null : new String(vr, StandardCharsets.US_ASCII);
  }

  /** A keyword or tag spelling as {@code GGGGEEEE}, or null if neither. */
  public static String resolve(String keywordOrTag) {
    if (keywordOrTag == null) {
      return null;
    }
    String tag = tag(keywordOrTag);
    return tag != null ? tag : normaliseTag(keywordOrTag);
  }

  static String format(AttributeTag tag) {
    return String.format(Locale.ROOT, "%04X%04X", tag.getGroup(), tag.getElement());
  }

  private static AttributeTag attributeTag(String normalised) {
    if (normalised == null) {
      return null;
    }
    int value = Integer.parseUnsignedInt(normalised, 16);
    return new AttributeTag(value >>> 16, value & 0xFFFF);
  }
}
