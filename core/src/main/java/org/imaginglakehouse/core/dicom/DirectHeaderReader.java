package org.imaginglakehouse.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.ClinicalTrialsAttributes;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
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

  /**
   * What {@link #read} found: a header, or why the caller must use PixelMed instead. {@code
   * overrun}, when not null, is a value whose declared length runs past the bytes there were: the
   * caller can compare its end with the file's length before PixelMed, which allocates a value's
   * declared length before it reads it (up to 2 GiB for a corrupt length).
   */
  public record Outcome(
      AttributeList list,
      TransferSyntax transferSyntax,
      long pixelTagStart,
      long end,
      String unhandled,
      Overrun overrun) {
    /** Whether the header was read (otherwise {@link #unhandled} says why not). */
    public boolean read() {
      return unhandled == null;
    }

    static Outcome unhandledBecause(String reason, Overrun overrun) {
      return new Outcome(null, null, -1, -1, reason, overrun);
    }
  }

  /**
   * A value of element ({@code group},{@code element}) starting at byte {@code valueStart} of the
   * file that declares {@code length} bytes, more than the bytes available.
   */
  public record Overrun(int group, int element, long valueStart, long length) {
    /** The byte the value would end at. */
    public long end() {
      return valueStart + length;
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
      return Outcome.unhandledBecause(e.getMessage(), e.overrun);
    } catch (DicomException | RuntimeException e) {
      return Outcome.unhandledBecause(
          "PixelMed refused a value: " + e.getClass().getSimpleName(), null);
    }
  }

  /** Leaves the file to PixelMed. */
  private static final class Unhandled extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Overrun overrun;

    Unhandled(String reason) {
      this(reason, null);
    }

    Unhandled(String reason, Overrun overrun) {
      super(reason, null, false, false);
      this.overrun = overrun;
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
      while (true) {
        need(2);
        if (group() != 0x0002) {
          break;
        }
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
          return new Outcome(list, ts, -1, pos, null, null);
        }
        need(4);
        if (group() == 0x7FE0 && element() == 0x0010) {
          return new Outcome(list, ts, pos, pos, null, null);
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
        checkFits(tag, length);
        if (vr == Vr.UN) {
          throw new Unhandled("explicit UN");
        }
        if (tag.isPrivateCreator() && vr != Vr.LO) {
          throw new Unhandled("private creator not LO");
        }
      } else {
        length = u32(pos + 4);
        pos += 8;
        checkFits(tag, length);
        vr = implicitVr(list, tag);
      }
      if (length == 0xFFFFFFFFL) {
        if (vr != Vr.SQ) {
          throw new Unhandled("undefined length outside a sequence");
        }
        list.put(readSequence(tag, UNDEFINED, scs));
        return scs;
      }
      int valueLength = (int) length;
      if (vr == Vr.SQ) {
        list.put(readSequence(tag, valueLength, scs));
        return scs;
      }
      Attribute attribute = value(tag, vr, valueLength, scs);
      list.put(attribute);
      if (tag.equals(TagFromName.SpecificCharacterSet)) {
        return new SpecificCharacterSet(attribute.getStringValues(), attribute.getByteValues());
      }
      return scs;
    }

    /**
     * A defined length must fit in the bytes there are, whatever the element (checked before any
     * reason to leave the file to PixelMed, which would allocate that length first).
     */
    private void checkFits(AttributeTag tag, long length) throws IOException, Unhandled {
      if (length == 0xFFFFFFFFL) {
        return;
      }
      if (length > Integer.MAX_VALUE - pos) {
        throw new Unhandled(
            "value longer than a header can be",
            new Overrun(tag.getGroup(), tag.getElement(), pos, length));
      }
      if (!bytes.ensure(pos + (int) length)) {
        throw new Unhandled(
            "value runs past the end of the file",
            new Overrun(tag.getGroup(), tag.getElement(), pos, length));
      }
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
      // Only a defined length gets here (an undefined one returns at its delimiter).
      if (pos != end) {
        throw new Unhandled("sequence contents overrun the sequence length");
      }
      return sequence;
    }

    private Attribute value(AttributeTag tag, int vr, int length, SpecificCharacterSet scs)
        throws IOException, Unhandled, DicomException {
      cursor.at(bytes.array(), pos, pos + length);
      Attribute a = Vr.construct(tag, vr, length, din, scs, cursor.plainAscii());
      if (a == null) {
        throw new Unhandled("VR not read directly");
      }
      if (cursor.pos != pos + length) {
        throw new Unhandled("value not read to its length");
      }
      pos += length;
      return a;
    }

    private void need(int n) throws IOException, Unhandled {
      if (!bytes.ensure(pos + n)) {
        throw new Unhandled("file ends inside an element");
      }
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
}
