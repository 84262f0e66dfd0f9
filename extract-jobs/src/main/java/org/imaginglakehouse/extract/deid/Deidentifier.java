package org.imaginglakehouse.extract.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.extract.deid.ActionTable.Action;
import org.imaginglakehouse.extract.deid.ActionTable.Row;

/**
 * De-identifies one PixelMed {@link AttributeList}: every attribute at every depth of every
 * sequence, the file meta header included, by PS3.15 Table E.1-1 ({@link ActionTable}) with the
 * project's {@link DeidProfile}, then sets what a de-identified object must carry (PatientIdentity
 * Removed, DeidentificationMethod and its code sequence, LongitudinalTemporalInformationModified,
 * the project pseudonym as PatientID and PatientName). The rules are in docs/extract.md,
 * "De-identification profile".
 *
 * <p>Thread-safe: it holds only immutable configuration (the {@link ProjectPseudonyms} must be
 * thread-safe too); each call works on its own state. The source list is never modified; the result
 * shares the attribute objects whose values it keeps unchanged. Exception messages name tags and
 * VRs, never values.
 */
public final class Deidentifier {

  /** What happened to an attribute, counted per call. */
  public enum Outcome {
    /** Kept unchanged. */
    KEPT,
    /**
     * Removed by the profile (or a value rule: ages, person names, dates without a date option).
     */
    REMOVED,
    /** Removed because it is not on the project's allow-list. */
    NOT_ALLOWED,
    /** A private attribute (or private creator) removed. */
    PRIVATE_REMOVED,
    /** Replaced by an empty value (an empty sequence for SQ). */
    EMPTIED,
    /** Replaced by a dummy value. */
    DUMMY,
    /** UID values replaced by project pseudonyms. */
    UID_MAPPED,
    /** DA/DT values shifted by the patient's day shift. */
    DATE_SHIFTED,
    /** A DA/DT value that is not a date: removed, since it cannot be shifted. */
    UNSHIFTABLE_DATE_REMOVED,
    /** A sequence kept, its items de-identified attribute by attribute. */
    SEQUENCE_RECURSED
  }

  /**
   * The de-identified attributes and what happened to the source's attributes.
   *
   * @param attributes the new list (source untouched)
   * @param counts number of source attributes (at every depth) per outcome
   */
  public record Result(AttributeList attributes, Map<Outcome, Integer> counts) {}

  /** Dummy text for the D action (valid in every string VR that accepts letters). */
  static final String DUMMY_TEXT = "ANONYMISED";

  private static final String DICOM_UID_ROOT = "1.2.840.10008.";

  private final DeidProfile profile;
  private final ProjectPseudonyms pseudonyms;
  private final ActionTable table;

  public Deidentifier(DeidProfile profile, ProjectPseudonyms pseudonyms) {
    this(profile, pseudonyms, ActionTable.standard());
  }

  Deidentifier(DeidProfile profile, ProjectPseudonyms pseudonyms, ActionTable table) {
    this.profile = profile;
    this.pseudonyms = pseudonyms;
    this.table = table;
  }

  public DeidProfile profile() {
    return profile;
  }

  /** What is applied, for job_runs: {@link DeidProfile#summary()}. */
  public String method() {
    return profile.summary();
  }

  /** A de-identified copy of {@code source} for the patient {@code eupi}. */
  public AttributeList deidentify(AttributeList source, String eupi) {
    return deidentifyCounting(source, eupi).attributes();
  }

  /** As {@link #deidentify}, with the count of attributes per {@link Outcome}. */
  public Result deidentifyCounting(AttributeList source, String eupi) {
    if (eupi == null || eupi.isBlank()) {
      throw new LakehouseException(
          "Cannot de-identify a file without its patient's EUPI: the pseudonym and the date shift"
              + " are keyed on it; link the cohort's patients to EUPIs first");
    }
    Run run = new Run(pseudonyms.dayShift(eupi));
    AttributeList out = new AttributeList();
    run.list(source, out, true);
    try {
      setRequired(out, pseudonyms.patientId(eupi));
      fixMetaGroupLength(out);
    } catch (DicomException e) {
      throw new LakehouseException(
          "Cannot set the de-identification attributes: PixelMed " + e.getClass().getSimpleName());
    }
    return new Result(out, run.counts());
  }

