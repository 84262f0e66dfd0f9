package org.imaginglakehouse.extract.verify;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The identifying values of a source instance that must not occur in any released byte: taken from
 * its complete header ({@code identifiable.instances.header}). Every person name (PN) and its
 * parts, patient IDs, accession numbers, the birth date in the DICOM and common spellings,
 * addresses, telephone numbers, institution names, and the source's instance UIDs.
 *
 * <p>Values are normalised ({@link #normalise}): trimmed, {@code ^} as a space, space runs
 * collapsed. Values shorter than {@link #MIN_LENGTH} are dropped: they occur by chance (a family
 * name "Li" in every "Lipid"); a patient ID that short is not searched (documented in extract.md).
 */
public final class IdentifyingValues {
  /** Shortest value searched anywhere in a file. */
  public static final int MIN_LENGTH = 4;

  /** One value to search for, with the kind of attribute it came from (never printed with it). */
  public record Value(String kind, String text) implements Serializable {}

  /** Attributes (besides every PN) whose values identify the patient, by keyword. */
  static final Set<String> IDENTIFYING =
      Set.of(
          "PatientID",
          "OtherPatientIDs",
          "AccessionNumber",
          "PatientAddress",
          "PatientTelephoneNumbers",
          "InstitutionName",
          "InstitutionAddress",
          "InstitutionalDepartmentName",
          "ReferringPhysicianAddress",
          "ReferringPhysicianTelephoneNumbers",
          "MedicalRecordLocator",
          "FillerOrderNumberImagingServiceRequest",
          "PlacerOrderNumberImagingServiceRequest",
          "RequestedProcedureID");

  /** Attributes whose values are split into lines and words and each searched too. */
  static final Set<String> SPLIT = Set.of("PatientAddress", "InstitutionAddress");

  private static final Set<String> UIDS =
      Set.of("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID");

  private static final List<DateTimeFormatter> DATE_SPELLINGS =
      List.of(
              "yyyyMMdd",
              "yyyy-MM-dd",
              "yyyy/MM/dd",
              "yyyy.MM.dd",
              "dd/MM/yyyy",
              "dd.MM.yyyy",
              "dd-MM-yyyy",
              "ddMMyyyy",
              "MM/dd/yyyy",
              "dd/MM/yy",
              "dd.MM.yy",
              "d MMM yyyy",
              "dd MMM yyyy",
              "d MMMM yyyy",
              "MMMM d, yyyy",
              "dd-MMM-yyyy")
          .stream()
          .map(p -> DateTimeFormatter.ofPattern(p, Locale.ENGLISH))
          .toList();

  /** Kind of the birth-date values: searched per file, not extraction-wide. */
  public static final String BIRTH_DATE = "PatientBirthDate";

  private final Set<Value> values = new LinkedHashSet<>();

  /**
   * Adds the identifying values of one attribute of a source header ({@code keyword} may be null
   * for private or unknown attributes: then only a PN VR counts).
   */
  public IdentifyingValues add(String keyword, String vr, List<String> attributeValues) {
    if (attributeValues == null || attributeValues.isEmpty()) {
      return this;
    }
    String kind = keyword == null || keyword.isEmpty() ? "private " + vr : keyword;
    for (String raw : attributeValues) {
      if (raw == null || raw.isBlank()) {
        continue;
      }
      if ("PN".equals(vr)) {
        addName(kind, raw);
      } else if (BIRTH_DATE.equals(keyword)) {
        birthDate(raw).forEach(v -> put(kind, v));
      } else if (keyword != null && UIDS.contains(keyword) || isReferencedInstance(keyword)) {
        if (!raw.strip().startsWith("1.2.840.10008.")) {
          put(kind, raw.replace("\0", ""));
        }
      } else if (keyword != null && IDENTIFYING.contains(keyword)) {
        put(kind, raw);
        if (SPLIT.contains(keyword)) {
          for (String part : raw.split("[\\^,;\\r\\n]+")) {
            put(kind + " part", part);
          }
        }
      }
    }
    return this;
  }

  private static boolean isReferencedInstance(String keyword) {
    return keyword != null && keyword.startsWith("Referenced") && keyword.endsWith("InstanceUID");
  }

  private void addName(String kind, String raw) {
    for (String group : raw.split("=")) {
      put(kind, group);
      for (String part : group.split("\\^")) {
        put(kind + " part", part);
      }
    }
  }

  /** The birth date (DICOM DA, YYYYMMDD) in every spelling a person or a system may write. */
  static List<String> birthDate(String raw) {
    String digits = raw.strip();
    List<String> out = new ArrayList<>();
    out.add(digits);
    try {
      LocalDate date =
          LocalDate.parse(
              digits.substring(0, Math.min(8, digits.length())), DateTimeFormatter.BASIC_ISO_DATE);
      for (DateTimeFormatter f : DATE_SPELLINGS) {
        out.add(f.format(date));
      }
    } catch (DateTimeParseException e) {
      // not a DA value: searched as written only
    }
    return out;
  }

  private void put(String kind, String raw) {
    String text = normalise(raw);
    if (text.length() >= MIN_LENGTH) {
      values.add(new Value(kind, text));
    }
  }

  /** The values of the birth date {@code raw} (DA) in every spelling, as searched. */
  public static List<Value> birthDateValues(String raw) {
    IdentifyingValues iv = new IdentifyingValues();
    if (raw != null && !raw.isBlank()) {
      birthDate(raw).forEach(v -> iv.put(BIRTH_DATE, v));
    }
    return List.copyOf(iv.values());
  }

  /** Trimmed, {@code ^} and NUL as spaces, runs of spaces as one. */
  public static String normalise(String raw) {
    return raw.replace('^', ' ').replace('\0', ' ').strip().replaceAll("\\s+", " ");
  }

  public Set<Value> values() {
    return values;
  }
}
