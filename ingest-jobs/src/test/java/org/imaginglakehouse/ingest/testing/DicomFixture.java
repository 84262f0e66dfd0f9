package org.imaginglakehouse.ingest.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds small, valid DICOM files with PixelMed for tests. */
public final class DicomFixture {
  private final AttributeList list = new AttributeList();
  private SpecificCharacterSet charset = new SpecificCharacterSet(new String[] {""});
  private String transferSyntax = TransferSyntax.ExplicitVRLittleEndian;
  private short[] pixels;

  private DicomFixture() {}

  /** A 4x4 16-bit MONOCHROME2 CT image with the given UIDs. */
  public static DicomFixture ct(String sopInstanceUid, String studyUid, String seriesUid) {
    DicomFixture f = new DicomFixture();
    f.set(TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
        .set(TagFromName.SOPInstanceUID, sopInstanceUid)
        .set(TagFromName.StudyInstanceUID, studyUid)
        .set(TagFromName.SeriesInstanceUID, seriesUid)
        .set(TagFromName.PatientID, "PID-1")
        .set(TagFromName.PatientName, "Doe^John")
        .set(TagFromName.PatientBirthDate, "19700101")
        .set(TagFromName.PatientSex, "M")
        .set(TagFromName.Modality, "CT")
        .set(TagFromName.StudyDate, "20200102")
        .set(TagFromName.SeriesDate, "20200102")
        .set(TagFromName.StudyTime, "101500")
        .set(TagFromName.AccessionNumber, "ACC1")
        .set(TagFromName.Manufacturer, "Acme")
        .set(TagFromName.ImageType, "ORIGINAL\\PRIMARY\\AXIAL")
        .set(TagFromName.SeriesNumber, "3")
        .set(TagFromName.InstanceNumber, "7")
        .set(TagFromName.SamplesPerPixel, "1")
        .set(TagFromName.PhotometricInterpretation, "MONOCHROME2")
        .set(TagFromName.Rows, "4")
        .set(TagFromName.Columns, "4")
        .set(TagFromName.BitsAllocated, "16")
        .set(TagFromName.BitsStored, "12")
        .set(TagFromName.HighBit, "11")
        .set(TagFromName.PixelRepresentation, "0");
    short[] p = new short[16];
    for (int i = 0; i < p.length; i++) {
      p[i] = (short) (i * 100 + 1);
    }
    f.pixels = p;
    return f;
  }

  /** Sets SpecificCharacterSet; later string values are encoded with it. */
  public DicomFixture charset(String... terms) {
    charset = new SpecificCharacterSet(terms);
    return set(TagFromName.SpecificCharacterSet, String.join("\\", terms));
  }

  public DicomFixture set(AttributeTag tag, String value) {
    try {
      list.remove(tag);
      Attribute a = list.putNewAttribute(tag, charset);
      for (String v : value.split("\\\\", -1)) {
        a.addValue(v);
      }
      return this;
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
  }

  public DicomFixture remove(AttributeTag tag) {
    list.remove(tag);
    return this;
  }

  /** A private block: creator at (group,0010), value LO at (group,1001). */
  public DicomFixture privateLo(int group, String creator, String value) {
    try {
      Attribute c = new LongStringAttribute(new AttributeTag(group, 0x0010));
      c.addValue(creator);
      list.put(c);
      Attribute v = new LongStringAttribute(new AttributeTag(group, 0x1001));
      v.addValue(value);
      list.put(v);
      return this;
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A ProcedureCodeSequence with two items (CodeValue/CodingSchemeDesignator). */
  public DicomFixture procedureCodes(String first, String second) {
    SequenceAttribute sq = new SequenceAttribute(TagFromName.ProcedureCodeSequence);
    for (String code : new String[] {first, second}) {
      AttributeList item = new AttributeList();
      try {
        Attribute cv = item.putNewAttribute(TagFromName.CodeValue);
        cv.addValue(code);
        Attribute cs = item.putNewAttribute(TagFromName.CodingSchemeDesignator);
        cs.addValue("LN");
      } catch (DicomException e) {
        throw new IllegalStateException(e);
      }
      sq.addItem(item);
    }
    list.put(sq);
    return this;
  }

  public DicomFixture implicitVr() {
    transferSyntax = TransferSyntax.ImplicitVRLittleEndian;
    return this;
  }

  /** Deflated explicit VR little endian: the data set after the meta header is one zlib stream. */
  public DicomFixture deflated() {
    transferSyntax = TransferSyntax.DeflatedExplicitVRLittleEndian;
    return this;
  }

  /** Larger pixel data (rows × columns, 16-bit): compressible, so a deflated file gets small. */
  public DicomFixture size(int rows, int columns) {
    set(TagFromName.Rows, Integer.toString(rows));
    set(TagFromName.Columns, Integer.toString(columns));
    short[] p = new short[rows * columns];
    for (int i = 0; i < p.length; i++) {
      p[i] = (short) (i % 7);
    }
    pixels = p;
    return this;
  }

  public DicomFixture noPixels() {
    pixels = null;
    return this;
  }

  /** The pixel values written (little endian bytes follow from these). */
  public short[] pixels() {
    return pixels;
  }

  public Path write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      AttributeList out = (AttributeList) list.clone();
      if (pixels != null) {
        OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
        pd.setValues(pixels);
        out.put(pd);
      }
      FileMetaInformation.addFileMetaInformation(out, transferSyntax, "LAKEHOUSETEST");
      out.write(file.toFile(), transferSyntax, true, true);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies the first {@code keep} bytes of {@code source} to {@code target}. */
  public static Path truncate(Path source, Path target, long keep) {
    try {
      byte[] all = Files.readAllBytes(source);
      Files.createDirectories(target.getParent());
      Files.write(target, java.util.Arrays.copyOf(all, (int) keep));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
