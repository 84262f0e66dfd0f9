package org.imaginglakehouse.synth;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.imaginglakehouse.synth.Plan.PatientPlan;
import org.imaginglakehouse.synth.Plan.SeriesPlan;
import org.imaginglakehouse.synth.Plan.StudyPlan;

/** Writes every file of one study (instances and the junk assigned to it) in a fixed order. */
final class StudyWriter {
  private static final LocalDateTime ZIP_TIME = LocalDateTime.of(2020, 1, 1, 0, 0);

  private final SynthOptions o;
  private final StudyPlan s;
  private final Path out;
  List<GroundTruth.FileEntry> entries = new ArrayList<>();
  private final String dir;
  private ZipOutputStream zip;
  private String zipPath;
  long bytes;

  StudyWriter(SynthOptions o, StudyPlan s, Path out) {
    this.o = o;
    this.s = s;
    this.out = out;
    this.dir =
        String.format(
            Locale.ROOT,
            "%s/%04d/%02d/%02d/%s",
            GroundTruth.DICOM_DIR,
            s.date.getYear(),
            s.date.getMonthValue(),
            s.date.getDayOfMonth(),
            s.accession);
  }

  List<GroundTruth.FileEntry> write() throws Exception {
    if (o.layout() == SynthOptions.Layout.ZIP) {
      zipPath = dir + ".zip";
      Path z = out.resolve(zipPath);
      Files.createDirectories(z.getParent());
      zip = new ZipOutputStream(Files.newOutputStream(z));
    } else if (o.layout() == SynthOptions.Layout.PACS) {
      Files.createDirectories(out.resolve(dir));
    }
    try {
      Instance lastImage = null;
      byte[] lastBytes = null;
      for (SeriesPlan se : s.series) {
        for (int i = 1; i <= se.images; i++) {
          String uid = Rand.uid(o.seed(), 9, s.index, se.number, i);
          Instance inst = new Instance(o, s, se, i, uid);
          byte[] data = inst.build();
          String path = place(uid + ".dcm");
          store(path, data);
          entries.add(entry(path, null, inst));
          if (inst.pixels != null) {
            lastImage = inst;
            lastBytes = data;
          }
        }
      }
      int j = 0;
      for (JunkKind k : s.junk) {
        junk(k, j++, lastImage, lastBytes);
      }
    } finally {
      if (zip != null) {
        zip.close();
      }
    }
    return entries;
  }

  private String place(String name) {
    return switch (o.layout()) {
      case FLAT -> GroundTruth.DICOM_DIR + "/" + name;
      case PACS -> dir + "/" + name;
      case ZIP -> zipPath + "!" + name;
    };
  }

  private void store(String path, byte[] data) throws IOException {
    bytes += data.length;
    if (zip != null) {
      ZipEntry e = new ZipEntry(path.substring(path.indexOf('!') + 1));
      e.setTimeLocal(ZIP_TIME);
      zip.putNextEntry(e);
      zip.write(data);
      zip.closeEntry();
    } else {
      Path p = out.resolve(path);
      if (o.layout() == SynthOptions.Layout.FLAT) {
        // directories exist
      }
      try (OutputStream os = Files.newOutputStream(p)) {
        os.write(data);
      }
    }
  }

  private GroundTruth.FileEntry entry(String path, JunkKind junk, Instance inst) {
    PatientPlan p = s.patient;
    if (inst == null) {
      return new GroundTruth.FileEntry(
          path,
          junk,
          null,
          null,
          s.studyUid,
          null,
          null,
          null,
          s.accession,
          date(),
          null,
          null,
          null,
          List.of(),
          0,
          0,
          0,
          0,
          0,
          p.index,
          p.writtenId,
          p.chi,
          p.dicomName,
          p.birth.toString(),
          p.address,
          null,
          null,
          List.of(),
          List.of(),
          s.reason);
    }
    Pixels px = inst.pixels;
    return new GroundTruth.FileEntry(
        path,
        junk,
        inst.sopUid,
        inst.se.uid,
        s.studyUid,
        inst.sopClass,
        s.modality,
        inst.transferSyntax,
        s.accession,
        date(),
        s.description,
        attr(inst, "SeriesDescription"),
        s.bodyPart,
        inst.imageType,
        inst.se.number,
        inst.number,
        px == null ? 0 : px.rows,
        px == null ? 0 : px.cols,
        px == null ? 0 : px.frames,
        p.index,
        p.writtenId,
        p.chi,
        p.dicomName,
        p.birth.toString(),
        p.address,
        p.charset,
        inst.burnedIn.isEmpty() ? null : inst.burnedIn,
        List.copyOf(inst.phi),
        List.copyOf(inst.boxes),
        s.reason);
  }

