package org.imaginglakehouse.core.dicom;

import com.pixelmed.dicom.AgeStringAttribute;
import com.pixelmed.dicom.ApplicationEntityAttribute;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.ClinicalTrialsAttributes;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DateTimeAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FloatDoubleAttribute;
import com.pixelmed.dicom.FloatSingleAttribute;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherDoubleAttribute;
import com.pixelmed.dicom.OtherFloatAttribute;
import com.pixelmed.dicom.OtherLongAttribute;
import com.pixelmed.dicom.OtherVeryLongAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.SignedLongAttribute;
import com.pixelmed.dicom.SignedShortAttribute;
import com.pixelmed.dicom.SignedVeryLongAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UniversalResourceAttribute;
import com.pixelmed.dicom.UnknownAttribute;
import com.pixelmed.dicom.UnlimitedCharactersAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import com.pixelmed.dicom.UnsignedVeryLongAttribute;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a DICOM header into the {@link AttributeList} that PixelMed's {@code AttributeList.read}
 * would build, for the plain files that make up nearly every archive, without PixelMed's per
 * attribute reflection (a constructor lookup, and for most VRs a failed lookup with its exception,
 * for every element) and without the value dump it builds for every character-set-decoded string.
 * Values are still decoded by PixelMed's own attribute constructors, called directly.
 *
 * <p>Handled: a file with a preamble and {@code DICM} (or starting with group 0002), the meta
 * information in explicit VR little endian, a data set in implicit or explicit VR little endian
 * (native or encapsulated), sequences and items of defined and undefined length at any depth, up to
 * the top-level PixelData element (whose tag start is returned and which is not read) or the end of
 * the file. Anything else returns {@link Outcome#unhandled} with the reason, before the caller has
 * lost anything: explicit VR {@code UN} (which PixelMed may re-type from its dictionary), unknown
 * or malformed VRs, implicit VR elements without a single dictionary VR (US-or-SS, OB-or-OW,
 * non-private tags missing from the dictionary), private sequences PixelMed treats as safe, strings
 * with bytes outside ASCII in charset-affected VRs are fine (decoded through PixelMed with the
 * file's character set), undefined lengths on anything but a sequence, truncation, other transfer
 * syntaxes. The caller then reads the same bytes with PixelMed, which also produces the error
 * message for a broken file. Equality with PixelMed is tested attribute by attribute and by the
 * bytes written from both lists ({@code DirectHeaderReaderTest}).
 *
 * <p>Stateless and thread-safe; messages never contain values.
 */
public final class DirectHeaderReader {
  private static final int UNDEFINED = -1;
  private static final AttributeTag PIXEL_DATA = TagFromName.PixelData;
  private static final DicomDictionary DICTIONARY = AttributeList.getDictionary();

  private DirectHeaderReader() {}

  /** What {@link #read} found: a header, or why the caller must use PixelMed instead. */
  public record Outcome(
      AttributeList list,
      TransferSyntax transferSyntax,
      long pixelTagStart,
      long end,
      String unhandled) {
    /** Whether the header was read (otherwise {@link #unhandled} says why not). */
    public boolean read() {
      return unhandled == null;
    }

    static Outcome unhandledBecause(String reason) {
      return new Outcome(null, null, -1, -1, reason);
    }
  }

  /**
   * Reads the header from the start of {@code bytes}.
   *
   * @return the list (meta information and data set, without PixelData), its transfer syntax, the
   *     offset of the PixelData tag (or -1 when the file has none, having then been read to its
   *     end) and where reading stopped; or an outcome saying why the file was left to PixelMed
   * @throws IOException only when {@code bytes} cannot supply more bytes
   */
  public static Outcome read(HeaderBytes bytes) throws IOException {
    try {
      return new Parse(bytes).run();
    } catch (Unhandled e) {
      return Outcome.unhandledBecause(e.getMessage());
    } catch (DicomException | RuntimeException e) {
      return Outcome.unhandledBecause("PixelMed refused a value: " + e.getClass().getSimpleName());
    }
  }

  /** Leaves the file to PixelMed. */
  private static final class Unhandled extends Exception {
    private static final long serialVersionUID = 1L;

    Unhandled(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final class Parse {
    private final HeaderBytes bytes;
    private final Cursor cursor = new Cursor();
    private DicomInputStream din;
    private boolean explicit = true;
    private int pos;

    Parse(HeaderBytes bytes) {
      this.bytes = bytes;
    }

    Outcome run() throws IOException, Unhandled, DicomException {
      int start;
      if (bytes.ensure(132)
          && bytes.array()[128] == 'D'
          && bytes.array()[129] == 'I'
          && bytes.array()[130] == 'C'
          && bytes.array()[131] == 'M') {
        start = 132;
      } else if (bytes.ensure(8) && bytes.array()[0] == 0x02 && bytes.array()[1] == 0x00) {
        start = 0;
      } else {
        throw new Unhandled("no preamble and no meta information");
      }
      pos = start;
      AttributeList list = new AttributeList();
      // "false": the stream holds values only, never the preamble PixelMed would look for.
      din = new DicomInputStream(cursor, TransferSyntax.ExplicitVRLittleEndian, false);
      while (need(2) && group() == 0x0002) {
        readElement(list, null, true);
      }
      String uid =
          Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID).trim();
      TransferSyntax ts = supported(uid);
      din = new DicomInputStream(cursor, uid, false);
      explicit = ts.isExplicitVR();
      SpecificCharacterSet[] scs = {null};
      while (true) {
        if (!bytes.ensure(pos + 1)) {
          return new Outcome(list, ts, -1, pos, null);
        }
        need(4);
        if (group() == 0x7FE0 && element() == 0x0010) {
          return new Outcome(list, ts, pos, pos, null);
        }
        if (group() <= 0x0002 || group() == 0xFFFE) {
          throw new Unhandled("meta information or item tag inside the data set");
        }
        scs[0] = readElement(list, scs[0], false);
      }
    }

    private static TransferSyntax supported(String uid) throws Unhandled {
      if (uid.isEmpty()) {
        throw new Unhandled("no TransferSyntaxUID");
      }
      TransferSyntax ts = new TransferSyntax(uid);
      boolean implicitLittle = uid.equals(TransferSyntax.ImplicitVRLittleEndian);
      boolean explicitLittle =
          ts.isRecognized()
              && ts.isExplicitVR()
              && ts.isLittleEndian()
              && !ts.isDeflated()
              && !ts.isBzip2ed();
      if (!implicitLittle && !explicitLittle) {
        throw new Unhandled("transfer syntax not read directly");
      }
      return ts;
    }

    /**
     * Reads one element at {@code pos} into {@code list}.
     *
     * @return the character set for the list's following elements
     */
    private SpecificCharacterSet readElement(
        AttributeList list, SpecificCharacterSet scs, boolean meta)
        throws IOException, Unhandled, DicomException {
      need(8);
      if (group() == 0xFFFE) {
        throw new Unhandled("item tag where an element was expected");
      }
      AttributeTag tag = new AttributeTag(group(), element());
      int vr;
      long length;
      boolean explicitHere = meta || explicit;
      if (explicitHere) {
        vr = ((bytes.array()[pos + 4] & 0xFF) << 8) | (bytes.array()[pos + 5] & 0xFF);
        if (!Vr.direct(vr)) {
          throw new Unhandled("explicit VR not read directly");
        }
        if (Vr.longLength(vr)) {
          need(12);
          length = u32(pos + 8);
          pos += 12;
        } else {
          length = u16(pos + 6);
          pos += 8;
        }
        if (vr == Vr.UN) {
          throw new Unhandled("explicit UN");
        }
        if (tag.isPrivateCreator() && vr != Vr.LO) {
          throw new Unhandled("private creator not LO");
        }
      } else {
        length = u32(pos + 4);
        pos += 8;
        vr = implicitVr(list, tag);
      }
      if (length == 0xFFFFFFFFL) {
        if (vr != Vr.SQ) {
          throw new Unhandled("undefined length outside a sequence");
        }
        list.put(readSequence(tag, UNDEFINED, scs));
        return scs;
      }
      if (length > Integer.MAX_VALUE - pos) {
        throw new Unhandled("value longer than a header can be");
      }
      int valueLength = (int) length;
      if (vr == Vr.SQ) {
        list.put(readSequence(tag, valueLength, scs));
        return scs;
      }
      if (!bytes.ensure(pos + valueLength)) {
        throw new Unhandled("value runs past the end of the file");
      }
      Attribute attribute = value(tag, vr, valueLength, scs);
      list.put(attribute);
      if (tag.equals(TagFromName.SpecificCharacterSet)) {
        return new SpecificCharacterSet(attribute.getStringValues(), attribute.getByteValues());
      }
      return scs;
    }

    private int implicitVr(AttributeList list, AttributeTag tag) throws Unhandled {
      if (tag.isPrivateCreator()) {
        return Vr.LO;
      }
      byte[] known = DICTIONARY.getValueRepresentationFromTag(tag);
      if (known == null) {
        if (!tag.isPrivate()) {
          throw new Unhandled("implicit VR tag missing from the dictionary");
        }
        String creator =
            Attribute.getSingleStringValueOrNull(
                list, new AttributeTag(tag.getGroup(), tag.getElement() >> 8));
        if (creator == null
            || ClinicalTrialsAttributes.isSafePrivateSequenceAttribute(creator, tag)) {
          throw new Unhandled("implicit private element PixelMed may read as a sequence");
        }
        return Vr.UN;
      }
      if (known.length != 2) {
        throw new Unhandled("dictionary VR of unexpected length");
      }
      int vr = ((known[0] & 0xFF) << 8) | (known[1] & 0xFF);
      if (!Vr.direct(vr) || vr == Vr.UN) {
        throw new Unhandled("implicit VR without a single dictionary VR");
      }
      return vr;
    }

    private SequenceAttribute readSequence(AttributeTag tag, int length, SpecificCharacterSet scs)
        throws IOException, Unhandled, DicomException {
      SequenceAttribute sequence = new SequenceAttribute(tag);
      long end = length == UNDEFINED ? Long.MAX_VALUE : (long) pos + length;
      while (pos < end) {
        need(8);
        int g = group();
        int e = element();
        long itemLength = u32(pos + 4);
        if (g != 0xFFFE) {
          throw new Unhandled("element where an item was expected");
        }
        if (e == 0xE0DD) {
          if (length != UNDEFINED || itemLength != 0) {
            throw new Unhandled("unexpected sequence delimiter");
          }
          pos += 8;
          return sequence;
        }
        if (e != 0xE000) {
          throw new Unhandled("unexpected item tag");
        }
        long itemStart = pos;
        pos += 8;
        AttributeList item = new AttributeList();
        SpecificCharacterSet itemScs = scs;
        if (itemLength == 0xFFFFFFFFL) {
          while (true) {
            need(8);
            if (group() == 0xFFFE && element() == 0xE00D) {
              if (u32(pos + 4) != 0) {
                throw new Unhandled("item delimiter with a length");
              }
              pos += 8;
              break;
            }
            itemScs = readElement(item, itemScs, false);
          }
        } else {
          long itemEnd = pos + itemLength;
          if (itemEnd > end) {
            throw new Unhandled("item longer than its sequence");
          }
          while (pos < itemEnd) {
            itemScs = readElement(item, itemScs, false);
          }
          if (pos != itemEnd) {
            throw new Unhandled("item contents overrun the item length");
          }
        }
        sequence.addItem(item, itemStart);
      }
      if (length != UNDEFINED && pos != end) {
        throw new Unhandled("sequence contents overrun the sequence length");
      }
      if (length == UNDEFINED) {
        throw new Unhandled("sequence without delimiter");
      }
      return sequence;
    }

    private Attribute value(AttributeTag tag, int vr, int length, SpecificCharacterSet scs)
        throws IOException, Unhandled, DicomException {
      cursor.at(bytes.array(), pos, pos + length);
      Attribute a = construct(tag, vr, length, scs);
      if (cursor.pos != pos + length) {
        throw new Unhandled("value not read to its length");
      }
      pos += length;
      return a;
    }

    private Attribute construct(AttributeTag tag, int vr, long vl, SpecificCharacterSet scs)
        throws IOException, DicomException, Unhandled {
      // PixelMed decodes charset-affected strings through the character set (and builds a dump of
      // each decoded value as it does). Pure ASCII decodes the same without it: the character set
      // is then set afterwards, so that the attribute is the one PixelMed would have made.
      SpecificCharacterSet decodeWith = scs != null && !cursor.plainAscii() ? scs : null;
      StringAttribute charsetString;
      switch (vr) {
        case Vr.AE:
          return new ApplicationEntityAttribute(tag, vl, din);
        case Vr.AS:
          return new AgeStringAttribute(tag, vl, din);
        case Vr.AT:
          return new AttributeTagAttribute(tag, vl, din);
        case Vr.CS:
          return new CodeStringAttribute(tag, vl, din);
        case Vr.DA:
          return new DateAttribute(tag, vl, din);
        case Vr.DT:
          return new DateTimeAttribute(tag, vl, din);
        case Vr.DS:
          return new DecimalStringAttribute(tag, vl, din);
        case Vr.FD:
          return new FloatDoubleAttribute(tag, vl, din);
        case Vr.FL:
          return new FloatSingleAttribute(tag, vl, din);
        case Vr.IS:
          return new IntegerStringAttribute(tag, vl, din);
        case Vr.OB:
          return new OtherByteAttribute(tag, vl, din);
        case Vr.OD:
          return new OtherDoubleAttribute(tag, vl, din);
        case Vr.OF:
          return new OtherFloatAttribute(tag, vl, din);
        case Vr.OL:
          return new OtherLongAttribute(tag, vl, din);
        case Vr.OV:
          return new OtherVeryLongAttribute(tag, vl, din);
        case Vr.OW:
          return new OtherWordAttribute(tag, vl, din);
        case Vr.SL:
          return new SignedLongAttribute(tag, vl, din);
        case Vr.SS:
          return new SignedShortAttribute(tag, vl, din);
        case Vr.SV:
          return new SignedVeryLongAttribute(tag, vl, din);
        case Vr.TM:
          return new TimeAttribute(tag, vl, din);
        case Vr.UI:
          return new UniqueIdentifierAttribute(tag, vl, din);
        case Vr.UL:
          return new UnsignedLongAttribute(tag, vl, din);
        case Vr.UN:
          return new UnknownAttribute(tag, vl, din);
        case Vr.UR:
          return new UniversalResourceAttribute(tag, vl, din);
        case Vr.US:
          return new UnsignedShortAttribute(tag, vl, din);
        case Vr.UV:
          return new UnsignedVeryLongAttribute(tag, vl, din);
        // Text VRs keep their character set only through the constructor.
        case Vr.LT:
          return new LongTextAttribute(tag, vl, din, scs);
        case Vr.ST:
          return new ShortTextAttribute(tag, vl, din, scs);
        case Vr.UT:
          return new UnlimitedTextAttribute(tag, vl, din, scs);
        case Vr.LO:
          charsetString = new LongStringAttribute(tag, vl, din, decodeWith);
          break;
        case Vr.PN:
          charsetString = new PersonNameAttribute(tag, vl, din, decodeWith);
          break;
        case Vr.SH:
          charsetString = new ShortStringAttribute(tag, vl, din, decodeWith);
          break;
        case Vr.UC:
          charsetString = new UnlimitedCharactersAttribute(tag, vl, din, decodeWith);
          break;
        default:
          throw new Unhandled("VR not read directly");
      }
      if (scs != null && decodeWith == null) {
        charsetString.setSpecificCharacterSet(scs);
      }
      return charsetString;
    }

    private boolean need(int n) throws IOException, Unhandled {
      if (!bytes.ensure(pos + n)) {
        throw new Unhandled("file ends inside an element");
      }
      return true;
    }

    private int group() {
      return u16(pos);
    }

    private int element() {
      return u16(pos + 2);
    }

    private int u16(int at) {
      byte[] b = bytes.array();
      return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
    }

    private long u32(int at) {
      byte[] b = bytes.array();
      return ((b[at] & 0xFFL)
          | ((b[at + 1] & 0xFFL) << 8)
          | ((b[at + 2] & 0xFFL) << 16)
          | ((b[at + 3] & 0xFFL) << 24));
    }
  }

  /** A value's bytes as the stream PixelMed's attribute constructors read from. */
  private static final class Cursor extends InputStream {
    private byte[] buf;
    private int pos;
    private int limit;

    void at(byte[] buf, int from, int to) {
      this.buf = buf;
      this.pos = from;
      this.limit = to;
    }

    /** Whether the value is ASCII without escape sequences (decoded alike in every charset). */
    boolean plainAscii() {
      for (int i = pos; i < limit; i++) {
        byte b = buf[i];
        if (b < 0 || b == 0x1B) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int read() {
      return pos < limit ? buf[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= limit) {
        return -1;
      }
      int n = Math.min(len, limit - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) {
      int k = (int) Math.max(0, Math.min(n, limit - pos));
      pos += k;
      return k;
    }

    @Override
    public int available() {
      return limit - pos;
    }
  }

  /** Value representations as their two ASCII bytes in one int ("AE" = 0x4145). */
  private static final class Vr {
    static final int AE = 0x4145;
    static final int AS = 0x4153;
    static final int AT = 0x4154;
    static final int CS = 0x4353;
    static final int DA = 0x4441;
    static final int DS = 0x4453;
    static final int DT = 0x4454;
    static final int FD = 0x4644;
    static final int FL = 0x464C;
    static final int IS = 0x4953;
    static final int LO = 0x4C4F;
    static final int LT = 0x4C54;
    static final int OB = 0x4F42;
    static final int OD = 0x4F44;
    static final int OF = 0x4F46;
    static final int OL = 0x4F4C;
    static final int OV = 0x4F56;
    static final int OW = 0x4F57;
    static final int PN = 0x504E;
    static final int SH = 0x5348;
    static final int SL = 0x534C;
    static final int SQ = 0x5351;
    static final int SS = 0x5353;
    static final int ST = 0x5354;
    static final int SV = 0x5356;
    static final int TM = 0x544D;
    static final int UC = 0x5543;
    static final int UI = 0x5549;
    static final int UL = 0x554C;
    static final int UN = 0x554E;
    static final int UR = 0x5552;
    static final int US = 0x5553;
    static final int UT = 0x5554;
    static final int UV = 0x5556;

    static boolean longLength(int vr) {
      return switch (vr) {
        case OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV -> true;
        default -> false;
      };
    }

    static boolean direct(int vr) {
      return switch (vr) {
        case AE,
            AS,
            AT,
            CS,
            DA,
            DS,
            DT,
            FD,
            FL,
            IS,
            LO,
            LT,
            OB,
            OD,
            OF,
            OL,
            OV,
            OW,
            PN,
            SH,
            SL,
            SQ,
            SS,
            ST,
            SV,
            TM,
            UC,
            UI,
            UL,
            UN,
            UR,
            US,
            UT,
            UV ->
            true;
        default -> false;
      };
    }
  }
}
