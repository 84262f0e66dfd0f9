package org.imaginglakehouse.synth;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Typed access to the ground truth of a synthetic archive written by {@link SyntheticPacs}: every
 * file (DICOM or junk) with its UIDs, patient, planted PHI and burned-in text boxes; the patients;
 * and the expected answers of the paper's example cohorts. See docs/synthetic-pacs.md for the file
 * formats ({@code ground-truth/files.jsonl}, {@code patients.jsonl}, {@code expected.json}).
 */
public final class GroundTruth {
  /** Sub-directory of the output holding the DICOM tree (point ingest here). */
  public static final String DICOM_DIR = "dicom";

  /** Sub-directory of the output holding the linked tables (CSV and Parquet). */
  public static final String LINKED_DIR = "linked";

  /** Sub-directory of the output holding the manifest files. */
  public static final String GROUND_TRUTH_DIR = "ground-truth";

  public static final String FILES_JSONL = "files.jsonl";
  public static final String PATIENTS_JSONL = "patients.jsonl";
  public static final String EXPECTED_JSON = "expected.json";
  public static final String SUMMARY_JSON = "summary.json";

  static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * Where a piece of PHI was planted.
   *
   * @param kind what it is: PATIENT_NAME, PATIENT_ID (the CHI or whatever ID the file carries),
   *     CHI, BIRTH_DATE, ADDRESS, POSTCODE, TELEPHONE, OTHER_PATIENT_ID, FREE_TEXT_NAME (free text
   *     naming the patient), ACCESSION_NUMBER, INSTITUTION, STAFF_NAME, REFERENCED_PATIENT
   * @param path the tag path in the identifiable.instances header format: top level "00100010",
   *     nested "00400275[0].00321060", private "00291010"
   * @param keyword the DICOM keyword, or null for private elements
   * @param value the value exactly as written (before character-set encoding)
   */
  public record PhiLocation(String kind, String path, String keyword, String value) {}

  /**
   * A text box drawn into the pixel data.
   *
   * @param frame 0-based frame index
   * @param x left column of the text's bounding box (pixels)
   * @param y top row of the text's bounding box (pixels)
   * @param w width in pixels
   * @param h height in pixels (ascent + descent of the font)
   * @param text the text drawn
   * @param textHeight cap height of the font in pixels (what OCR needs, roughly)
   * @param polarity WHITE_ON_BLACK, BLACK_ON_WHITE or GREY_ON_DARK
   * @param kind what the text is: NAME, CHI, BIRTH_DATE, HOSPITAL, DATE, OTHER
   */
  public record TextBox(
      int frame,
      int x,
      int y,
      int w,
      int h,
      String text,
      int textHeight,
      String polarity,
      String kind) {}

  /**
   * One file of the archive.
   *
   * @param path path relative to the output directory, '/'-separated; zip entries as {@code
   *     dicom/2014/03/02/ACC.zip!1.2.3.dcm}
   * @param junkKind null for a valid DICOM instance, else the junk kind
   * @param patientIndex index into {@link #patients()}; for junk files the patient whose study
   *     folder (or zip) holds the file
   * @param patientId the PatientID as written in the file (may be an invalid CHI or empty)
   * @param studyReason why the study exists: ROUTINE (random draw from the modality mix), GBM_PRE /
   *     GBM_POST (imaging around a glioblastoma diagnosis), CANCER (staging for another cancer),
   *     GABAPENTIN (brain MR of a gabapentin patient)
   */
  public record FileEntry(
      String path,
      JunkKind junkKind,
      String sopInstanceUid,
      String seriesInstanceUid,
      String studyInstanceUid,
      String sopClassUid,
      String modality,
      String transferSyntaxUid,
      String accessionNumber,
      String studyDate,
      String studyDescription,
      String seriesDescription,
      String bodyPartExamined,
      List<String> imageType,
      int seriesNumber,
      int instanceNumber,
      int rows,
      int columns,
      int frames,
      int patientIndex,
      String patientId,
      String chi,
      String patientName,
      String patientBirthDate,
      String patientAddress,
      String specificCharacterSet,
      String burnedInAnnotation,
      List<PhiLocation> phi,
      List<TextBox> burnedInText,
      String studyReason) {

    public boolean isJunk() {
      return junkKind != null;
    }

    /** True for a file a correct ingest must accept as a DICOM instance. */
    public boolean isValidDicom() {
      return junkKind == null || junkKind == JunkKind.DUPLICATE_SOP_INSTANCE_UID;
    }

    /**
     * True for a file whose header a correct ingest reads into {@code instances}: the valid DICOM
     * instances and files that lack only the 128-byte preamble (PS3.10 7.1 allows reading them).
     * Such a file can be the source of an extracted file.
     */
    public boolean isReadableInstance() {
      return isValidDicom() || junkKind == JunkKind.MISSING_PREAMBLE;
    }
  }

  /**
   * A patient of the synthetic population.
   *
   * @param chi the patient's true CHI (always valid)
   * @param idStatus VALID (files carry the CHI), INVALID (files carry a mistyped CHI) or MISSING
   *     (files carry no CHI: empty or a local hospital number)
   * @param writtenPatientId what the DICOM files carry in PatientID
   * @param eupi the EUPI in the CHI-to-EUPI mapping table, or null when deliberately missing
   */
  public record Patient(
      int index,
      String chi,
      String idStatus,
      String writtenPatientId,
      String familyName,
      String givenName,
      String dicomName,
      String specificCharacterSet,
      String sex,
      String birthDate,
      String address,
      String postcode,
      String healthBoard,
      String eupi) {}

