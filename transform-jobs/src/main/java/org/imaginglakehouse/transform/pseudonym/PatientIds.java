package org.imaginglakehouse.transform.pseudonym;

import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Normalisation of patient identifiers before lookup or hashing, so that {@code "010101 1234"},
 * {@code "0101011234 "} and {@code "010101-1234"} are the same patient: whitespace (including
 * no-break spaces) and dashes are removed, letters upper-cased. Mapping tables are normalised the
 * same way, so a CHI written with a space in the PACS still finds its EUPI. The Java and the Spark
 * forms use the same regular expression.
 */
public final class PatientIds {
  /** Characters removed before comparison. */
  public static final String REMOVED = "[\\s\\-\\x{00A0}]";

  private static final Pattern REMOVED_PATTERN = Pattern.compile(REMOVED);

  private PatientIds() {}

  /** The normalised identifier, or {@code null} when nothing is left. */
  public static String normalise(String id) {
    if (id == null) {
      return null;
    }
    String out = REMOVED_PATTERN.matcher(id).replaceAll("").toUpperCase(Locale.ROOT);
    return out.isEmpty() ? null : out;
  }

  /** The same rule as a Spark column expression (for joins inside Spark). */
  public static Column normaliseColumn(Column id) {
    Column cleaned = functions.upper(functions.regexp_replace(id, REMOVED, ""));
    return functions
        .when(cleaned.equalTo(""), functions.lit(null).cast("string"))
        .otherwise(cleaned);
  }
}