  private void setRequired(AttributeList out, String patientId) throws DicomException {
    putString(out, TagFromName.PatientID, patientId);
    putString(out, TagFromName.PatientName, patientId);
    putString(out, TagFromName.PatientIdentityRemoved, "YES");
    Attribute method = AttributeFactory.newAttribute(TagFromName.DeidentificationMethod);
    for (String v : methodValues()) {
      method.addValue(v);
    }
    out.put(method);
    SequenceAttribute codes = new SequenceAttribute(TagFromName.DeidentificationMethodCodeSequence);
    codes.addItem(
        new CodedSequenceItem(
                ProfileOption.BASIC_PROFILE_CODE, "DCM", ProfileOption.BASIC_PROFILE_MEANING)
            .getAttributeList());
    for (ProfileOption o : profile.options()) {
      codes.addItem(new CodedSequenceItem(o.code(), "DCM", o.meaning()).getAttributeList());
    }
    out.put(codes);
    putString(
        out,
        TagFromName.LongitudinalTemporalInformationModified,
        profile.has(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES) ? "MODIFIED" : "REMOVED");
  }

  /** DeidentificationMethod values (LO: at most 64 characters each). */
  List<String> methodValues() {
    List<String> v = new ArrayList<>();
    v.add("PS3.15 Table E.1-1 " + ActionTable.EDITION + " Basic Profile");
    for (ProfileOption o : profile.options()) {
      v.add(o.meaning());
    }
    String list =
        profile.mode() == DeidProfile.Mode.ALLOW_LIST
            ? "lakehouse allow-list " + profile.allowListName()
            : "lakehouse profile only";
    v.add(list.length() > 64 ? list.substring(0, 64) : list);
    return v;
  }

  private static void putString(AttributeList out, AttributeTag tag, String value)
      throws DicomException {
    Attribute a = AttributeFactory.newAttribute(tag);
    a.addValue(value);
    out.put(a);
  }

  /** FileMetaInformationGroupLength for the meta attributes kept (explicit VR little endian). */
  private static void fixMetaGroupLength(AttributeList out) throws DicomException {
    long length = 0;
    boolean any = false;
    for (Attribute a : out.values()) {
      if (a.getGroup() == 0x0002 && a.getElement() != 0x0000) {
        any = true;
        length += (ValueRepresentation.isShortValueLengthVR(a.getVR()) ? 8 : 12) + a.getPaddedVL();
      }
    }
    if (any) {
      Attribute gl = AttributeFactory.newAttribute(TagFromName.FileMetaInformationGroupLength);
      gl.addValue(length);
      out.put(gl);
    }
  }

  /** The state of one call: the patient's day shift and the counts. */
  private final class Run {
    private final int dayShift;
    private final Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);

    Run(int dayShift) {
      this.dayShift = dayShift;
    }

    Map<Outcome, Integer> counts() {
      return Collections.unmodifiableMap(new EnumMap<>(counts));
    }

    private Attribute count(Outcome o, Attribute result) {
      counts.merge(o, 1, Integer::sum);
      return result;
    }

    void list(AttributeList in, AttributeList out, boolean top) {
      for (Attribute a : in.values()) {
        Attribute r;
        try {
          r = attribute(a, in, top);
        } catch (DicomException e) {
          throw new LakehouseException(
              String.format(
                  Locale.ROOT,
                  "Cannot de-identify attribute (%04X,%04X) VR %s: PixelMed %s; the file is not"
                      + " released",
                  a.getGroup(),
                  a.getElement(),
                  a.getVRAsString(),
                  e.getClass().getSimpleName()));
        }
        if (r != null) {
          out.put(r);
        }
      }
    }

    private Attribute attribute(Attribute a, AttributeList in, boolean top) throws DicomException {
      int group = a.getGroup();
      int element = a.getElement();
      int tag = group << 16 | element;
      if (group == 0x0002) {
        return top ? meta(a) : count(Outcome.REMOVED, null);
      }
      if (element == 0x0000 || group == 0x0000) {
        // Group lengths (retired outside the meta header) would be wrong after any change; the
        // command group has no place in a stored object.
        return count(Outcome.REMOVED, null);
      }
      if ((group & 1) == 1) {
        return privateAttribute(a, in);
      }
      boolean curve = (group & 0xFF00) == 0x5000;
      boolean overlay = (group & 0xFF00) == 0x6000;
      if ((curve && !profile.keepCurves()) || (overlay && !profile.keepOverlays())) {
        return count(Outcome.REMOVED, null);
      }
      Optional<Row> row = table.row(tag);
      if (profile.mode() == DeidProfile.Mode.ALLOW_LIST
          && !curve
          && !overlay
          && !profile.allowList().contains(tag)) {
        return row.isPresent() && ActionTable.mayBeRequired(row.get().basicProfile())
            ? empty(a)
            : count(Outcome.NOT_ALLOWED, null);
      }
      if (row.isEmpty()
          && !curve
          && !overlay
          && profile.mode() == DeidProfile.Mode.PROFILE
          && DicomDictionary.StandardDictionary.getNameFromTag(a.getTag()) == null) {
        // Neither in the table nor in the dictionary: nothing says what it holds (fail closed).
        return count(Outcome.REMOVED, null);
      }
      Action action = row.map(r -> ActionTable.resolve(r, profile.options())).orElse(Action.K);
      return apply(action, a, row, curve || overlay);
    }