  /**
   * A cohort's expected answer.
   *
   * @param description what the cohort is
   * @param chis patients (true CHIs) in the cohort according to the linked tables
   * @param linkableChis the subset whose images carry their valid CHI and whose CHI is in the EUPI
   *     mapping (what a correct CHI/EUPI-based pipeline returns)
   * @param studyInstanceUids the imaging studies of the cohort (for imaging cohorts)
   * @param linkableStudyInstanceUids the studies of linkable patients
   */
  public record Cohort(
      String description,
      List<String> chis,
      List<String> linkableChis,
      List<String> studyInstanceUids,
      List<String> linkableStudyInstanceUids) {}

  /** Expected answers keyed by cohort name (see docs/synthetic-pacs.md). */
  public record Expected(Map<String, Cohort> cohorts, Map<String, Long> counts) {
    public Cohort cohort(String name) {
      Cohort c = cohorts.get(name);
      if (c == null) {
        throw new LakehouseException(
            "No expected cohort '" + name + "'; available: " + cohorts.keySet());
      }
      return c;
    }
  }

  private final Path root;
  private final List<FileEntry> files;
  private final List<Patient> patients;
  private final Expected expected;

  GroundTruth(Path root, List<FileEntry> files, List<Patient> patients, Expected expected) {
    this.root = root;
    this.files = List.copyOf(files);
    this.patients = List.copyOf(patients);
    this.expected = expected;
  }

  /** Reads the ground truth of the archive written to {@code outDir}. */
  public static GroundTruth read(Path outDir) {
    Path gt = outDir.resolve(GROUND_TRUTH_DIR);
    if (!Files.isRegularFile(gt.resolve(FILES_JSONL))) {
      throw new LakehouseException(
          "No synthetic archive ground truth at "
              + gt
              + "; generate one with `lakehouse synth --out "
              + outDir
              + "`");
    }
    try {
      List<FileEntry> files = readLines(gt.resolve(FILES_JSONL), FileEntry.class);
      List<Patient> patients = readLines(gt.resolve(PATIENTS_JSONL), Patient.class);
      Expected expected = JSON.readValue(gt.resolve(EXPECTED_JSON).toFile(), Expected.class);
      return new GroundTruth(outDir, files, patients, expected);
    } catch (IOException e) {
      throw new LakehouseException("Cannot read the ground truth in " + gt + ": " + e, e);
    }
  }

  private static <T> List<T> readLines(Path p, Class<T> type) throws IOException {
    List<T> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(JSON.readValue(line, type));
        }
      }
    }
    return out;
  }

  /** The output directory. */
  public Path root() {
    return root;
  }

  /** The DICOM tree (point ingest here). */
  public Path dicomRoot() {
    return root.resolve(DICOM_DIR);
  }

  /** The linked tables directory ({@code <name>.csv} and {@code <name>.parquet}). */
  public Path linkedDir() {
    return root.resolve(LINKED_DIR);
  }

  /** Absolute path of a file entry (for zip entries: the zip archive itself). */
  public Path resolve(FileEntry f) {
    String p = f.path();
    int bang = p.indexOf('!');
    return root.resolve(bang < 0 ? p : p.substring(0, bang));
  }

  /** Every file, DICOM and junk, in a stable order. */
  public List<FileEntry> files() {
    return files;
  }

  /** The valid DICOM instances (including the second copy of a duplicated SOPInstanceUID). */
  public List<FileEntry> instances() {
    return files.stream().filter(FileEntry::isValidDicom).collect(Collectors.toList());
  }

  /** Junk files (including DUPLICATE_SOP_INSTANCE_UID copies, which are valid DICOM). */
  public List<FileEntry> junk() {
    return files.stream().filter(FileEntry::isJunk).collect(Collectors.toList());
  }

  public Map<JunkKind, List<FileEntry>> junkByKind() {
    Map<JunkKind, List<FileEntry>> m = new EnumMap<>(JunkKind.class);
    for (FileEntry f : files) {
      if (f.junkKind() != null) {
        m.computeIfAbsent(f.junkKind(), k -> new ArrayList<>()).add(f);
      }
    }
    return m;
  }

  /** Files with at least one burned-in text box. */
  public List<FileEntry> withBurnedInText() {
    return files.stream().filter(f -> !f.burnedInText().isEmpty()).collect(Collectors.toList());
  }

  public List<Patient> patients() {
    return patients;
  }

  public Patient patient(int index) {
    return patients.get(index);
  }

  /** Patients by true CHI. */
  public Map<String, Patient> patientsByChi() {
    Map<String, Patient> m = new LinkedHashMap<>();
    for (Patient p : patients) {
      m.put(p.chi(), p);
    }
    return Collections.unmodifiableMap(m);
  }

  public Expected expected() {
    return expected;
  }

  /** Looks a file up by its manifest path. */
  public FileEntry file(String path) {
    for (FileEntry f : files) {
      if (f.path().equals(path)) {
        return f;
      }
    }
    throw new LakehouseException("No file " + path + " in the ground truth of " + root);
  }

  /** Loads any JSON file of the ground-truth directory (used for {@code summary.json}). */
  static <T> T readJson(Path file, Class<T> type) {
    try {
      return JSON.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
