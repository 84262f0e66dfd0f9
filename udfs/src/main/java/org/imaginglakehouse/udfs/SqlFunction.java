package org.imaginglakehouse.udfs;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.types.DataType;

/**
 * One analyst SQL function: its name, documentation and a thin body over plain Java logic.
 *
 * @param name SQL name (lower case)
 * @param signature argument list as shown in docs, e.g. {@code dicom_date(da)}
 * @param description one or two sentences
 * @param exampleSql a runnable example expression, e.g. {@code dicom_date('20200131')}
 * @param exampleResult what {@code SELECT <exampleSql>} prints
 * @param returnType SQL result type
 * @param arguments how each argument is passed to the body
 * @param body the logic; gets Java values (String, List, ...) and returns Java values or null
 */
public record SqlFunction(
    String name,
    String signature,
    String description,
    String exampleSql,
    String exampleResult,
    DataType returnType,
    List<Argument> arguments,
    Body body)
    implements Serializable {

  /** How an SQL argument reaches the body. */
  public enum Argument {
    /** Any scalar, cast to STRING; the body gets a String or null. */
    STRING,
    /** ARRAY&lt;STRING&gt; as a List, or any scalar cast to STRING as a one-element List. */
    STRING_LIST,
    /**
     * The complete header column ({@code ARRAY<STRUCT<path, ..., values ARRAY<STRING>, ...>>}) of
     * {@code identifiable.instances}; anything else is rejected when the query is analysed. The
     * body gets two arguments: the List of paths and the List of value lists.
     */
    HEADER
  }

  /** The function's logic over Java values; exceptions are turned into null by the caller. */
  @FunctionalInterface
  public interface Body extends Serializable {
    Object apply(Object[] args);
  }

  /** Number of values the body receives (a HEADER argument counts twice). */
  public int bodyArity() {
    int n = 0;
    for (Argument a : arguments) {
      n += a == Argument.HEADER ? 2 : 1;
    }
    return n;
  }

  /** Calls the body; any exception means "malformed input" and gives null. */
  public Object invoke(Object[] args) {
    try {
      return body.apply(args);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
