package org.imaginglakehouse.extract.deid;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * What a project's release keeps: the PS3.15 Annex E options chosen, the mode (an SMI-style
 * allow-list on top of the profile, or the profile alone), the allow-list, the private attributes
 * declared safe and whether overlays and curves are released. Immutable; build with {@link
 * #builder()}, which starts from the project default (ALLOW_LIST mode, the default allow-list,
 * Retain Longitudinal Temporal Information with Modified Dates). See docs/extract.md,
 * "De-identification profile".
 *
 * <p>Serializable, so that a Spark job can ship it to executors and build one {@link Deidentifier}
 * per executor.
 */
public final class DeidProfile implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How attributes not described by Table E.1-1 are treated. */
  public enum Mode {
    /**
     * The profile, then every attribute not on the project's allow-list is removed (emptied when
     * the table allows an empty value, which keeps required attributes present).
     */
    ALLOW_LIST,
    /** PS3.15 Annex E alone: attributes the table does not list are kept. */
    PROFILE
  }

  /** Class-path location of the default allow-list. */
  public static final String DEFAULT_ALLOW_LIST_RESOURCE = "/deid/default-allow-list.txt";

  /** The options a project gets when it names none. */
  public static final Set<ProfileOption> DEFAULT_OPTIONS =
      Collections.unmodifiableSet(EnumSet.of(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES));

  /**
   * Attributes kept through any allow-list: without them a file cannot be decoded or identified
   * (character set, SOP identity, the image pixel description), or this de-identifier sets them.
   * Table E.1-1 still acts on them (UIDs are replaced).
   */
  public static final List<String> ALWAYS_ALLOWED =
      List.of(
          "SpecificCharacterSet",
          "SOPClassUID",
          "SOPInstanceUID",
          "StudyInstanceUID",
          "SeriesInstanceUID",
          "Modality",
          "SamplesPerPixel",
          "PhotometricInterpretation",
          "Rows",
          "Columns",
          "BitsAllocated",
          "BitsStored",
          "HighBit",
          "PixelRepresentation",
          "PlanarConfiguration",
          "NumberOfFrames",
          "PixelData",
          "PatientID",
          "PatientName",
          "PatientIdentityRemoved",
          "DeidentificationMethod",
          "DeidentificationMethodCodeSequence",
          "LongitudinalTemporalInformationModified");

  private static final Pattern TAG_FORM =
      Pattern.compile("\\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\\)?");

  private final Set<ProfileOption> options;
  private final Mode mode;
  private final Set<Integer> allowList;
  private final String allowListName;
  private final List<SafePrivateTag> safePrivate;
  private final boolean keepOverlays;
  private final boolean keepCurves;

  private DeidProfile(Builder b) {
    this.options = Collections.unmodifiableSet(EnumSet.copyOf(b.options));
    this.mode = b.mode;
    Set<Integer> allowed = new TreeSet<>(b.allowList);
    allowed.addAll(tags(ALWAYS_ALLOWED, "the always-allowed attributes"));
    this.allowList = Collections.unmodifiableSet(allowed);
    this.allowListName = b.allowListName;
    this.safePrivate = List.copyOf(b.safePrivate);
    this.keepOverlays = b.keepOverlays;
    this.keepCurves = b.keepCurves;
  }

  /** A builder holding the project default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The project default profile. */
  public static DeidProfile defaults() {
    return builder().build();
  }

  /** The entries (keywords) of the default allow-list resource, in file order. */
  public static List<String> defaultAllowList() {
    try (InputStream in = DeidProfile.class.getResourceAsStream(DEFAULT_ALLOW_LIST_RESOURCE)) {
      if (in == null) {
        throw new LakehouseException(
            "The default allow-list " + DEFAULT_ALLOW_LIST_RESOURCE + " is missing");
      }
      List<String> out = new ArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        int hash = line.indexOf('#');
        String entry = (hash < 0 ? line : line.substring(0, hash)).strip();
        if (!entry.isEmpty()) {
          out.add(entry);
        }
      }
      return out;
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot read the default allow-list " + DEFAULT_ALLOW_LIST_RESOURCE + ": " + e, e);
    }
  }

  /** The options chosen (the Basic Profile always applies on top). */
  public Set<ProfileOption> options() {
    return options;
  }

  public boolean has(ProfileOption o) {
    return options.contains(o);
  }

  public Mode mode() {
    return mode;
  }

  /** Tags ({@code group << 16 | element}) on the allow-list, including {@link #ALWAYS_ALLOWED}. */
  public Set<Integer> allowList() {
    return allowList;
  }

  /** "default" or the name the project gave its list. */
  public String allowListName() {
    return allowListName;
  }

  public List<SafePrivateTag> safePrivate() {
    return safePrivate;
  }

  /** Whether overlay planes (groups 6000–601E) are released; only with Clean Graphics. */
  public boolean keepOverlays() {
    return keepOverlays;
  }

  /** Whether retired curves (groups 5000–501E) are released; only with Clean Graphics. */
  public boolean keepCurves() {
    return keepCurves;
  }

  /**
   * What was applied, for job_runs and DeidentificationMethod, e.g. {@code "PS3.15 2024b
   * basic+rtnLongModifDates allow-list(default,182)"}.
   */
  public String summary() {
    StringBuilder s = new StringBuilder("PS3.15 ").append(ActionTable.EDITION).append(" basic");
    for (ProfileOption o : options) {
      s.append('+').append(o.shortName());
    }
    if (mode == Mode.ALLOW_LIST) {
      s.append(" allow-list(").append(allowListName).append(',').append(allowList.size());
      s.append(')');
    } else {
      s.append(" profile-only");
    }
    if (!safePrivate.isEmpty()) {
      s.append(" safe-private(").append(safePrivate.size()).append(')');
    }
    if (keepOverlays) {
      s.append(" +overlays");
    }
    if (keepCurves) {
      s.append(" +curves");
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return summary();
  }

  static Set<Integer> tags(Collection<String> entries, String listName) {
    Set<Integer> out = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    for (String e : entries) {
      String entry = e == null ? "" : e.strip();
      Matcher m = TAG_FORM.matcher(entry);
      if (m.matches()) {
        out.add(Integer.parseInt(m.group(1), 16) << 16 | Integer.parseInt(m.group(2), 16));
        continue;
      }
      AttributeTag t =
          entry.isEmpty() ? null : DicomDictionary.StandardDictionary.getTagFromName(entry);
      if (t == null) {
        unknown.add("'" + entry + "'");
      } else {
        out.add(t.getGroup() << 16 | t.getElement());
      }
    }
    if (!unknown.isEmpty()) {
      throw new LakehouseException(
          "Unknown DICOM keyword(s) in "
              + listName
              + ": "
              + String.join(", ", unknown)
              + "; use PS3.6 keywords (e.g. PixelSpacing) or tags (gggg,eeee)");
    }
    return out;
  }

  /** Builds a {@link DeidProfile}; starts from the project default. Not thread-safe. */
  public static final class Builder {
    private final Set<ProfileOption> options = EnumSet.copyOf(DEFAULT_OPTIONS);
    private Mode mode = Mode.ALLOW_LIST;
    private Set<Integer> allowList;
    private String allowListName = "default";
    private final List<SafePrivateTag> safePrivate = new ArrayList<>();
    private boolean keepOverlays;
    private boolean keepCurves;

    private Builder() {}

    /**
     * The options by name, replacing the default ({@link ProfileOption#fromName(String)}); an
     * unknown or refused name fails with the reason.
     */
    public Builder options(Collection<String> names) {
      options.clear();
      for (String n : names) {
        ProfileOption o = ProfileOption.fromName(n);
        if (o.refusal() != null) {
          throw new LakehouseException(
              "De-identification option " + o.yamlName() + " is refused: " + o.refusal());
        }
        options.add(o);
      }
      return this;
    }

    /** Same as {@link #options(Collection)}. */
    public Builder options(String... names) {
      return options(List.of(names));
    }

    public Builder mode(Mode m) {
      this.mode = m;
      return this;
    }

    /** The mode by name: {@code allow-list} or {@code profile} (case-insensitive). */
    public Builder mode(String name) {
      String n = name == null ? "" : name.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      for (Mode m : Mode.values()) {
        if (m.name().equals(n)) {
          return mode(m);
        }
      }
      throw new LakehouseException(
          "Unknown de-identification mode '" + name + "'; use allow-list or profile");
    }

    /**
     * The project's allow-list (keywords or tags), replacing the default; extend the default with
     * {@code defaultAllowList()} plus your entries.
     */
    public Builder allowList(String name, Collection<String> entries) {
      this.allowList = tags(entries, "allow-list '" + name + "'");
      this.allowListName = name;
      return this;
    }

    /** Private attributes declared safe, each {@code "(gggg,xxee) CREATOR"}. */
    public Builder safePrivate(Collection<String> entries) {
      safePrivate.clear();
      for (String e : entries) {
        safePrivate.add(SafePrivateTag.parse(e));
      }
      return this;
    }

    public Builder keepOverlays(boolean keep) {
      this.keepOverlays = keep;
      return this;
    }

    public Builder keepCurves(boolean keep) {
      this.keepCurves = keep;
      return this;
    }

    /** Checks that the choices fit together and builds the profile. */
    public DeidProfile build() {
      if (!safePrivate.isEmpty() && !options.contains(ProfileOption.RETAIN_SAFE_PRIVATE)) {
        throw new LakehouseException(
            "A safe-private list is given but option retain-safe-private is not chosen: add the"
                + " option, or drop the list (every private attribute is removed)");
      }
      if ((keepOverlays || keepCurves) && !options.contains(ProfileOption.CLEAN_GRAPHICS)) {
        throw new LakehouseException(
            "Keeping overlays or curves needs option clean-graphics: they can carry burned-in"
                + " identifying text, and choosing the option declares they were checked");
      }
      if (allowList == null) {
        allowList = tags(defaultAllowList(), DEFAULT_ALLOW_LIST_RESOURCE);
      }
      return new DeidProfile(this);
    }
  }
}
