package org.imaginglakehouse.core.dicom;

import com.pixelmed.dicom.AgeStringAttribute;
import com.pixelmed.dicom.ApplicationEntityAttribute;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DateTimeAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
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
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.SignedLongAttribute;
import com.pixelmed.dicom.SignedShortAttribute;
import com.pixelmed.dicom.SignedVeryLongAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StringAttribute;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UniversalResourceAttribute;
import com.pixelmed.dicom.UnknownAttribute;
import com.pixelmed.dicom.UnlimitedCharactersAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import com.pixelmed.dicom.UnsignedVeryLongAttribute;
import java.io.IOException;

/**
 * Value representations as their two ASCII bytes in one int ("AE" = 0x4145), and the PixelMed
 * attribute each becomes ({@link DirectHeaderReader}).
 */
final class Vr {
  private Vr() {}

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

  /**
   * The attribute PixelMed's {@code AttributeFactory} would make for {@code vr}, read from {@code
   * din} by its constructor called directly; null for a VR this class does not construct.
   *
   * @param plainAscii whether the value is ASCII without escapes (see below)
   */
  static Attribute construct(
      AttributeTag tag,
      int vr,
      long vl,
      DicomInputStream din,
      SpecificCharacterSet scs,
      boolean plainAscii)
      throws IOException, DicomException {
    // PixelMed decodes charset-affected strings through the character set (and builds a dump of
    // each decoded value as it does). Pure ASCII decodes the same without it: the character set
    // is then set afterwards, so that the attribute is the one PixelMed would have made.
    SpecificCharacterSet decodeWith = scs != null && !plainAscii ? scs : null;
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
        return null;
    }
    if (scs != null && decodeWith == null) {
      charsetString.setSpecificCharacterSet(scs);
    }
    return charsetString;
  }
}
