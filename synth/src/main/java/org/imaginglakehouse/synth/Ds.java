package org.imaginglakehouse.synth;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A small dataset builder over a PixelMed {@link AttributeList} that encodes text in the dataset's
 * character set (including ISO 2022 multi-byte sets PixelMed cannot encode) and records every
 * planted PHI value with its tag path.
 */
final class Ds {
  private static final DicomDictionary DICT = DicomDictionary.StandardDictionary;
  private static final Charset ISO_2022_JP = Charset.forName("ISO-2022-JP");
  private static final Charset EUC_KR = Charset.forName("EUC-KR");

  final AttributeList list;
  private final SpecificCharacterSet scs;

  /** "" (none), "ISO_IR 100", "ISO_IR 192", "\ISO 2022 IR 87", "\ISO 2022 IR 149". */
  private final String charset;

  private final List<GroundTruth.PhiLocation> phi;
  private final String pathPrefix;

  Ds(String charset, List<GroundTruth.PhiLocation> phi) {
    this(charset, phi, "", specificCharacterSet(charset));
  }

  private Ds(
      String charset, List<GroundTruth.PhiLocation> phi, String prefix, SpecificCharacterSet s) {
    this(charset, phi, prefix, s, new AttributeList());
  }

  private Ds(
      String charset,
      List<GroundTruth.PhiLocation> phi,
      String prefix,
      SpecificCharacterSet s,
      AttributeList list) {
    this.list = list;
    this.charset = charset;
    this.phi = phi;
    this.pathPrefix = prefix;
    this.scs = s;
  }

  private static SpecificCharacterSet specificCharacterSet(String charset) {
    if (charset.isEmpty() || charset.contains("2022")) {
      return new SpecificCharacterSet(new String[] {"ISO_IR 100"});
    }
    return new SpecificCharacterSet(new String[] {charset});
  }

  static AttributeTag tag(String keyword) {
    AttributeTag t = DICT.getTagFromName(keyword);
    if (t == null) {
      throw new IllegalArgumentException("unknown DICOM keyword " + keyword);
    }
    return t;
  }

  static String hex(AttributeTag t) {
    return String.format(Locale.ROOT, "%04X%04X", t.getGroup(), t.getElement());
  }

  /** Puts {@code keyword} with the given values (no values = empty, type 2). */
  Ds put(String keyword, String... values) {
    AttributeTag t = tag(keyword);
    byte[] vr = DICT.getValueRepresentationFromTag(t);
    put(t, vr, values);
    return this;
  }

  void put(AttributeTag t, byte[] vr, String... values) {
    try {
      Attribute a = newAttribute(t, vr);
      for (String v : values) {
        a.addValue(v);
      }
      list.put(a);
    } catch (DicomException e) {
      throw new IllegalStateException("cannot set " + t + ": " + e.getMessage(), e);
    }
  }

  void putAttribute(Attribute a) {
    list.put(a);
  }

  /** Puts {@code keyword} and records it as PHI of {@code kind}. */
  Ds phi(String kind, String keyword, String value) {
    put(keyword, value);
    if (value != null && !value.isEmpty()) {
      phi.add(new GroundTruth.PhiLocation(kind, pathPrefix + hex(tag(keyword)), keyword, value));
    }
    return this;
  }

  /** Puts a private element (creator must have been put at (group,0010)) and records PHI. */
  Ds privatePhi(int group, int element, String vr, String value, String kind) {
    AttributeTag t = new AttributeTag(group, element);
    put(t, vr.getBytes(StandardCharsets.US_ASCII), value);
    phi.add(new GroundTruth.PhiLocation(kind, pathPrefix + hex(t), null, value));
    return this;
  }

  Ds privateCreator(int group, String creator) {
    put(new AttributeTag(group, 0x0010), "LO".getBytes(StandardCharsets.US_ASCII), creator);
    return this;
  }

