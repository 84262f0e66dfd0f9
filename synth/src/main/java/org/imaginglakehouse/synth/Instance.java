package org.imaginglakehouse.synth;

import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.imaginglakehouse.synth.Plan.PatientPlan;
import org.imaginglakehouse.synth.Plan.SeriesPlan;
import org.imaginglakehouse.synth.Plan.StudyPlan;

/** Builds one DICOM instance (header, pixels, burned-in text) and encodes it to bytes. */
final class Instance {
  static final String IMPLEMENTATION_AE = "LAKEHOUSE_SYNTH";

  /** BodyPartExamined values (CID 4031) of unpaired structures: no Laterality needed. */
  private static final java.util.Set<String> UNPAIRED =
      java.util.Set.of(
          "BRAIN",
          "HEAD",
          "SKULL",
          "CHEST",
          "ABDOMEN",
          "PELVIS",
          "LSPINE",
          "CSPINE",
          "SPINE",
          "NECK",
          "HEART",
          "ESOPHAGUS",
          "WHOLEBODY",
          "ABDOMENPELVIS");

  final SynthOptions o;
  final StudyPlan s;
  final SeriesPlan se;
  final int number;
  final String sopUid;
  final SplittableRandom r;
  final List<GroundTruth.PhiLocation> phi = new ArrayList<>();
  final List<GroundTruth.TextBox> boxes = new ArrayList<>();
  String sopClass;
  String transferSyntax;
  Pixels pixels;
  List<String> imageType = List.of();
  String burnedIn = "";
  Ds ds;

  Instance(SynthOptions o, StudyPlan s, SeriesPlan se, int number, String sopUid) {
    this.o = o;
    this.s = s;
    this.se = se;
    this.number = number;
    this.sopUid = sopUid;
    this.r = Rand.stream(o.seed(), 10, s.index, se.number, number);
  }

