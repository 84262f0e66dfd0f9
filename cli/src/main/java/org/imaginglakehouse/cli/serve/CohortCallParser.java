package org.imaginglakehouse.cli.serve;

import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParameterContext;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;

/**
 * Spark's own SQL parser, with one statement mapped to a command of ours: {@code CALL
 * lakehouse.create_cohort(...)} parses (with Spark's grammar) to the cohort command of {@link
 * ServeCohorts}; everything else is exactly what Spark's parser returns.
 */
final class CohortCallParser implements ParserInterface {
  private final ParserInterface spark;
  private final ServeCohorts cohorts;

  CohortCallParser(ParserInterface spark, ServeCohorts cohorts) {
    this.spark = spark;
    this.cohorts = cohorts;
  }

  @Override
  public LogicalPlan parsePlan(String sqlText) throws ParseException {
    LogicalPlan parsed = spark.parsePlan(sqlText);
    return cohorts.command(parsed).orElse(parsed);
  }

  @Override
  public LogicalPlan parsePlanWithParameters(String sqlText, ParameterContext context)
      throws ParseException {
    LogicalPlan parsed = spark.parsePlanWithParameters(sqlText, context);
    return cohorts.command(parsed).orElse(parsed);
  }

  @Override
  public Expression parseExpression(String sqlText) throws ParseException {
    return spark.parseExpression(sqlText);
  }

  @Override
  public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
    return spark.parseTableIdentifier(sqlText);
  }

  @Override
  public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
    return spark.parseFunctionIdentifier(sqlText);
  }

  @Override
  public Seq<String> parseMultipartIdentifier(String sqlText) throws ParseException {
    return spark.parseMultipartIdentifier(sqlText);
  }

  @Override
  public LogicalPlan parseQuery(String sqlText) throws ParseException {
    return spark.parseQuery(sqlText);
  }

  @Override
  public StructType parseRoutineParam(String sqlText) throws ParseException {
    return spark.parseRoutineParam(sqlText);
  }

  @Override
  public StructType parseTableSchema(String sqlText) throws ParseException {
    return spark.parseTableSchema(sqlText);
  }

  @Override
  public DataType parseDataType(String sqlText) throws ParseException {
    return spark.parseDataType(sqlText);
  }
}
