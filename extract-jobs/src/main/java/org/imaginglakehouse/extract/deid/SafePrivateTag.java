package org.imaginglakehouse.extract.deid;

import java.io.Serializable;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * A private attribute a project declares safe to release (Retain Safe Private Option, PS3.15
 * E.3.10): its odd group, its private creator and its element within the creator's block (the low
 * byte; the block byte depends on where the creator was reserved in each file).
 *
 * @param group the odd group, e.g. 0x0029
 * @param creator the private creator string (compared after trimming trailing spaces)
 * @param element the element's low byte, 0x00–0xFF
 */
public record SafePrivateTag(int group, String creator, int element) implements Serializable {

  private static final Pattern FORM =
      Pattern.compile("\\(([0-9A-Fa-f]{4}),[xX]{2}([0-9A-Fa-f]{2})\\)\\s+(\\S.*)");

  public SafePrivateTag {
    if ((group & 1) == 0 || group < 0x0009 || group > 0xFFFF) {
      throw new LakehouseException(
          String.format(
              Locale.ROOT,
              "Safe private group %04X is not a private (odd) group above 0008",
              group));
    }
    if (element < 0 || element > 0xFF) {
      throw new LakehouseException("Safe private element must be the low byte 00-FF of the tag");
    }
    creator = creator == null ? "" : creator.strip();
    if (creator.isEmpty()) {
      throw new LakehouseException("A safe private attribute needs its private creator");
    }
  }

  /**
   * Parses {@code "(0029,xx10) NHS SCOTLAND PACS 1.0"}: the tag with the block byte written xx, one
   * or more spaces, then the private creator.
   */
  public static SafePrivateTag parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new LakehouseException(
          "Safe private attribute '"
              + text
              + "' is not of the form \"(gggg,xxee) PRIVATE CREATOR\", e.g. \"(0029,xx10) NHS"
              + " SCOTLAND PACS 1.0\"");
    }
    return new SafePrivateTag(
        Integer.parseInt(m.group(1), 16), m.group(3), Integer.parseInt(m.group(2), 16));
  }

  /** True for a data element (gggg,bbee) of this group whose block belongs to this creator. */
  boolean matches(int group, String creatorInFile, int elementLowByte) {
    return this.group == group
        && this.element == elementLowByte
        && creatorInFile != null
        && creator.equals(creatorInFile.strip());
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "(%04X,xx%02X) %s", group, element, creator);
  }
}