  private static String attr(Instance inst, String keyword) {
    return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
        inst.ds.list, Ds.tag(keyword));
  }

  private String date() {
    return String.format(
        Locale.ROOT,
        "%04d%02d%02d",
        s.date.getYear(),
        s.date.getMonthValue(),
        s.date.getDayOfMonth());
  }

  // ------------------------------------------------------------------ junk

  private void junk(JunkKind k, int j, Instance lastImage, byte[] lastBytes) throws Exception {
    SplittableRandom r = Rand.stream(o.seed(), 20, s.index, j);
    switch (k) {
      case ZERO_LENGTH -> {
        String path = place(String.format(Locale.ROOT, "EMPTY%03d.dcm", j));
        store(path, new byte[0]);
        entries.add(entry(path, k, null));
      }
      case RANDOM_BYTES -> {
        byte[] b = new byte[512 + r.nextInt(4096)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) r.nextInt(256);
        }
        String path =
            place(String.format(Locale.ROOT, "%s.%d.dcm", Rand.uid(o.seed(), 21, s.index, j), j));
        store(path, b);
        entries.add(entry(path, k, null));
      }
      case TEXT_FILE -> {
        String text =
            "Radiographer note "
                + s.accession
                + "\r\nPatient moved during scan. Images repeated.\r\n"
                + "Contact PACS team re. study "
                + s.studyUid
                + "\r\n";
        String path = place(String.format(Locale.ROOT, "notes_%03d.txt", j));
        store(path, text.getBytes(StandardCharsets.US_ASCII));
        entries.add(entry(path, k, null));
      }
      case DICOMDIR -> {
        String path = place(j == 0 ? "DICOMDIR" : "DICOMDIR" + j);
        store(path, dicomdir());
        entries.add(entry(path, k, null));
      }
      case TRUNCATED, MISSING_PREAMBLE, PIXEL_DATA_TRUNCATED -> {
        // an extra instance of the study's first series, then damaged
        SeriesPlan se = s.series.get(0);
        int number = se.images + 1 + j;
        String uid = Rand.uid(o.seed(), 22, s.index, j);
        Instance inst = new Instance(o, s, se, number, uid);
        byte[] data = inst.build();
        byte[] damaged;
        if (k == JunkKind.TRUNCATED) {
          int cut = 132 + 60 + r.nextInt(Math.max(1, Math.min(data.length, 700) - 200));
          damaged = java.util.Arrays.copyOf(data, Math.min(cut, data.length - 1));
        } else if (k == JunkKind.MISSING_PREAMBLE) {
          damaged = java.util.Arrays.copyOfRange(data, 132, data.length);
        } else {
          if (inst.pixels == null
              || !TransferSyntax.isNotEncapsulated(inst.transferSyntax)
              || inst.transferSyntax.equals(TransferSyntax.DeflatedExplicitVRLittleEndian)) {
            inst = rebuildUncompressed(se, number, uid);
            data = inst.build();
          }
          int pixelLen =
              inst.pixels == null
                  ? 0
                  : inst.pixels.frameLength() * inst.pixels.frames * inst.pixels.bitsAllocated / 8;
          int cut = data.length - Math.max(1, pixelLen / 2);
          damaged = java.util.Arrays.copyOf(data, cut);
        }
        String path = place(uid + ".dcm");
        store(path, damaged);
        entries.add(entry(path, k, inst));
      }
      case DUPLICATE_SOP_INSTANCE_UID -> {
        if (lastImage == null) {
          return;
        }
        // the same SOP instance sent twice by the modality: a second file, slightly different
        Instance copy = new Instance(o, s, lastImage.se, lastImage.number, lastImage.sopUid);
        copy.build();
        copy.ds.put("SeriesDescription", lastImage.se.description + " (resent)");
        ByteArrayOutputStream bos = new ByteArrayOutputStream(lastBytes.length + 64);
        copy.ds.list.write(bos, copy.transferSyntax, true, true);
        String path = place(lastImage.sopUid + ".resent.dcm");
        store(path, bos.toByteArray());
        entries.add(entry(path, k, copy));
      }
    }
  }

  private Instance rebuildUncompressed(SeriesPlan se, int number, String uid) throws Exception {
    // try a few instance numbers until the transfer syntax is native and not deflated
    for (int t = 0; t < 50; t++) {
      Instance inst = new Instance(o, s, se, number + 1000 * (t + 1), uid);
      inst.build();
      if (inst.pixels != null
          && TransferSyntax.isNotEncapsulated(inst.transferSyntax)
          && !inst.transferSyntax.equals(TransferSyntax.DeflatedExplicitVRLittleEndian)) {
        return inst;
      }
    }
    return new Instance(o, s, se, number, uid);
  }

  private byte[] dicomdir() throws Exception {
    AttributeList l = new AttributeList();
    Ds d = new Ds("", new ArrayList<>());
    d.put("FileSetID", s.accession);
    d.put("OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity", "0");
    d.put("OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity", "0");
    d.put("FileSetConsistencyFlag", "0");
    d.emptySequence("DirectoryRecordSequence");
    l.putAll(d.list);
    String uid = Rand.uid(o.seed(), 23, s.index);
    FileMetaInformation.addFileMetaInformation(
        l,
        SOPClass.MediaStorageDirectoryStorage,
        uid,
        TransferSyntax.ExplicitVRLittleEndian,
        Instance.IMPLEMENTATION_AE);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    l.write(bos, TransferSyntax.ExplicitVRLittleEndian, true, true);
    return bos.toByteArray();
  }
}