  /** Adds an item to sequence {@code keyword} (created if absent) and returns its builder. */
  Ds item(String keyword) {
    AttributeTag t = tag(keyword);
    SequenceAttribute sq = (SequenceAttribute) list.get(t);
    if (sq == null) {
      sq = new SequenceAttribute(t);
      list.put(sq);
    }
    Ds child = new Ds(charset, phi, pathPrefix + hex(t) + "[" + sq.getNumberOfItems() + "].", scs);
    sq.addItem(child.list);
    return child;
  }

  /** The builder of the last item of sequence {@code keyword} (which must exist). */
  Ds lastItem(String keyword) {
    AttributeTag t = tag(keyword);
    SequenceAttribute sq = (SequenceAttribute) list.get(t);
    int n = sq.getNumberOfItems();
    return new Ds(
        charset,
        phi,
        pathPrefix + hex(t) + "[" + (n - 1) + "].",
        scs,
        sq.getItem(n - 1).getAttributeList());
  }

  /** An empty (type 2) sequence. */
  Ds emptySequence(String keyword) {
    AttributeTag t = tag(keyword);
    if (list.get(t) == null) {
      list.put(new SequenceAttribute(t));
    }
    return this;
  }

  Ds code(String keyword, String value, String scheme, String meaning) {
    Ds c = item(keyword);
    c.put("CodeValue", value);
    c.put("CodingSchemeDesignator", scheme);
    c.put("CodeMeaning", meaning);
    return this;
  }

  private Attribute newAttribute(AttributeTag t, byte[] vr) throws DicomException {
    String v = new String(vr, StandardCharsets.US_ASCII);
    if (charset.contains("2022")) {
      switch (v) {
        case "PN":
          return new PersonNameAttribute(t, scs) {
            @Override
            protected byte[] translateStringToByteArray(String s) {
              return iso2022(s);
            }
          };
        case "LO":
          return new LongStringAttribute(t, scs) {
            @Override
            protected byte[] translateStringToByteArray(String s) {
              return iso2022(s);
            }
          };
        case "SH":
          return new ShortStringAttribute(t, scs) {
            @Override
            protected byte[] translateStringToByteArray(String s) {
              return iso2022(s);
            }
          };
        case "LT":
          return new LongTextAttribute(t, scs) {
            @Override
            protected byte[] translateStringToByteArray(String s) {
              return iso2022(s);
            }
          };
        case "ST":
          return new ShortTextAttribute(t, scs) {
            @Override
            protected byte[] translateStringToByteArray(String s) {
              return iso2022(s);
            }
          };
        case "UT":
          return new UnlimitedTextAttribute(t, scs) {
            @Override
            protected byte[] translateStringToByteArray(String s) {
              return iso2022(s);
            }
          };
        default:
          break;
      }
    }
    return AttributeFactory.newAttribute(t, vr, scs);
  }

  /**
   * Encodes text for {@code \ISO 2022 IR 87} (JIS X 0208 runs between ESC $ B and ESC ( B) or
   * {@code \ISO 2022 IR 149} (KS X 1001 in G1 after ESC $ ) C), ASCII elsewhere, so that every
   * delimiter (^ = \) is in ASCII as PS3.5 6.1.2.5 requires.
   */
  byte[] iso2022(String s) {
    boolean korean = charset.contains("149");
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 3);
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out.write(c);
        i++;
        continue;
      }
      int j = i;
      while (j < s.length() && s.charAt(j) >= 0x80) {
        j++;
      }
      String run = s.substring(i, j);
      byte[] enc = encode(run, korean ? EUC_KR : ISO_2022_JP);
      if (korean) {
        out.write(0x1B);
        out.write('$');
        out.write(')');
        out.write('C');
      }
      out.writeBytes(enc);
      i = j;
    }
    return out.toByteArray();
  }

  private static byte[] encode(String s, Charset cs) {
    CharsetEncoder e =
        cs.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      ByteBuffer b = e.encode(CharBuffer.wrap(s));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException ex) {
      throw new IllegalArgumentException("cannot encode '" + s + "' in " + cs, ex);
    }
  }
}
