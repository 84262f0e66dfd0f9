package org.imaginglakehouse.extract.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.identity.Chi;

/**
 * Finds identifiers in a text value without knowing any source value: CHI numbers, UK postcodes,
 * telephone numbers, e-mail addresses and person names by their shape. Meant for the text
 * attributes of a header (LO, SH, LT, ST, UT, UC, PN, CS and text-like private values) and for CSV
 * fields, never for UIDs, dates or numbers: a 10-digit run inside a {@code 2.25.…} UID has a valid
 * check digit one time in eleven.
 *
 * <p>Rules (stateless, thread-safe):
 *
 * <ul>
 *   <li>{@code chi}: ten digits (optionally written 6+4 or 3+3+4 with a space or hyphen) not part
 *       of a longer number, a calendar date DDMMYY and a valid modulus-11 check digit ({@link
 *       Chi#isValid}).
 *   <li>{@code postcode}: a UK postcode (outward code, optional space, digit and two letters of the
 *       inward alphabet), upper or lower case, not part of a longer word.
 *   <li>{@code phone}: a UK number (0 or +44 then 9 or 10 digits, single spaces or hyphens between
 *       them, brackets around the area code) or any number written with a leading {@code +} and at
 *       least 9 digits.
 *   <li>{@code email}: local part, {@code @}, a domain with a dot.
 *   <li>{@code person_name}: a name in free text by its shape, without knowing it: a title-case
 *       honorific and a title-case word ({@code Dr Lefèvre}, {@code Mrs. O'Neil}); a DICOM person
 *       name written into text ({@code Family^Given}, letters only); or a label and a name ({@code
 *       Name: Ann Smith}, {@code name=Smith, Ann}). Upper-case honorifics are left alone: {@code MR
 *       BRAIN} is a modality and a body part.
 * </ul>
 */
public final class TextDetectors {
  /** One finding: the detector, the text matched and where it starts in the value. */
  public record Finding(String detector, String match, int index) {}

  private static final Pattern CHI =
      Pattern.compile(
          "(?<![0-9.])(\\d{10}|\\d{6}[ -]\\d{4}|\\d{3}[ -]\\d{3}[ -]\\d{4})(?![0-9]|\\.\\d)");
  private static final Pattern POSTCODE =
      Pattern.compile(
          "(?<![A-Za-z0-9])([A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNP-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2})"
              + "(?![A-Za-z0-9])",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern PHONE =
      Pattern.compile(
          "(?<![0-9+.])((?:\\+44 ?(?:\\(0\\) ?)?|\\(?0)[1-9](?:[ -]?\\)? ?[0-9]){8,9}"
              + "|\\+[1-9](?:[ -]?[0-9]){8,14})(?![0-9])");
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");

  private static final String WORD = "\\p{Lu}(?:\\p{Ll}|['\u2019]\\p{Lu})[\\p{L}'\u2019-]*";
  private static final Pattern PERSON_NAME =
      Pattern.compile(
          "(?<![\\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\\.? +("
              + WORD
              + ")"
              + "|(?<![\\p{L}\\p{N}^])(\\p{Lu}[\\p{L}'\u2019-]+\\^\\p{Lu}[\\p{L}'\u2019-]+)"
              + "|(?<![\\p{L}])(?i:name)\\s*[:=]\\s*("
              + WORD
              + "(?:,? +"
              + WORD
              + ")+)");

  private TextDetectors() {}

  public static List<Finding> scan(String text) {
    List<Finding> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    Matcher chi = CHI.matcher(text);
    while (chi.find()) {
      if (Chi.isValid(chi.group(1))) {
        out.add(new Finding("chi", chi.group(1), chi.start(1)));
      }
    }
    Matcher postcode = POSTCODE.matcher(text);
    while (postcode.find()) {
      out.add(new Finding("postcode", postcode.group(1), postcode.start(1)));
    }
    Matcher phone = PHONE.matcher(text);
    while (phone.find()) {
      if (!isChiAt(out, phone.start(1))) {
        out.add(new Finding("phone", phone.group(1), phone.start(1)));
      }
    }
    Matcher email = EMAIL.matcher(text);
    while (email.find()) {
      out.add(new Finding("email", email.group(), email.start()));
    }
    Matcher name = PERSON_NAME.matcher(text);
    while (name.find()) {
      for (int g = 1; g <= 3; g++) {
        if (name.group(g) != null) {
          out.add(new Finding("person_name", name.group(g), name.start(g)));
        }
      }
    }
    return out;
  }

  /** A CHI starting with 0 also looks like a phone number: report it once, as a CHI. */
  private static boolean isChiAt(List<Finding> found, int index) {
    return found.stream().anyMatch(f -> f.detector().equals("chi") && f.index() == index);
  }
}
