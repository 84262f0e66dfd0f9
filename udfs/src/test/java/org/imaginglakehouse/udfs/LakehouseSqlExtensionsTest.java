package org.imaginglakehouse.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.types.ArrayType;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.LakehouseSessions;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;

class LakehouseSqlExtensionsTest extends SparkTestBase {

  /** Extensions that count injections, to prove each function is injected exactly once. */
  static final class CountingExtensions extends SparkSessionExtensions {
    final Map<String, Integer> counts = new HashMap<>();

    @Override
    public void injectFunction(
        Tuple3<FunctionIdentifier, ExpressionInfo, Function1<Seq<Expression>, Expression>>
            function) {
      counts.merge(function._1().funcName(), 1, Integer::sum);
      super.injectFunction(function);
    }
  }

  @Test
  void registryNamesAreUniqueAndEachIsInjectedOnce() {
    List<String> names = LakehouseSqlExtensions.names();
    assertThat(names).doesNotHaveDuplicates();
    assertThat(names)
        .contains(
            "dicom_age_years",
            "dicom_date",
            "dicom_time",
            "dicom_datetime",
            "dicom_keyword",
            "dicom_tag",
            "dicom_vr",
            "normalise_body_part",
            "image_type_has",
            "dicom_header_value",
            "dicom_header_values");
    CountingExtensions extensions = new CountingExtensions();
    new LakehouseSqlExtensions().apply(extensions);
    Map<String, Integer> expected = new HashMap<>();
    names.forEach(n -> expected.put(n, 1));
    assertThat(extensions.counts).isEqualTo(expected);
  }

  @Test
  void sessionFactoryListsTheExtensionsClass() {
    LakehouseConfig config = LakehouseConfig.builder().build();
    String extensions = LakehouseSessions.sparkConf(config, Map.of()).get("spark.sql.extensions");
    assertThat(extensions.split(",")).contains(LakehouseSqlExtensions.class.getName());
  }

  @Test
  void everyFunctionIsVisibleOnceInTheSessionAndInNewSessions() {
    // A Spark Connect server gives each client a new session of the same context: newSession().
    for (SparkSession session : List.of(spark(), spark().newSession())) {
      List<String> listed =
          session.sql("SHOW FUNCTIONS").collectAsList().stream().map(r -> r.getString(0)).toList();
      for (String name : LakehouseSqlExtensions.names()) {
        assertThat(listed.stream().filter(name::equals).count()).as(name).isEqualTo(1);
        String usage =
            session.sql("DESCRIBE FUNCTION " + name).collectAsList().stream()
                .map(r -> r.getString(0))
                .filter(s -> s.startsWith("Usage:"))
                .findFirst()
                .orElseThrow();
        assertThat(usage).contains(name + "(");
      }
    }
  }

  /** Every documented example gives its documented result, rendered as `lakehouse sql` does. */
  @Test
  void everyExampleReturnsItsDocumentedResult() {
    List<String> columns = new ArrayList<>();
    for (SqlFunction f : SqlFunctions.ALL) {
      columns.add(
          f.returnType() instanceof ArrayType
              ? "to_json(" + f.exampleSql() + ")"
              : "CAST(" + f.exampleSql() + " AS STRING)");
    }
    Row row = spark().sql("SELECT " + String.join(", ", columns)).first();
    for (int i = 0; i < columns.size(); i++) {
      SqlFunction f = SqlFunctions.ALL.get(i);
      assertThat(row.getString(i)).as(f.exampleSql()).isEqualTo(f.exampleResult());
    }
  }

  @Test
  void malformedInputGivesNullNotAnError() {
    String bad =
        "SELECT * FROM VALUES ('garbage'), (''), (CAST(NULL AS STRING)), ('\\u0000\\u00ff'),"
            + " ('12345678901234567890'), ('(zzzz,0010)'), ('99999Y') AS t(x)";
    List<String> columns = new ArrayList<>();
    List<SqlFunction> tested = new ArrayList<>();
    for (SqlFunction f : SqlFunctions.ALL) {
      if (f.arguments().contains(SqlFunction.Argument.HEADER)
          || f.name().equals("image_type_has")) {
        continue;
      }
      tested.add(f);
      columns.add(f.name() + "(x)");
    }
    columns.add("image_type_has(x, '')");
    columns.add("image_type_has(CAST(NULL AS ARRAY<STRING>), x)");
    List<Row> rows =
        spark().sql("SELECT " + String.join(", ", columns) + " FROM (" + bad + ")").collectAsList();
    assertThat(rows).hasSize(7);
    for (Row row : rows) {
      for (int i = 0; i < columns.size(); i++) {
        assertThat(row.isNullAt(i)).as(columns.get(i) + " of " + row).isTrue();
      }
    }
    assertThat(tested).hasSize(SqlFunctions.ALL.size() - 3);
  }

  @Test
  void convertsColumnsOfATable() {
    spark()
        .sql(
            "SELECT * FROM VALUES ('045Y', '20200131', '093000', 'CT', array('DERIVED','SECONDARY')),"
                + " ('bad', '2020-02-30', '99', NULL, NULL) AS t(age, d, tm, part, it)")
        .createOrReplaceTempView("udf_input");
    List<Row> rows =
        spark()
            .sql(
                "SELECT dicom_age_years(age), dicom_date(d), dicom_time(tm),"
                    + " image_type_has(it, 'derived'), dicom_vr(dicom_tag('StudyDate'))"
                    + " FROM udf_input ORDER BY age")
            .collectAsList();
    assertThat(rows.get(0).getDouble(0)).isEqualTo(45.0);
    assertThat(rows.get(0).getDate(1).toString()).isEqualTo("2020-01-31");
    assertThat(rows.get(0).getString(2)).isEqualTo("09:30:00");
    assertThat(rows.get(0).getBoolean(3)).isTrue();
    assertThat(rows.get(0).getString(4)).isEqualTo("DA");
    assertThat(rows.get(1).isNullAt(0)).isTrue();
    assertThat(rows.get(1).isNullAt(1)).isTrue();
    assertThat(rows.get(1).isNullAt(2)).isTrue();
    assertThat(rows.get(1).isNullAt(3)).isTrue();
  }

  @Test
  void headerFunctionsAcceptOnlyTheHeaderColumn() {
    assertThatThrownBy(() -> spark().sql("SELECT dicom_header_value('x', 'PatientName')").collect())
        .hasMessageContaining("identifiable.instances");
    assertThatThrownBy(
            () -> spark().sql("SELECT dicom_header_values(array('a'), 'PatientName')").collect())
        .hasMessageContaining("header");
    assertThatThrownBy(() -> spark().sql("SELECT dicom_date('1', '2')").collect())
        .hasMessageContaining("dicom_date(da)");
  }
}
