package org.imaginglakehouse.cli.serve;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Function1;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Injects the plan check into every session (the server's own session is trusted) and the parser
 * that maps {@code CALL lakehouse.create_cohort(...)} to the cohort command.
 */
final class ServeGuard extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  private final ServeAccess access;
  private final ServeCohorts cohorts;
  private volatile SparkSession trusted;

  ServeGuard(ServeAccess access, ServeCohorts cohorts) {
    this.access = access;
    this.cohorts = cohorts;
  }

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectCheckRule(new CheckRule(this));
    extensions.injectParser(
        new AbstractFunction2<SparkSession, ParserInterface, ParserInterface>() {
          @Override
          public ParserInterface apply(SparkSession session, ParserInterface spark) {
            return new CohortCallParser(spark, cohorts);
          }
        });
    return BoxedUnit.UNIT;
  }

  /** The server's own session: its plans are not checked. */
  void trust(SparkSession session) {
    this.trusted = session;
  }

  void check(SparkSession session, LogicalPlan plan) {
    if (session != trusted) {
      ServeAudit.analysed(plan);
      access.check(session, plan, ConnectSessions.userOf(session));
    }
  }

  private static final class CheckRule
      extends AbstractFunction1<SparkSession, Function1<LogicalPlan, BoxedUnit>> {
    private final ServeGuard guard;

    CheckRule(ServeGuard guard) {
      this.guard = guard;
    }

    @Override
    public Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
      return new AbstractFunction1<>() {
        @Override
        public BoxedUnit apply(LogicalPlan plan) {
          guard.check(session, plan);
          return BoxedUnit.UNIT;
        }
      };
    }
  }
}