  private static String da(LocalDate d) {
    return String.format(
        Locale.ROOT, "%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
  }

  private static String tm(int secs) {
    return String.format(Locale.ROOT, "%02d%02d%02d", secs / 3600, (secs / 60) % 60, secs % 60);
  }

  private static String ds(double v) {
    String t = String.format(Locale.ROOT, "%.6f", v);
    t = t.replaceAll("0+$", "").replaceAll("\\.$", "");
    return t.length() > 16 ? t.substring(0, 16) : t;
  }

  private int dim(int full) {
    int div = o.pixelSize().divisor;
    return Math.max(8, full / div);
  }

  private int dimUs(int full) {
    int div =
        switch (o.pixelSize()) {
          case TINY -> 8;
          case SMALL -> 2;
          case FULL -> 1;
        };
    return Math.max(8, full / div);
  }

  /** Builds the dataset and returns the encoded file (with preamble and meta header). */
  byte[] build() throws DicomException, IOException {
    PatientPlan p = s.patient;
    ds = new Ds(p.charset, phi);
    String m = s.modality;
    sopClass = sopClass(m);
    if (!p.charset.isEmpty()) {
      ds.put("SpecificCharacterSet", p.charset.split("\\\\", -1));
    }
    int seriesTime = s.timeSeconds + se.number * 97;
    int contentTime = seriesTime + number;
    ds.put("SOPClassUID", sopClass);
    ds.put("SOPInstanceUID", sopUid);
    ds.put("InstanceCreationDate", da(s.date));
    ds.put("InstanceCreationTime", tm(contentTime));
    ds.put("StudyDate", da(s.date));
    ds.put("SeriesDate", da(s.date));
    ds.put("ContentDate", da(s.date));
    ds.put("StudyTime", tm(s.timeSeconds));
    ds.put("SeriesTime", tm(seriesTime));
    ds.put("ContentTime", tm(contentTime));
    ds.phi("ACCESSION_NUMBER", "AccessionNumber", s.accession);
    ds.put("Modality", m);
    ds.put("Manufacturer", s.device[0]);
    ds.phi("INSTITUTION", "InstitutionName", s.hospital);
    ds.phi("INSTITUTION", "InstitutionAddress", s.hospital + ", " + Vocab.BOARDS.get(s.board)[0]);
    ds.phi(
        "STAFF_NAME",
        "ReferringPhysicianName",
        Vocab.STAFF.get((s.index + 3) % Vocab.STAFF.size()));
    String station = s.device[1].replace(" ", "").toUpperCase(Locale.ROOT);
    station = station.substring(0, Math.min(13, station.length())) + (s.board + 1);
    ds.put("StationName", station);
    ds.put("StudyDescription", s.description);
    if (s.description.contains(p.family)) {
      phi.add(
          new GroundTruth.PhiLocation(
              "FREE_TEXT_NAME", "00081030", "StudyDescription", s.description));
    }
    ds.put("SeriesDescription", se.description);
    ds.phi(
        "STAFF_NAME", "OperatorsName", Vocab.STAFF.get((s.index + se.number) % Vocab.STAFF.size()));
    ds.put("ManufacturerModelName", s.device[1]);
    if (Rand.chance(Rand.stream(o.seed(), 11, s.index), 0.3)) {
      Ds ref = ds.item("ReferencedPatientSequence");
      ref.put("ReferencedSOPClassUID", "1.2.840.10008.3.1.2.1.4");
      String refUid = Rand.uid(o.seed(), 12, p.index);
      ref.put("ReferencedSOPInstanceUID", refUid);
      phi.add(
          new GroundTruth.PhiLocation(
              "REFERENCED_PATIENT", "00081120[0].00081155", "ReferencedSOPInstanceUID", refUid));
    }
    patient(p);
    ds.put("BodyPartExamined", s.bodyPart);
    ds.put(
        "DeviceSerialNumber",
        String.format("%05d", 10000 + (s.board * 7 + s.device[1].length()) % 90000));
    ds.put("SoftwareVersions", "VB" + (10 + s.device[1].length() % 10));
    ds.put("StudyInstanceUID", s.studyUid);
    ds.put("SeriesInstanceUID", se.uid);
    ds.put("StudyID", String.valueOf(s.index + 1));
    ds.put("SeriesNumber", String.valueOf(se.number));
    ds.put("InstanceNumber", String.valueOf(number));
    request(p);
    // private block holding the CHI and the name (real PACS/RIS integrations do this)
    if (Rand.chance(Rand.stream(o.seed(), 13, s.index), 0.25)) {
      ds.privateCreator(0x0029, "NHS SCOTLAND PACS 1.0");
      if (!p.writtenId.isEmpty()) {
        ds.privatePhi(0x0029, 0x1010, "LO", p.writtenId, "CHI");
      }
      ds.privatePhi(0x0029, 0x1011, "LO", p.family + " " + p.given, "PATIENT_NAME");
    }
    if (m.equals("SR")) {
      sr(p);
      transferSyntax =
          r.nextBoolean()
              ? TransferSyntax.ExplicitVRLittleEndian
              : TransferSyntax.ImplicitVRLittleEndian;
    } else {
      image(p);
    }
    FileMetaInformation.addFileMetaInformation(ds.list, transferSyntax, IMPLEMENTATION_AE);
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(
            4096
                + (pixels == null
                    ? 0
                    : pixels.frameLength() * pixels.frames * (pixels.bitsAllocated / 8)));
    ds.list.write(out, transferSyntax, true, true);
    return out.toByteArray();
  }

  private void patient(PatientPlan p) {
    ds.phi("PATIENT_NAME", "PatientName", p.dicomName);
    if (p.writtenId.isEmpty()) {
      ds.put("PatientID", "");
    } else {
      ds.phi("PATIENT_ID", "PatientID", p.writtenId);
    }
    ds.put(
        "IssuerOfPatientID",
        p.idStatus.equals("MISSING") && !p.writtenId.isEmpty() ? "LOCAL" : "CHI");
    ds.phi("BIRTH_DATE", "PatientBirthDate", da(p.birth));
    ds.put("PatientSex", p.sex);
    ds.put("PatientAge", Planner.ageString(p.birth, s.date));
    SplittableRandom pr = Rand.stream(o.seed(), 14, s.index);
    if (Rand.chance(pr, 0.5)) {
      ds.phi("ADDRESS", "PatientAddress", p.address);
    }
    if (Rand.chance(pr, 0.15)) {
      ds.phi(
          "TELEPHONE",
          "PatientTelephoneNumbers",
          String.format("01%03d %06d", pr.nextInt(1000), pr.nextInt(1_000_000)));
    }
    if (Rand.chance(pr, 0.3)) {
      // OtherPatientIDs: the hospital number and (for the RIS) the CHI again
      String other = p.hospitalNumber;
      ds.phi("OTHER_PATIENT_ID", "OtherPatientIDs", other);
      Ds item = ds.item("OtherPatientIDsSequence");
      item.phi("OTHER_PATIENT_ID", "PatientID", p.chi);
      item.put("IssuerOfPatientID", "CHI");
      item.put("TypeOfPatientID", "TEXT");
    }
    if (Rand.chance(pr, 0.2)) {
      String text =
          "?"
              + (s.region.equals("BRAIN") ? "SOL" : "pathology")
              + ". "
              + p.prefix()
              + " "
              + p.family
              + " reports symptoms";
      ds.phi("FREE_TEXT_NAME", "AdditionalPatientHistory", text);
    }
    if (Rand.chance(pr, 0.1)) {
      ds.phi(
          "FREE_TEXT_NAME",
          "ImageComments",
          "pt "
              + p.family.toUpperCase(Locale.ROOT)
              + " "
              + p.given.toUpperCase(Locale.ROOT)
              + " "
              + (p.writtenId.isEmpty() ? p.hospitalNumber : p.writtenId)
              + " moved");
    }
  }

  private void request(PatientPlan p) {
    SplittableRandom rr = Rand.stream(o.seed(), 15, s.index);
    if (Rand.chance(rr, 0.4)) {
      Ds req = ds.item("RequestAttributesSequence");
      req.phi("ACCESSION_NUMBER", "AccessionNumber", s.accession);
      req.put("RequestedProcedureID", "RP" + s.accession);
      req.put("ScheduledProcedureStepID", "SPS" + s.accession);
      String desc = s.description + " for " + p.prefix() + " " + p.family;
      req.phi("FREE_TEXT_NAME", "RequestedProcedureDescription", desc);
    }
  }

  private String sopClass(String m) {
    return switch (m) {
      case "CT" -> SOPClass.CTImageStorage;
      case "MR" -> SOPClass.MRImageStorage;
      case "US" ->
          se.framesPerImage > 1
              ? SOPClass.UltrasoundMultiframeImageStorage
              : SOPClass.UltrasoundImageStorage;
      case "CR" -> SOPClass.ComputedRadiographyImageStorage;
      case "DX" -> SOPClass.DigitalXRayImageStorageForPresentation;
      case "MG" -> SOPClass.DigitalMammographyXRayImageStorageForPresentation;
      case "PT" -> SOPClass.PETImageStorage;
      case "NM" -> SOPClass.NuclearMedicineImageStorage;
      case "XA" -> SOPClass.XRayAngiographicImageStorage;
      case "RF" -> SOPClass.XRayRadioFlouroscopicImageStorage;
      case "SR" -> SOPClass.BasicTextSRStorage;
      default -> SOPClass.SecondaryCaptureImageStorage;
    };
  }

  // ------------------------------------------------------------------ images

  private void image(PatientPlan p) throws DicomException {
    String m = s.modality;
    String cls = se.typeClass;
    imageType =
        switch (cls) {
          case "LOCALIZER" -> List.of("ORIGINAL", "PRIMARY", "LOCALIZER");
          case "DERIVED" ->
              m.equals("SC") || m.equals("OT")
                  ? List.of("DERIVED", "SECONDARY")
                  : List.of(
                      "DERIVED", "SECONDARY", se.kind.equals("MPR") ? "REFORMATTED" : "OTHER");
          default ->
              switch (m) {
                case "CT", "MR", "PT" -> List.of("ORIGINAL", "PRIMARY", "AXIAL");
                case "US" ->
                    List.of("ORIGINAL", "PRIMARY", s.region.equals("PELVIS") ? "OB" : "ABDOMINAL");
                case "MG", "DX" -> List.of("ORIGINAL", "PRIMARY");
                case "XA", "RF" -> List.of("ORIGINAL", "PRIMARY", "SINGLE PLANE");
                case "NM" -> List.of("ORIGINAL", "PRIMARY", "STATIC", "EMISSION");
                default -> List.of("ORIGINAL", "PRIMARY");
              };
        };
    if (m.equals("MR") && se.kind.startsWith("SWI") && s.device[0].startsWith("SIEMENS")) {
      imageType =
          se.kind.equals("SWI")
              ? List.of("ORIGINAL", "PRIMARY", "M", "SWI", "NORM", "DIS2D")
              : List.of("DERIVED", "PRIMARY", "MNIP", "SWI");
    }
    ds.put("ImageType", imageType.toArray(new String[0]));
    int slices = se.images / Math.max(1, se.acquisitions);
    int sliceIdx = (number - 1) % Math.max(1, slices);
    int acq = (number - 1) / Math.max(1, slices) + 1;
    double z = slices <= 1 ? 0.5 : sliceIdx / (double) (slices - 1);
    int frames = se.framesPerImage;
    switch (m) {
      case "CT" -> {
        boolean loc = cls.equals("LOCALIZER");
        int n = dim(512);
        pixels = new Pixels(n, n, 1, 1, 16, 12, "MONOCHROME2");
        double contrastHu =
            s.contrast
                ? (se.kind.equals("BOLUS")
                    ? new double[] {0, 300, 180, 120}[Math.min(3, acq - 1)]
                    : 150)
                : 0;
        if (loc) {
          Pixels.radiograph(pixels, 0, s.region, r, 0);
        } else {
          Pixels.ct(pixels, 0, s.region, z, contrastHu, r);
        }
        double thick = se.kind.equals("MPR") ? 3 : 5;
        double fov = s.region.equals("HEAD") || s.region.equals("BRAIN") ? 250 : 380;
        crossSectional(n, fov, thick, sliceIdx, "CT");
        ds.put("KVP", new String[] {"120", "100", "140", "80"}[s.index % 4]);
        ds.put("DataCollectionDiameter", ds(fov + 100));
        ds.put("ReconstructionDiameter", ds(fov));
        ds.put("GantryDetectorTilt", "0");
        ds.put("TableHeight", "145");
        ds.put("RotationDirection", "CW");
        ds.put("ExposureTime", "500");
        ds.put("XRayTubeCurrent", String.valueOf(150 + (s.index * 13) % 250));
        ds.put("Exposure", String.valueOf(50 + (s.index * 7) % 200));
        ds.put("ConvolutionKernel", s.device[0].startsWith("SIEMENS") ? "B30f" : "STANDARD");
        ds.put("SpiralPitchFactor", "0.984");
        ds.put("AcquisitionNumber", String.valueOf(acq));
        ds.put("RescaleIntercept", "-1024");
        ds.put("RescaleSlope", "1");
        ds.put("RescaleType", "HU");
        ds.put("WindowCenter", s.region.equals("CHEST") ? "-600" : "40");
        ds.put("WindowWidth", s.region.equals("CHEST") ? "1500" : "400");
        if (s.contrast && !loc) {
          ds.put(
              "ContrastBolusAgent",
              new String[] {"OMNIPAQUE 350", "Iohexol", "Visipaque 320", "IV CONTRAST"}
                  [s.index % 4]);
          ds.put("ContrastBolusRoute", "IV");
          ds.put("ContrastBolusVolume", "100");
        }
      }
      case "MR" -> {
        int n = dim(256);
        pixels = new Pixels(n, n, 1, 1, 16, 12, "MONOCHROME2");
        Pixels.mr(pixels, 0, s.region, se.kind, z, r);
        crossSectional(n, 230, 5, sliceIdx, "MR");
        mrTags();
        ds.put("AcquisitionNumber", "1");
        ds.put("WindowCenter", "1000");
        ds.put("WindowWidth", "2000");
        if (s.contrast && se.kind.equals("T1POST")) {
          ds.put("ContrastBolusAgent", new String[] {"Gadovist", "DOTAREM", "gad"}[s.index % 3]);
          ds.put("ContrastBolusRoute", "IV");
        }
      }
      case "PT" -> {
        int n = dim(128);
        pixels = new Pixels(n, n, 1, 1, 16, 16, "MONOCHROME2");
        Pixels.emission(pixels, 0, z, r);
        crossSectional(n, 700, 3, sliceIdx, "PT");
        ptTags(slices, sliceIdx);
      }
      case "NM" -> {
        int n = dim(256);
        pixels = new Pixels(n, n / 2, 1, 1, 16, 16, "MONOCHROME2");
        Pixels.emission(pixels, 0, 0.5, r);
        nmTags();
      }
      case "US" -> {
        boolean rgb = (s.index + se.number) % 5 < 2;
        pixels =
            new Pixels(
                dimUs(480), dimUs(640), frames, rgb ? 3 : 1, 8, 8, rgb ? "RGB" : "MONOCHROME2");
        for (int f = 0; f < frames; f++) {
          Pixels.ultrasound(pixels, f, r, f * 0.4);
        }
        usTags(frames);
        burnIn(p, 1.0);
      }
      case "CR", "DX" -> {
        int n = dim(1024);
        boolean mono1 = m.equals("CR") && s.index % 3 == 0;
        pixels = new Pixels(n, n * 7 / 8, 1, 1, 16, 12, mono1 ? "MONOCHROME1" : "MONOCHROME2");
        Pixels.radiograph(pixels, 0, s.region, r, 0);
        xrTags(m, n);
        burnIn(p, 0.1);
      }
      case "MG" -> {
        int n = dim(1024);
        pixels = new Pixels(n, n * 13 / 16, 1, 1, 16, 12, "MONOCHROME2");
        Pixels.radiograph(pixels, 0, "BREAST", r, 0);
        xrTags(m, n);
      }
      case "XA", "RF" -> {
        int n = dim(512);
        pixels = new Pixels(n, n, frames, 1, 8, 8, "MONOCHROME2");
        for (int f = 0; f < frames; f++) {
          Pixels.radiograph(pixels, f, s.region, r, f * 0.3);
        }
        xaTags(m, frames, n);
      }
      default -> { // SC, OT
        boolean rgb = m.equals("SC");
        pixels =
            new Pixels(dimUs(480), dimUs(640), 1, rgb ? 3 : 1, 8, 8, rgb ? "RGB" : "MONOCHROME2");
        Pixels.screen(pixels, 0, r);
        ds.put("ConversionType", "WSD");
        ds.put("PatientOrientation");
        burnIn(p, 1.0);
      }
    }
    if (!m.equals("CT")
        && !m.equals("MR")
        && !m.equals("PT")
        && !m.equals("NM")
        && !m.equals("SC")
        && !m.equals("OT")) {
      // burned-in annotation is recorded for projection and US images (as the archive would)
      if (burnedIn.isEmpty()) {
        burnedIn = "NO";
      }
    }
    if (!burnedIn.isEmpty()) {
      ds.put("BurnedInAnnotation", burnedIn);
    }
    if (!m.equals("DX") && !m.equals("MG") && !UNPAIRED.contains(s.bodyPart)) {
      // General Series Laterality (2C): required unless the body part is known to be unpaired;
      // L/R for paired structures, empty when unknown (empty or free-text BodyPartExamined)
      boolean paired = s.region.equals("KNEE") || s.region.equals("HAND") || s.region.equals("HIP");
      if (paired) {
        ds.put("Laterality", s.index % 2 == 0 ? "L" : "R");
      } else {
        ds.put("Laterality");
      }
    }
    pixelModule();
  }

  private void crossSectional(int n, double fov, double thick, int sliceIdx, String m) {
    double spacing = fov / n;
    double z = -sliceIdx * thick + 50;
    ds.put("PatientPosition", "HFS");
    ds.put("SliceThickness", ds(thick));
    ds.put("ImagePositionPatient", ds(-fov / 2), ds(-fov / 2), ds(z));
    ds.put("ImageOrientationPatient", "1", "0", "0", "0", "1", "0");
    ds.put("FrameOfReferenceUID", Rand.uid(o.seed(), 16, s.index, se.number));
    ds.put("PositionReferenceIndicator", "");
    ds.put("SliceLocation", ds(z));
    ds.put("PixelSpacing", ds(spacing), ds(spacing));
  }

  private void mrTags() {
    String k = se.kind;
    String vendor = s.device[0];
    double field = Double.parseDouble(s.device.length > 2 ? s.device[2] : "1.5");
    String scanning;
    String variant;
    String seqName;
    double tr;
    double te;
    double flip = 90;
    switch (k) {
      case "T1", "T1POST" -> {
        scanning = "SE";
        variant = "SP";
        seqName = "*se2d1";
        tr = 550;
        te = 12;
      }
      case "T2" -> {
        scanning = "SE";
        variant = "SK\\SP";
        seqName = "*tse2d1_15";
        tr = 4500;
        te = 98;
      }
      case "FLAIR" -> {
        scanning = "SE\\IR";
        variant = "SK\\SP\\MP";
        seqName = "*tir2d1_15";
        tr = 9000;
        te = 85;
        ds.put("InversionTime", "2500");
      }
      case "DWI", "ADC" -> {
        scanning = "EP";
        variant = "SK\\SP";
        seqName = "*ep_b1000t";
        tr = 5000;
        te = 90;
      }
      case "SWI", "SWI_MIP" -> {
        scanning = "GR";
        variant = "SP";
        seqName = "*swi3d1r";
        tr = 49;
        te = 40;
        flip = 15;
      }
      default -> {
        scanning = "GR";
        variant = "SP";
        seqName = "*fl2d1";
        tr = 8.6;
        te = 4;
        flip = 20;
      }
    }
    if (k.startsWith("SWI")) {
      // SWI is spelt differently by each vendor, in different tags
      if (vendor.startsWith("GE")) {
        seqName = "SWAN";
        ds.put("SeriesDescription", "Ax SWAN");
      } else if (vendor.startsWith("Philips")) {
        seqName = "FFE3D";
        ds.put("ProtocolName", "SWIp_tra");
      } else {
        ds.put("ProtocolName", "t2_swi_tra_p2");
      }
    } else {
      ds.put("ProtocolName", se.description);
    }
    ds.put("ScanningSequence", scanning.split("\\\\"));
    ds.put("SequenceVariant", variant.split("\\\\"));
    ds.put("ScanOptions", "");
    ds.put("MRAcquisitionType", k.startsWith("SWI") ? "3D" : "2D");
    ds.put("SequenceName", seqName);
    ds.put("RepetitionTime", ds(tr));
    ds.put("EchoTime", ds(te));
    ds.put("EchoTrainLength", k.equals("T2") || k.equals("FLAIR") ? "15" : "1");
    ds.put("MagneticFieldStrength", ds(field));
    ds.put("ImagingFrequency", ds(field * 42.577478));
    ds.put("ImagedNucleus", "1H");
    ds.put("FlipAngle", ds(flip));
    ds.put("SpacingBetweenSlices", "6");
  }

  private void ptTags(int slices, int sliceIdx) {
    ds.put("Units", "BQML");
    ds.put("CountsSource", "EMISSION");
    ds.put("SeriesType", "WHOLE BODY", "IMAGE");
    ds.put("CorrectedImage", "DECY", "ATTN", "SCAT");
    ds.put("DecayCorrection", "START");
    ds.put("CollimatorType", "NONE");
    ds.put("NumberOfSlices", String.valueOf(Math.max(1, slices)));
    ds.put("ImageIndex", String.valueOf(sliceIdx + 1));
    ds.put("AcquisitionDate", da(s.date));
    ds.put("AcquisitionTime", tm(s.timeSeconds + 600));
    ds.put("ActualFrameDuration", "180000");
    ds.put("FrameReferenceTime", "0");
    ds.put("DecayFactor", "1.05");
    ds.put("RescaleIntercept", "0");
    ds.put("RescaleSlope", "1.5");
    ds.put("AcquisitionNumber", "1");
    Ds rad = ds.item("RadiopharmaceuticalInformationSequence");
    rad.put("Radiopharmaceutical", "Fluorodeoxyglucose");
    rad.put("RadiopharmaceuticalStartTime", tm(s.timeSeconds - 3600));
    rad.put("RadionuclideTotalDose", "350000000");
    rad.put("RadionuclideHalfLife", "6586.2");
    rad.code("RadionuclideCodeSequence", "C-111A1", "SRT", "^18^Fluorine");
    ds.emptySequence("PatientOrientationCodeSequence");
    ds.emptySequence("PatientGantryRelationshipCodeSequence");
    ds.list.remove(TagFromName.PatientPosition);
    ds.put("PatientOrientation");
  }

  private void nmTags() {
    try {
      com.pixelmed.dicom.AttributeTagAttribute fip =
          new com.pixelmed.dicom.AttributeTagAttribute(TagFromName.FrameIncrementPointer);
      fip.addValue(new com.pixelmed.dicom.AttributeTag(0x0054, 0x0010));
      fip.addValue(new com.pixelmed.dicom.AttributeTag(0x0054, 0x0020));
      ds.putAttribute(fip);
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
    ds.put("NumberOfFrames", "1");
    ds.put("CountsAccumulated", "850000");
    ds.put("ActualFrameDuration", "600000");
    ds.put("EnergyWindowVector", "1");
    ds.put("NumberOfEnergyWindows", "1");
    ds.put("DetectorVector", "1");
    ds.put("NumberOfDetectors", "1");
    Ds ew = ds.item("EnergyWindowInformationSequence");
    Ds range = ew.item("EnergyWindowRangeSequence");
    range.put("EnergyWindowLowerLimit", "126");
    range.put("EnergyWindowUpperLimit", "154");
    Ds det = ds.item("DetectorInformationSequence");
    det.put("CollimatorType", "PARA");
    det.put("ImagePositionPatient", "0", "0", "0");
    det.put("ImageOrientationPatient", "1", "0", "0", "0", "1", "0");
    ds.put("PixelSpacing", "2.4", "2.4");
    ds.put("PatientOrientation", "L", "F");
    ds.emptySequence("RadiopharmaceuticalInformationSequence");
    ds.emptySequence("PatientOrientationCodeSequence");
    ds.emptySequence("PatientGantryRelationshipCodeSequence");
    ds.list.remove(TagFromName.PatientPosition);
  }

  private void usTags(int frames) {
    ds.put("PatientOrientation");
    if (frames > 1) {
      ds.put("NumberOfFrames", String.valueOf(frames));
      try {
        com.pixelmed.dicom.AttributeTagAttribute fip =
            new com.pixelmed.dicom.AttributeTagAttribute(TagFromName.FrameIncrementPointer);
        fip.addValue(TagFromName.FrameTime);
        ds.putAttribute(fip);
      } catch (DicomException e) {
        throw new IllegalStateException(e);
      }
      ds.put("FrameTime", "40");
      ds.put("CineRate", "25");
      ds.put("RecommendedDisplayFrameRate", "25");
    }
    ds.put("TransducerData", s.device[0].startsWith("GE") ? "C1-5-D" : "C5-1");
    ds.put("ProcessingFunction", "ABDOMEN");
  }

  private void xrTags(String m, int n) {
    ds.put(
        "PatientOrientation",
        s.region.equals("BREAST") ? new String[] {"A", "R"} : new String[] {"L", "F"});
    ds.put("KVP", s.region.equals("BREAST") ? "28" : "70");
    ds.put(
        "ViewPosition",
        s.region.equals("BREAST")
            ? (number % 2 == 0 ? "MLO" : "CC")
            : (number % 2 == 0 ? "LL" : "PA"));
    ds.put("ImagerPixelSpacing", ds(430.0 / n), ds(430.0 / n));
    ds.put("ExposureTime", "20");
    ds.put("XRayTubeCurrent", "200");
    if (!m.equals("CR")) {
      ds.put("PresentationIntentType", "FOR PRESENTATION");
      ds.put("PixelIntensityRelationship", "LOG");
      ds.put("PixelIntensityRelationshipSign", "1");
      ds.put("RescaleIntercept", "0");
      ds.put("RescaleSlope", "1");
      ds.put("RescaleType", "US");
      ds.put("PresentationLUTShape", "IDENTITY");
      ds.put("LossyImageCompression", "00");
      ds.put("DetectorType", "SCINTILLATOR");
      ds.put("WindowCenter", "2048");
      ds.put("WindowWidth", "4096");
      ds.put("ImageLaterality", s.region.equals("BREAST") ? (number <= 2 ? "R" : "L") : "U");
      ds.put("PositionerType", s.region.equals("BREAST") ? "MAMMOGRAPHIC" : "NONE");
      ds.emptySequence("AcquisitionContextSequence");
      if (s.region.equals("BREAST")) {
        ds.code("AnatomicRegionSequence", "T-04000", "SRT", "Breast");
        ds.code(
            "ViewCodeSequence",
            number % 2 == 0 ? "R-10226" : "R-10242",
            "SRT",
            number % 2 == 0 ? "medio-lateral oblique" : "cranio-caudal");
        ds.lastItem("ViewCodeSequence").emptySequence("ViewModifierCodeSequence");
        ds.put("BreastImplantPresent", "NO");
        ds.put("OrganExposed", "BREAST");
      } else {
        ds.code("AnatomicRegionSequence", "T-D3000", "SRT", "Chest");
      }
    }
  }

  private void xaTags(String m, int frames, int n) {
    ds.put("PatientOrientation");
    ds.put("NumberOfFrames", String.valueOf(frames));
    try {
      com.pixelmed.dicom.AttributeTagAttribute fip =
          new com.pixelmed.dicom.AttributeTagAttribute(TagFromName.FrameIncrementPointer);
      fip.addValue(TagFromName.FrameTime);
      ds.putAttribute(fip);
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
    ds.put("FrameTime", "66.7");
    ds.put("PixelIntensityRelationship", "LIN");
    ds.put("KVP", "80");
    ds.put("RadiationSetting", "GR");
    ds.put("XRayTubeCurrent", "400");
    ds.put("ExposureTime", "7");
    ds.put("PositionerMotion", "STATIC");
    ds.put("PositionerPrimaryAngle", "-30");
    ds.put("PositionerSecondaryAngle", "20");
    ds.put("ImagerPixelSpacing", ds(300.0 / n), ds(300.0 / n));
    ds.put("LossyImageCompression", "00");
  }

  private void pixelModule() throws DicomException {
    Pixels px = pixels;
    ds.put("SamplesPerPixel", String.valueOf(px.samples));
    ds.put("Rows", String.valueOf(px.rows));
    ds.put("Columns", String.valueOf(px.cols));
    ds.put("BitsAllocated", String.valueOf(px.bitsAllocated));
    ds.put("BitsStored", String.valueOf(px.bitsStored));
    ds.put("HighBit", String.valueOf(px.bitsStored - 1));
    ds.put("PixelRepresentation", "0");
    if (px.samples == 3) {
      ds.put("PlanarConfiguration", "0");
    }
    transferSyntax = chooseTransferSyntax();
    if (transferSyntax.equals(TransferSyntax.JPEGBaseline)) {
      byte[][] frames = new byte[px.frames][];
      for (int f = 0; f < px.frames; f++) {
        frames[f] = jpeg(px, f);
      }
      ds.put("PhotometricInterpretation", px.samples == 3 ? "YBR_FULL_422" : "MONOCHROME2");
      ds.put("LossyImageCompression", "01");
      ds.put("LossyImageCompressionRatio", "10");
      ds.put("LossyImageCompressionMethod", "ISO_10918_1");
      ds.putAttribute(
          new OtherByteAttributeMultipleCompressedFrames(TagFromName.PixelData, frames));
    } else {
      ds.put("PhotometricInterpretation", px.photometric);
      if (px.words != null) {
        OtherWordAttribute a = new OtherWordAttribute(TagFromName.PixelData);
        a.setValues(px.words);
        ds.putAttribute(a);
      } else {
        OtherByteAttribute a = new OtherByteAttribute(TagFromName.PixelData);
        a.setValues(px.bytes);
        ds.putAttribute(a);
      }
    }
  }

  private String chooseTransferSyntax() {
    double x = r.nextDouble();
    boolean eightBit = pixels.bitsAllocated == 8;
    String m = s.modality;
    if (eightBit && (m.equals("US") || m.equals("SC")) && x < 0.45) {
      return TransferSyntax.JPEGBaseline;
    }
    if (x < 0.55) {
      return TransferSyntax.ExplicitVRLittleEndian;
    }
    if (x < 0.88) {
      return TransferSyntax.ImplicitVRLittleEndian;
    }
    if (x < 0.97) {
      return TransferSyntax.DeflatedExplicitVRLittleEndian;
    }
    return TransferSyntax.ExplicitVRBigEndian;
  }

  private static byte[] jpeg(Pixels px, int frame) {
    BufferedImage img =
        new BufferedImage(
            px.cols,
            px.rows,
            px.samples == 3 ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_BYTE_GRAY);
    byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    int len = px.frameLength();
    int off = frame * len;
    if (px.samples == 3) {
      for (int i = 0; i < len; i += 3) {
        dst[i] = px.bytes[off + i + 2];
        dst[i + 1] = px.bytes[off + i + 1];
        dst[i + 2] = px.bytes[off + i];
      }
    } else {
      System.arraycopy(px.bytes, off, dst, 0, len);
    }
    try {
      ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bos)) {
        w.setOutput(ios);
        ImageWriteParam param = w.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.92f);
        w.write(null, new IIOImage(img, null, null), param);
      } finally {
        w.dispose();
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("JPEG encoding failed", e);
    }
  }

  // ------------------------------------------------------------------ burned-in text

  private void burnIn(PatientPlan p, double rateFactor) {
    SplittableRandom br = Rand.stream(o.seed(), 17, s.index, se.number, number);
    if (!Rand.chance(br, o.burnedInRate() * rateFactor)) {
      burnedIn = "NO";
      return;
    }
    String name =
        switch (br.nextInt(3)) {
          case 0 -> p.family.toUpperCase(Locale.ROOT) + ", " + p.given.toUpperCase(Locale.ROOT);
          case 1 -> p.given + " " + p.family;
          default -> p.family.toUpperCase(Locale.ROOT) + "^" + p.given.toUpperCase(Locale.ROOT);
        };
    String id = p.writtenId.isEmpty() ? p.hospitalNumber : p.writtenId;
    String chiText = br.nextBoolean() ? "CHI: " + id : id;
    String dob =
        String.format(
            Locale.ROOT,
            "DOB %02d/%02d/%04d",
            p.birth.getDayOfMonth(),
            p.birth.getMonthValue(),
            p.birth.getYear());
    String date =
        String.format(
            Locale.ROOT,
            "%02d/%02d/%04d %s",
            s.date.getDayOfMonth(),
            s.date.getMonthValue(),
            s.date.getYear(),
            tm(s.timeSeconds).replaceAll("(..)(..)(..)", "$1:$2:$3"));
    String hosp = s.hospital.toUpperCase(Locale.ROOT);
    double[] sizes = {0.028, 0.038, 0.05};
    int fontPx = (int) Math.round(pixels.rows * sizes[br.nextInt(sizes.length)]);
    BurnIn.Polarity pol = BurnIn.Polarity.values()[br.nextInt(3)];
    boolean bold = br.nextBoolean();
    int frames = pixels.frames;
    // the first image of a cine series carries its text in one frame only; others sometimes
    boolean oneFrame = frames > 1 && (number == 1 || Rand.chance(br, 0.2));
    int onlyFrame = oneFrame ? br.nextInt(frames) : -1;
    String vendor = s.device[0];
    for (int f = 0; f < frames; f++) {
      if (oneFrame && f != onlyFrame) {
        continue;
      }
      if (s.modality.equals("SC") || s.modality.equals("OT")) {
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(
                    new BurnIn.Item(name, "NAME"),
                    new BurnIn.Item(chiText, "CHI"),
                    new BurnIn.Item(dob, "BIRTH_DATE")),
                BurnIn.Anchor.TOP_LEFT,
                fontPx,
                pol,
                bold));
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(new BurnIn.Item(hosp, "HOSPITAL")),
                BurnIn.Anchor.BOTTOM_LEFT,
                fontPx,
                pol,
                bold));
      } else if (vendor.startsWith("GE")) {
        // LOGIQ-style banner across the top
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(new BurnIn.Item(name, "NAME"), new BurnIn.Item(id, "CHI")),
                BurnIn.Anchor.TOP_BANNER,
                fontPx,
                pol,
                bold));
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(new BurnIn.Item(date, "DATE")),
                BurnIn.Anchor.BOTTOM_LEFT,
                fontPx,
                pol,
                bold));
      } else if (vendor.startsWith("Philips")) {
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(new BurnIn.Item(hosp, "HOSPITAL"), new BurnIn.Item(name, "NAME")),
                BurnIn.Anchor.TOP_LEFT,
                fontPx,
                pol,
                bold));
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(new BurnIn.Item(date, "DATE"), new BurnIn.Item(chiText, "CHI")),
                BurnIn.Anchor.TOP_RIGHT,
                fontPx,
                pol,
                bold));
      } else {
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(
                    new BurnIn.Item(name, "NAME"),
                    new BurnIn.Item(chiText, "CHI"),
                    new BurnIn.Item(dob, "BIRTH_DATE")),
                BurnIn.Anchor.TOP_LEFT,
                fontPx,
                pol,
                bold));
        boxes.addAll(
            BurnIn.draw(
                pixels,
                f,
                List.of(new BurnIn.Item(hosp, "HOSPITAL")),
                BurnIn.Anchor.TOP_RIGHT,
                fontPx,
                pol,
                bold));
      }
    }
    burnedIn = boxes.isEmpty() ? "NO" : "YES";
    // a few archives carry the wrong flag: BurnedInAnnotation NO although text is burned in
    if (!boxes.isEmpty() && Rand.chance(br, 0.1)) {
      burnedIn = "NO";
    }
  }

  // ------------------------------------------------------------------ SR

  private void sr(PatientPlan p) {
    ds.emptySequence("ReferencedPerformedProcedureStepSequence");
    ds.put("CompletionFlag", "COMPLETE");
    ds.put("VerificationFlag", "UNVERIFIED");
    ds.emptySequence("PerformedProcedureCodeSequence");
    ds.put("ValueType", "CONTAINER");
    ds.code("ConceptNameCodeSequence", "18748-4", "LN", "Diagnostic Imaging Report");
    ds.put("ContinuityOfContent", "SEPARATE");
    Ds item = ds.item("ContentSequence");
    item.put("RelationshipType", "CONTAINS");
    item.put("ValueType", "TEXT");
    item.code("ConceptNameCodeSequence", "121071", "DCM", "Finding");
    String text =
        "Report for "
            + p.prefix()
            + " "
            + p.given
            + " "
            + p.family
            + " (CHI "
            + p.chi
            + ", DOB "
            + da(p.birth)
            + "). "
            + s.description
            + ": no acute abnormality. Compared with previous imaging at "
            + s.hospital
            + ".";
    item.phi("FREE_TEXT_NAME", "TextValue", text);
    Ds item2 = ds.item("ContentSequence");
    item2.put("RelationshipType", "CONTAINS");
    item2.put("ValueType", "TEXT");
    item2.code("ConceptNameCodeSequence", "121072", "DCM", "Impression");
    item2.put("TextValue", "Stable appearances.");
    imageType = List.of();
  }
}
