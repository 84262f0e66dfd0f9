package org.imaginglakehouse.extract.deid;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The options of the PS3.15 Annex E Basic Application Level Confidentiality Profile, with their
 * column in Table E.1-1 and their code in PS3.16 CID 7050 (De-identification Method), recorded in
 * DeidentificationMethodCodeSequence. The Basic Profile itself (113100) always applies and is not
 * an option.
 *
 * <p>Some options are refused (fail closed): {@link #refusal()} says why.
 */
public enum ProfileOption {
  CLEAN_PIXEL_DATA(
      "cleanPixelData",
      false,
      "113101",
      "Clean Pixel Data Option",
      "lakehouse extract copies pixel data unchanged; release only images without burned-in text"
          + " (select them in the cohort) instead"),
  CLEAN_RECOGNIZABLE_VISUAL_FEATURES(
      "cleanRecogVisFeatures",
      false,
      "113102",
      "Clean Recognizable Visual Features Option",
      "lakehouse extract does not deface images; leave the option out and exclude such series"
          + " from the cohort"),
  CLEAN_GRAPHICS("cleanGraph", true, "113103", "Clean Graphics Option", null),
  CLEAN_STRUCTURED_CONTENT(
      "cleanStructCont", true, "113104", "Clean Structured Content Option", null),
  CLEAN_DESCRIPTORS("cleanDesc", true, "113105", "Clean Descriptors Option", null),
  RETAIN_LONGITUDINAL_FULL_DATES(
      "rtnLongFullDates",
      true,
      "113106",
      "Retain Longitudinal Temporal Information Full Dates Option",
      "real dates never leave the identifiable zone; use retain-longitudinal-modified-dates"
          + " (dates shifted per patient, intervals preserved)"),
  RETAIN_LONGITUDINAL_MODIFIED_DATES(
      "rtnLongModifDates",
      true,
      "113107",
      "Retain Longitudinal Temporal Information Modified Dates Option",
      null),
  RETAIN_PATIENT_CHARACTERISTICS(
      "rtnPatChars", true, "113108", "Retain Patient Characteristics Option", null),
  RETAIN_DEVICE_IDENTITY("rtnDevId", true, "113109", "Retain Device Identity Option", null),
  RETAIN_UIDS(
      "rtnUIDs",
      true,
      "113110",
      "Retain UIDs Option",
      "UIDs of the identifiable zone never leave it; every UID is replaced by its project"
          + " pseudonym, consistently across files, so references between files still resolve"),
  RETAIN_SAFE_PRIVATE("rtnSafePriv", true, "113111", "Retain Safe Private Option", null),
  RETAIN_INSTITUTION_IDENTITY(
      "rtnInstId", true, "113112", "Retain Institution Identity Option", null);

  /** CID 7050 code of the Basic Application Confidentiality Profile, always recorded. */
  public static final String BASIC_PROFILE_CODE = "113100";

  /** CID 7050 meaning of {@link #BASIC_PROFILE_CODE}. */
  public static final String BASIC_PROFILE_MEANING = "Basic Application Confidentiality Profile";

  private final String shortName;
  private final boolean inTable;
  private final String code;
  private final String meaning;
  private final String refusal;

  ProfileOption(String shortName, boolean inTable, String code, String meaning, String refusal) {
    this.shortName = shortName;
    this.inTable = inTable;
    this.code = code;
    this.meaning = meaning;
    this.refusal = refusal;
  }

  /**
   * The option's column in Table E.1-1 (e.g. {@code rtnLongModifDatesOpt}), or null for the pixel
   * options, which the table does not describe.
   */
  public String column() {
    return inTable ? shortName + "Opt" : null;
  }

  /** Code value in CID 7050 (coding scheme DCM). */
  public String code() {
    return code;
  }

  /** Code meaning in CID 7050. */
  public String meaning() {
    return meaning;
  }

  /** Why lakehouse extract refuses this option, or null when it is supported. */
  public String refusal() {
    return refusal;
  }

  /** The name a project file uses: {@code retain-longitudinal-modified-dates}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The short name used in summaries: the Table E.1-1 column without "Opt", e.g. rtnLongModifDates.
   */
  public String shortName() {
    return shortName;
  }

  /**
   * The option named {@code name}: its project-file name ({@code retain-patient-characteristics}),
   * its enum name, or its Table E.1-1 column with or without "Opt" ({@code rtnPatCharsOpt}); case
   * does not matter.
   */
  public static ProfileOption fromName(String name) {
    String n = name == null ? "" : name.trim();
    for (ProfileOption o : values()) {
      if (n.equalsIgnoreCase(o.yamlName())
          || n.equalsIgnoreCase(o.name())
          || n.equalsIgnoreCase(o.shortName())
          || n.equalsIgnoreCase(o.shortName + "Opt")) {
        return o;
      }
    }
    throw new LakehouseException(
        "Unknown de-identification option '"
            + n
            + "'; use one of: "
            + Arrays.stream(values()).map(ProfileOption::yamlName).collect(Collectors.joining(", "))
            + " (PS3.15 Annex E option names; the Basic Profile always applies)");
  }
}
