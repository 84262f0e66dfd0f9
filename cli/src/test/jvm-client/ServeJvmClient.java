import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Client side of ServeUsersTest with the Spark Connect JVM client (spark-connect-client-jvm),
 * run as a single-file program in a JVM of its own: the same queries as the Python client, and
 * the escapes only a JVM client can try (a Java function). Prints one JSON object per line:
 * {"name": ..., "ok": true/false, "value": ... or "error": ...}.
 *
 * <p>Usage: java -cp CLIENT_CLASSPATH ServeJvmClient.java URL IDENTIFIABLE_ROOT
 */
public final class ServeJvmClient {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    String identifiable = args[1];
    SparkSession spark = SparkSession.builder().remote(url).getOrCreate();
    attempt(
        "alice count study",
        () -> spark.sql("SELECT count(*) FROM deidentified.study").first().getLong(0));
    attempt("DataFrame series count", () -> spark.table("deidentified.series").count());
    attempt(
        "our SQL function", () -> spark.sql("SELECT dicom_age_years('045Y')").first().getDouble(0));
    attempt(
        "alice reads her cohort",
        () -> spark.sql("SELECT count(*) FROM scratch_alice.cohort").first().getLong(0));
    attempt(
        "escape: identifiable path",
        () -> spark.read().format("delta").load(identifiable + "/instances").count());
    attempt(
        "escape: Java function",
        () ->
            spark
                .range(1)
                .select(
                    functions
                        .udf((UDF1<Long, String>) id -> System.getenv("HOME"), DataTypes.StringType)
                        .apply(functions.col("id")))
                .collectAsList()
                .toString());
    attempt("escape: bob's cohort", () -> spark.table("scratch_bob.cohort").count());
    spark.close();
  }

  private static void attempt(String name, Callable<Object> action) {
    String line;
    try {
      Object value = action.call();
      String json =
          value instanceof Number || value instanceof Boolean ? value.toString() : quote(value);
      line = "{\"name\": " + quote(name) + ", \"ok\": true, \"value\": " + json + "}";
    } catch (Exception | LinkageError e) {
      String text = String.join(" ", String.valueOf(e.getMessage()).split("\\s+"));
      line =
          "{\"name\": "
              + quote(name)
              + ", \"ok\": false, \"error\": "
              + quote(e.getClass().getSimpleName() + ": " + text.substring(0, Math.min(1500, text.length())))
              + "}";
    }
    System.out.println(line);
    System.out.flush();
  }

  private static String quote(Object value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : String.valueOf(value).toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
