package org.imaginglakehouse.ingest.dicom;

import com.pixelmed.dicom.Attribute;
import java.util.Set;

/**
 * Value representation names as shared constants: PixelMed's {@code getVRAsString} builds a new
 * {@code String} for every attribute, and the header of a CT image has a few hundred.
 */
final class VrNames {
  private VrNames() {}

  static final String SQ = "SQ";

  private static final Set<String> BINARY = Set.of("OB", "OW", "OF", "OD", "OL", "OV", "UN");

  /** By {@code (first - 'A') * 26 + (second - 'A')} for two upper-case letters. */
  private static final String[] NAMES = new String[26 * 26];

  static {
    for (String vr :
        new String[] {
          "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF",
          "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN",
          "UR", "US", "UT", "UV"
        }) {
      NAMES[(vr.charAt(0) - 'A') * 26 + vr.charAt(1) - 'A'] = vr;
    }
  }

  /** The attribute's VR as PixelMed names it, a shared instance for every standard VR. */
  static String of(Attribute a) {
    byte[] vr = a.getVR();
    if (vr != null && vr.length == 2) {
      int first = vr[0] - 'A';
      int second = vr[1] - 'A';
      if (first >= 0 && first < 26 && second >= 0 && second < 26) {
        String name = NAMES[first * 26 + second];
        if (name != null) {
          return name;
        }
      }
    }
    return a.getVRAsString();
  }

  /** Whether the header keeps the VR's value as bytes rather than strings. */
  static boolean isBinary(String vr) {
    return BINARY.contains(vr);
  }
}
