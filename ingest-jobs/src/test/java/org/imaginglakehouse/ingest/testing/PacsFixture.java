package org.imaginglakehouse.ingest.testing;

import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small PACS copy with a manifest of what every file must become: {@code instance}, an error
 * class ({@code not_dicom}, {@code truncated}, ...) or {@code skipped}. Paths in the manifest are
 * as the ingest records them (absolute; zip entries as {@code archive.zip!entry}).
 */
public final class PacsFixture {
  public final Path root;

  /** Expected outcome per input path. */
  public final Map<String, String> expected = new LinkedHashMap<>();

  /** Expected PatientName per SOPInstanceUID of the valid instances. */
  public final Map<String, String> patientNames = new LinkedHashMap<>();

  /** Expected file_path per SOPInstanceUID (the file kept for duplicates). */
  public final Map<String, String> pathOfSop = new LinkedHashMap<>();

  private PacsFixture(Path root) {
    this.root = root;
  }

  public static PacsFixture build(Path root) {
    PacsFixture p = new PacsFixture(root);
    try {
      p.create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private void create() throws IOException {
    String[][] patients = {
      {"P1", "Müller^Jürgen", "ISO_IR 100", "CT", "20190304"},
      {"P2", "Ζωή^Łukasz", "ISO_IR 192", "MR", "20200611"},
      {"P3", "Smith^Anne", "", "CT", "20211120"},
    };
    int n = 0;
    for (String[] pt : patients) {
      String study = "1.2.826.0.1.9." + pt[0].substring(1);
      for (int s = 1; s <= 2; s++) {
        String series = study + "." + s;
        for (int i = 1; i <= 2; i++) {
          String sop = series + "." + i;
          DicomFixture f = DicomFixture.ct(sop, study, series);
          if (!pt[2].isEmpty()) {
            f.charset(pt[2]);
          }
          f.set(TagFromName.PatientName, pt[1])
              .set(TagFromName.PatientID, pt[0])
              .set(TagFromName.Modality, pt[3])
              .set(TagFromName.StudyDate, pt[4])
              .set(TagFromName.SeriesNumber, Integer.toString(s))
              .set(TagFromName.InstanceNumber, Integer.toString(i));
          if (n % 3 == 0) {
            f.privateLo(0x0029, "ACME 1.1", "v" + n);
          }
          if (n % 4 == 0) {
            f.procedureCodes("C" + n, "D" + n);
          }
          Path file = f.write(root.resolve(pt[0] + "/" + study + "/" + series + "/" + i + ".dcm"));
          expected.put(file.toString(), "instance");
          patientNames.put(sop, pt[1]);
          pathOfSop.put(sop, file.toString());
          n++;
        }
      }
    }
    // A copy under a later path: the first (smaller path) stays, the copy is a duplicate.
    String dupSop = "1.2.826.0.1.9.1.1.1";
    Path copy = root.resolve("zz-copies/again.dcm");
    Files.createDirectories(copy.getParent());
    Files.copy(Path.of(pathOfSop.get(dupSop)), copy);
    expected.put(copy.toString(), "duplicate_sop");

    Path good = Path.of(pathOfSop.get("1.2.826.0.1.9.3.1.1"));
    Path bad = root.resolve("bad");
    Files.createDirectories(bad);
    expected.put(
        DicomFixture.truncate(good, bad.resolve("truncated.dcm"), Files.size(good) - 10).toString(),
        "truncated");
    expected.put(
        Files.writeString(bad.resolve("readme.txt"), "Export notes\n", StandardCharsets.UTF_8)
            .toString(),
        "not_dicom");
    expected.put(Files.write(bad.resolve("empty.dcm"), new byte[0]).toString(), "not_dicom");
    expected.put(
        new RawDicom("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.7", "1.9.9")
            .uid(0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.7")
            .text(0x0010, 0x0020, "LO", "P9")
            .write(bad.resolve("nosop.dcm"))
            .toString(),
        "no_sop_instance_uid");
    expected.put(
        DicomFixture.ct("1.9.10", "1.9", "1.9.1").write(root.resolve("DICOMDIR")).toString(),
        "skipped");

    // A zip archive: three instances and a junk entry.
    Path zip = root.resolve("archive/export.zip");
    Files.createDirectories(zip.getParent());
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      for (int i = 1; i <= 3; i++) {
        String sop = "1.2.826.0.1.9.4.1." + i;
        Path tmp = root.resolveSibling(root.getFileName() + "-tmp-" + i + ".dcm");
        DicomFixture.ct(sop, "1.2.826.0.1.9.4", "1.2.826.0.1.9.4.1")
            .set(TagFromName.PatientName, "Zip^Patient")
            .set(TagFromName.Modality, "DX")
            .write(tmp);
        String entry = "study4/series1/" + i + ".dcm";
        z.putNextEntry(new ZipEntry(entry));
        z.write(Files.readAllBytes(tmp));
        z.closeEntry();
        Files.delete(tmp);
        expected.put(zip + "!" + entry, "instance");
        patientNames.put(sop, "Zip^Patient");
        pathOfSop.put(sop, zip + "!" + entry);
      }
      z.putNextEntry(new ZipEntry("study4/Thumbs.db"));
      z.write("junk".repeat(50).getBytes(StandardCharsets.US_ASCII));
      z.closeEntry();
      expected.put(zip + "!study4/Thumbs.db", "not_dicom");
    }
  }

  public long count(String outcome) {
    return expected.values().stream().filter(outcome::equals).count();
  }

  public List<String> paths(String outcome) {
    return expected.entrySet().stream()
        .filter(e -> e.getValue().equals(outcome))
        .map(Map.Entry::getKey)
        .toList();
  }
}
