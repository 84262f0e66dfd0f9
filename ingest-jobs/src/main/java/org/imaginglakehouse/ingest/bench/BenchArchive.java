package org.imaginglakehouse.ingest.bench;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a benchmark archive of small DICOM files: {@code studies/series/instance.dcm}, 8x8 16-bit
 * pixels, a realistic header (about 40 attributes, a sequence, a private block), CT/MR/CR mixed,
 * Latin-1 names. Deterministic for a given seed.
 */
public final class BenchArchive {
  private static final String[] MODALITIES = {"CT", "MR", "CR", "DX", "US"};
  private static final String[] NAMES = {
    "Müller^Jürgen", "Smith^Anne", "Ó Briain^Seán", "Nguyen^Van"
  };

  private BenchArchive() {}

  /** Writes files number {@code from} (inclusive) to {@code to} (exclusive) under {@code root}. */
  public static void write(Path root, int from, int to, long seed) {
    Random random = new Random(seed);
    short[] pixels = new short[64];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (short) random.nextInt(4096);
    }
    for (int n = from; n < to; n++) {
      int study = n / 100;
      int series = (n / 20) % 5;
      String studyUid = "1.2.826.0.1.3680043.10.99." + study;
      String seriesUid = studyUid + "." + series;
      String sop = seriesUid + "." + n;
      Path file = root.resolve(String.format("s%05d/se%d/%07d.dcm", study, series, n));
      try {
        Files.createDirectories(file.getParent());
        AttributeList list = new AttributeList();
        SpecificCharacterSet cs = new SpecificCharacterSet(new String[] {"ISO_IR 100"});
        put(list, cs, TagFromName.SpecificCharacterSet, "ISO_IR 100");
        put(list, cs, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        put(list, cs, TagFromName.SOPInstanceUID, sop);
        put(list, cs, TagFromName.StudyInstanceUID, studyUid);
        put(list, cs, TagFromName.SeriesInstanceUID, seriesUid);
        put(list, cs, TagFromName.PatientID, "BENCH" + (study % 997));
        put(list, cs, TagFromName.PatientName, NAMES[study % NAMES.length]);
        put(list, cs, TagFromName.PatientBirthDate, String.format("19%02d0101", study % 90 + 10));
        put(list, cs, TagFromName.PatientSex, study % 2 == 0 ? "F" : "M");
        put(list, cs, TagFromName.Modality, MODALITIES[study % MODALITIES.length]);
        put(
            list,
            cs,
            TagFromName.StudyDate,
            String.format("20%02d%02d%02d", 10 + study % 14, 1 + study % 12, 1 + study % 28));
        put(
            list,
            cs,
            TagFromName.SeriesDate,
            String.format("20%02d%02d%02d", 10 + study % 14, 1 + study % 12, 1 + study % 28));
        put(list, cs, TagFromName.StudyTime, "101500");
        put(list, cs, TagFromName.AccessionNumber, "ACC" + study);
        put(list, cs, TagFromName.Manufacturer, "Acme Medical");
        put(list, cs, TagFromName.ManufacturerModelName, "Imager 3000");
        put(list, cs, TagFromName.InstitutionName, "Royal Infirmary");
        put(list, cs, TagFromName.BodyPartExamined, "CHEST");
        put(list, cs, TagFromName.StudyDescription, "Chest routine");
        put(list, cs, TagFromName.SeriesDescription, "Axial " + series);
        put(list, cs, TagFromName.ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
        put(list, cs, TagFromName.SeriesNumber, Integer.toString(series + 1));
        put(list, cs, TagFromName.InstanceNumber, Integer.toString(n % 20 + 1));
        put(list, cs, TagFromName.SliceThickness, "2.5");
        put(list, cs, TagFromName.ImagePositionPatient, "-125\\-125\\" + (n % 20) * 2.5);
        put(list, cs, TagFromName.ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
        put(list, cs, TagFromName.PixelSpacing, "0.7\\0.7");
        put(list, cs, TagFromName.WindowCenter, "40");
        put(list, cs, TagFromName.WindowWidth, "400");
        put(list, cs, TagFromName.RescaleIntercept, "-1024");
        put(list, cs, TagFromName.RescaleSlope, "1");
        put(list, cs, TagFromName.SamplesPerPixel, "1");
        put(list, cs, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        put(list, cs, TagFromName.Rows, "8");
        put(list, cs, TagFromName.Columns, "8");
        put(list, cs, TagFromName.BitsAllocated, "16");
        put(list, cs, TagFromName.BitsStored, "12");
        put(list, cs, TagFromName.HighBit, "11");
        put(list, cs, TagFromName.PixelRepresentation, "0");
        put(list, cs, new AttributeTag(0x0029, 0x0010), "ACME 1.1");
        put(list, cs, new AttributeTag(0x0029, 0x1001), "private-" + (n % 7));
        OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
        pd.setValues(pixels);
        list.put(pd);
        FileMetaInformation.addFileMetaInformation(
            list, TransferSyntax.ExplicitVRLittleEndian, "BENCH");
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (DicomException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static void put(
      AttributeList list, SpecificCharacterSet cs, AttributeTag tag, String value)
      throws DicomException {
    Attribute a =
        tag.isPrivate()
            ? new com.pixelmed.dicom.LongStringAttribute(tag, cs)
            : list.putNewAttribute(tag, cs);
    for (String v : value.split("\\\\")) {
      a.addValue(v);
    }
    list.put(a);
  }
}