    private Attribute apply(Action action, Attribute a, Optional<Row> row, boolean graphics)
        throws DicomException {
      byte[] vr = a.getVR();
      switch (action) {
        case X:
          return count(Outcome.REMOVED, null);
        case Z:
          return empty(a);
        case D:
          return dummy(a);
        case U:
          return ValueRepresentation.isSequenceVR(vr) ? sequence(a) : uids(a);
        case C:
          if (ValueRepresentation.isSequenceVR(vr)
              || ValueRepresentation.isDateVR(vr)
              || ValueRepresentation.isDateTimeVR(vr)
              || ValueRepresentation.isTimeVR(vr)
              || graphics) {
            // Sequences are cleaned item by item, dates shifted by the value rules; overlays and
            // curves reach here only when the project kept them under Clean Graphics.
            return keep(a);
          }
          // Free text, names, AE titles, binary: no automatic cleaning; the Basic Profile applies.
          return apply(ActionTable.resolveBasic(row.orElseThrow().basicProfile()), a, row, false);
        case K:
        default:
          return keep(a);
      }
    }

    /** The value rules applied to every attribute that is kept. */
    private Attribute keep(Attribute a) throws DicomException {
      byte[] vr = a.getVR();
      if (ValueRepresentation.isSequenceVR(vr)) {
        return sequence(a);
      }
      if (ValueRepresentation.isUniqueIdentifierVR(vr)) {
        return uids(a);
      }
      if (ValueRepresentation.isDateVR(vr)) {
        return dates(a, DateShift::shiftDate);
      }
      if (ValueRepresentation.isDateTimeVR(vr)) {
        return dates(a, DateShift::shiftDateTime);
      }
      if (ValueRepresentation.isAgeStringVR(vr)) {
        // Ages stay consistent with shifted dates (a shift keeps intervals) when released at all.
        return profile.has(ProfileOption.RETAIN_PATIENT_CHARACTERISTICS)
            ? count(Outcome.KEPT, a)
            : count(Outcome.REMOVED, null);
      }
      if (ValueRepresentation.isPersonNameVR(vr)) {
        // Names the table does not describe are not released (PatientName is set afterwards).
        return count(Outcome.REMOVED, null);
      }
      if (ValueRepresentation.isUnknownVR(vr) && (a.getGroup() & 1) == 0) {
        // A standard attribute left undecoded: the value rules cannot see what it holds.
        return count(Outcome.REMOVED, null);
      }
      return count(Outcome.KEPT, a);
    }

    private Attribute meta(Attribute a) throws DicomException {
      AttributeTag t = a.getTag();
      if (t.equals(TagFromName.FileMetaInformationVersion)
          || t.equals(TagFromName.MediaStorageSOPClassUID)
          || t.equals(TagFromName.TransferSyntaxUID)
          || t.equals(TagFromName.ImplementationClassUID)
          || t.equals(TagFromName.ImplementationVersionName)) {
        return count(Outcome.KEPT, a);
      }
      if (t.equals(TagFromName.MediaStorageSOPInstanceUID)) {
        return uids(a);
      }
      // The group length is recomputed; AE titles and presentation addresses name the source's
      // devices; private information is opaque.
      return count(Outcome.REMOVED, null);
    }

