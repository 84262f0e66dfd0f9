package org.imaginglakehouse.udfs;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Registers every function of {@link SqlFunctions#ALL} in a Spark session. Listed in {@code
 * spark.sql.extensions} by {@code LakehouseSessions} whenever this module is on the classpath, so
 * every session built from that configuration (jobs, {@code lakehouse sql}, notebooks and the
 * sessions a Spark Connect server creates per client) has the same functions.
 */
public final class LakehouseSqlExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  /** Shown by DESCRIBE FUNCTION as the function's implementation class. */
  static final String SOURCE = "java_udf";

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    Set<String> seen = new HashSet<>();
    for (SqlFunction function : SqlFunctions.ALL) {
      if (!seen.add(function.name())) {
        throw new IllegalStateException("SQL function registered twice: " + function.name());
      }
      extensions.injectFunction(
          new Tuple3<>(
              FunctionIdentifier.apply(function.name()),
              info(function),
              (Function1<Seq<Expression>, Expression>) new FunctionBuilder(function)));
    }
    return BoxedUnit.UNIT;
  }

  /** Names registered by {@link #apply}, in registry order. */
  public static List<String> names() {
    return SqlFunctions.ALL.stream().map(SqlFunction::name).toList();
  }

  static ExpressionInfo info(SqlFunction function) {
    String examples =
        "\n    Examples:\n      > SELECT "
            + function.exampleSql().replace("\n", " ")
            + ";\n       "
            + function.exampleResult()
            + "\n  ";
    return new ExpressionInfo(
        LakehouseSqlExtensions.class.getName(),
        null,
        function.name(),
        function.signature() + " - " + function.description(),
        "",
        examples,
        "",
        "",
        "",
        "",
        SOURCE);
  }
}
