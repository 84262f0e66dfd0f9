package org.imaginglakehouse.extract.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Small DICOM files written by PixelMed for writer tests: a 4×4 16-bit CT image with a patient
 * name, ID and birth date, a code sequence and a private element.
 */
public final class TestDicom {
  public static final String PATIENT_NAME = "DOE^JANE";
  public static final String PATIENT_ID = "0101011234";
  public static final String BIRTH_DATE = "19010101";
  public static final int ROWS = 4;

  private TestDicom() {}

  /** The CT image's header and pixel data (no file meta information yet). */
  public static AttributeList ct(String sopInstanceUid) throws DicomException {
    AttributeList list = new AttributeList();
    put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), SOPClass.CTImageStorage);
    put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstanceUid);
    put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), sopInstanceUid + ".1");
    put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), sopInstanceUid + ".2");
    put(list, new DateAttribute(TagFromName.StudyDate), "20150607");
    put(list, new CodeStringAttribute(TagFromName.Modality), "CT");
    put(list, new PersonNameAttribute(TagFromName.PatientName), PATIENT_NAME);
    put(list, new LongStringAttribute(TagFromName.PatientID), PATIENT_ID);
    put(list, new DateAttribute(TagFromName.PatientBirthDate), BIRTH_DATE);
    put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), "7");
    AttributeList code = new AttributeList();
    put(code, new ShortStringAttribute(TagFromName.CodeValue), "ZZ123");
    put(code, new ShortStringAttribute(TagFromName.CodingSchemeDesignator), "99LOCAL");
    put(code, new LongStringAttribute(TagFromName.CodeMeaning), "CT HEAD");
    SequenceAttribute sq = new SequenceAttribute(TagFromName.ProcedureCodeSequence);
    sq.addItem(code);
    list.put(sq);
    put(list, new LongStringAttribute(new AttributeTag(0x0029, 0x0010)), "TEST PRIVATE");
    put(list, new LongStringAttribute(new AttributeTag(0x0029, 0x1010)), PATIENT_ID);
    put(list, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), "1");
    put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
    put(list, new UnsignedShortAttribute(TagFromName.Rows), Integer.toString(ROWS));
    put(list, new UnsignedShortAttribute(TagFromName.Columns), Integer.toString(ROWS));
    put(list, new UnsignedShortAttribute(TagFromName.BitsAllocated), "16");
    put(list, new UnsignedShortAttribute(TagFromName.BitsStored), "12");
    put(list, new UnsignedShortAttribute(TagFromName.HighBit), "11");
    put(list, new UnsignedShortAttribute(TagFromName.PixelRepresentation), "0");
    short[] pixels = new short[ROWS * ROWS];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (short) (i * 37 + 100);
    }
    OtherWordAttribute px = new OtherWordAttribute(TagFromName.PixelData);
    px.setValues(pixels);
    list.put(px);
    return list;
  }

  /** Writes {@code list} with file meta information in {@code transferSyntax}. */
  public static Path write(AttributeList list, String transferSyntax, Path file)
      throws IOException, DicomException {
    FileMetaInformation.addFileMetaInformation(list, transferSyntax, "TESTAE");
    list.write(file.toFile(), transferSyntax, true, true);
    return file;
  }

  /** Writes the data set alone: no preamble, no meta information (implicit VR little endian). */
  public static Path writeRawDataSet(AttributeList list, Path file)
      throws IOException, DicomException {
    list.removeGroupLengthAttributes();
    list.removeMetaInformationHeaderAttributes();
    try (OutputStream out = Files.newOutputStream(file)) {
      list.write(out, TransferSyntax.ImplicitVRLittleEndian, false, true);
    }
    return file;
  }

  /**
   * Appends an empty DigitalSignaturesSequence (FFFA,FFFA) and 16 bytes of DataSetTrailingPadding
   * (FFFC,FFFC) after the pixel data; returns the number of bytes appended.
   */
  public static int appendTrailer(Path file, boolean explicitVr) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xFA, (byte) 0xFF, (byte) 0xFA, (byte) 0xFF});
    b.writeBytes(explicitVr ? new byte[] {'S', 'Q', 0, 0, 0, 0, 0, 0} : new byte[] {0, 0, 0, 0});
    b.writeBytes(new byte[] {(byte) 0xFC, (byte) 0xFF, (byte) 0xFC, (byte) 0xFF});
    b.writeBytes(explicitVr ? new byte[] {'O', 'B', 0, 0, 16, 0, 0, 0} : new byte[] {16, 0, 0, 0});
    b.writeBytes(new byte[16]);
    Files.write(file, b.toByteArray(), StandardOpenOption.APPEND);
    return b.size();
  }

  /**
   * An encapsulated (JPEG baseline transfer syntax) file whose PixelData is an empty offset table
   * and the given fragments, written byte by byte after a PixelMed header.
   */
  public static Path writeEncapsulated(String sopInstanceUid, Path file, byte[]... fragments)
      throws IOException, DicomException {
    AttributeList list = ct(sopInstanceUid);
    list.remove(TagFromName.PixelData);
    write(list, TransferSyntax.JPEGBaseline, file);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0});
    b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    item(b, new byte[0]);
    for (byte[] fragment : fragments) {
      item(b, fragment);
    }
    b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
    Files.write(file, b.toByteArray(), StandardOpenOption.APPEND);
    return file;
  }

  private static void item(ByteArrayOutputStream b, byte[] value) {
    int n = value.length;
    b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
    b.writeBytes(new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
    b.writeBytes(value);
  }

  private static void put(AttributeList list, Attribute a, String value) throws DicomException {
    a.addValue(value);
    list.put(a);
  }
}