    private Attribute privateAttribute(Attribute a, AttributeList in) throws DicomException {
      Action action = ActionTable.resolve(table.privateAttributesRow(), profile.options());
      if (action != Action.C || profile.safePrivate().isEmpty()) {
        return count(Outcome.PRIVATE_REMOVED, null);
      }
      int group = a.getGroup();
      int element = a.getElement();
      if (element >= 0x0010 && element <= 0x00FF) {
        String creator = a.getSingleStringValueOrEmptyString().strip();
        for (SafePrivateTag s : profile.safePrivate()) {
          if (s.group() == group && s.creator().equals(creator)) {
            return count(Outcome.KEPT, a);
          }
        }
      } else if (element >= 0x1000) {
        String creator = in.getPrivateCreatorString(a.getTag());
        for (SafePrivateTag s : profile.safePrivate()) {
          if (s.matches(group, creator, element & 0xFF)) {
            return keep(a);
          }
        }
      }
      return count(Outcome.PRIVATE_REMOVED, null);
    }

    private Attribute empty(Attribute a) throws DicomException {
      if (ValueRepresentation.isSequenceVR(a.getVR())) {
        return count(Outcome.EMPTIED, new SequenceAttribute(a.getTag()));
      }
      return count(Outcome.EMPTIED, AttributeFactory.newAttribute(a.getTag(), a.getVR()));
    }

    private Attribute dummy(Attribute a) throws DicomException {
      byte[] vr = a.getVR();
      if (ValueRepresentation.isUniqueIdentifierVR(vr)) {
        return uids(a);
      }
      String text = dummyValue(vr);
      if (a.getVL() == 0 || text == null) {
        // Nothing to replace, or no dummy is meaningful (sequences, binary): an empty value.
        return empty(a);
      }
      Attribute d = AttributeFactory.newAttribute(a.getTag(), vr);
      d.addValue(text);
      return count(Outcome.DUMMY, d);
    }

    private Attribute uids(Attribute a) throws DicomException {
      Attribute out = AttributeFactory.newAttribute(a.getTag(), a.getVR());
      boolean mapped = false;
      boolean classAttribute = isClassUidAttribute(a.getTag());
      for (String v : values(a)) {
        String uid = v.strip();
        if (uid.isEmpty() || classAttribute || uid.startsWith(DICOM_UID_ROOT)) {
          out.addValue(uid);
        } else {
          out.addValue(pseudonyms.uid(uid));
          mapped = true;
        }
      }
      return count(mapped ? Outcome.UID_MAPPED : Outcome.KEPT, out);
    }

    private Attribute dates(Attribute a, BiFunction<String, Integer, String> shift)
        throws DicomException {
      if (!profile.has(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES)) {
        return count(Outcome.REMOVED, null);
      }
      Attribute out = AttributeFactory.newAttribute(a.getTag(), a.getVR());
      for (String v : values(a)) {
        String s = shift.apply(v, dayShift);
        if (s == null) {
          return count(Outcome.UNSHIFTABLE_DATE_REMOVED, null);
        }
        out.addValue(s);
      }
      return count(Outcome.DATE_SHIFTED, out);
    }

    private Attribute sequence(Attribute a) {
      SequenceAttribute in = (SequenceAttribute) a;
      SequenceAttribute out = new SequenceAttribute(a.getTag());
      for (int i = 0; i < in.getNumberOfItems(); i++) {
        SequenceItem item = in.getItem(i);
        AttributeList itemOut = new AttributeList();
        list(item.getAttributeList(), itemOut, false);
        out.addItem(itemOut);
      }
      return count(Outcome.SEQUENCE_RECURSED, out);
    }
  }

  private static String[] values(Attribute a) throws DicomException {
    String[] v = a.getStringValues();
    return v == null ? new String[0] : v;
  }

  /**
   * Attributes whose UIDs name a class (SOP classes, transfer syntaxes, implementations), the same
   * for every file of a kind: kept, since mapping them would make files unreadable and they say
   * nothing of a patient. Every other UID outside the DICOM root is mapped, private coding schemes
   * and private instance UIDs included.
   */
  static boolean isClassUidAttribute(AttributeTag tag) {
    String keyword = DicomDictionary.StandardDictionary.getNameFromTag(tag);
    return keyword != null
        && (keyword.endsWith("ClassUID") || keyword.endsWith("TransferSyntaxUID"));
  }

  /** The dummy of the D action for a VR, or null when an empty value is used instead. */
  static String dummyValue(byte[] vr) {
    String v = new String(vr, java.nio.charset.StandardCharsets.US_ASCII);
    return switch (v) {
      case "AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT" -> DUMMY_TEXT;
      case "DA" -> "19000101";
      case "DT" -> "19000101000000";
      case "TM" -> "000000";
      case "AS" -> "000D";
      case "DS", "IS" -> "0";
      default -> null;
    };
  }
}
