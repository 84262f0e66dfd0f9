package org.imaginglakehouse.cli.serve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedProcedure;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedArgumentExpression;
import org.apache.spark.sql.catalyst.plans.logical.Call;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.ExternalCommandRunner;
import org.apache.spark.sql.execution.command.ExternalCommandExecutor;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.ZoneReads;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.cohort.CohortCreateJob;
import org.imaginglakehouse.transform.cohort.CohortResult;
import org.imaginglakehouse.transform.cohort.CohortSql;
import org.imaginglakehouse.transform.cohort.Cohorts;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Saving a cohort from a {@code lakehouse serve} client with plain SQL: {@code CALL
 * lakehouse.create_cohort(name => 'gbm', sql => 'SELECT ...' [, level => 'study'] [, replace =>
 * true])}. Spark parses the statement; {@link #command} turns that one procedure call into a Spark
 * command whose runner is this object, so it runs once, eagerly, like any command sent over Spark
 * Connect, and the plan check ({@link ServeAccess}) lets through exactly this runner. Running it
 * checks the cohort SQL with the endpoint's rules for the calling user (no audit table, no client
 * code, ...) and then runs the cohort command's own job ({@link CohortCreateJob}: only
 * de-identified Delta tables, pinned versions, members and definition) in the server's session,
 * with the user as {@code created_by}. Only users with per-user tokens may save cohorts, and only
 * their own cohorts may they replace.
 */
final class ServeCohorts implements ExternalCommandRunner {
  /** The procedure name clients call: {@code CALL lakehouse.create_cohort(...)}. */
  static final List<String> PROCEDURE = List.of("lakehouse", "create_cohort");

  static final String COMMAND = "create_cohort";

  /** Arguments in positional order. */
  static final List<String> ARGUMENTS =
      List.of(
          CohortCreateJob.OPTION_NAME,
          CohortCreateJob.OPTION_SQL,
          CohortCreateJob.OPTION_LEVEL,
          CohortCreateJob.OPTION_REPLACE);

  private final LakehouseConfig config;
  private final ServeAccess access;
  private final Set<String> users;
  private final String hint;
  private volatile SparkSession server;
  private volatile ServeAudit audit;

  /**
   * @param access the endpoint's plan check
   * @param users the users of per-user tokens (the only ones who may save cohorts)
   */
  ServeCohorts(LakehouseConfig config, ServeAccess access, List<String> users) {
    this.config = config;
    this.access = access;
    this.users = Set.copyOf(users);
    this.hint = access.hint();
  }

  /** Once the server runs: its own session runs the cohort job; the audit notes what it read. */
  void serveFrom(SparkSession serverSession, ServeAudit auditLog) {
    this.server = serverSession;
    this.audit = auditLog;
  }

  /**
   * The command a parsed statement stands for when it is {@code CALL lakehouse.create_cohort(...)}
   * (arguments must be literals), else empty: every other statement is left to Spark.
   */
  Optional<LogicalPlan> command(LogicalPlan parsed) {
    if (!(parsed instanceof Call call)
        || !(call.procedure() instanceof UnresolvedProcedure procedure)) {
      return Optional.empty();
    }
    List<String> name =
        CollectionConverters.asJava(procedure.nameParts()).stream()
            .map(p -> p.toLowerCase(Locale.ROOT))
            .toList();
    if (!name.equals(PROCEDURE)) {
      return Optional.empty();
    }
    Map<String, String> options = new LinkedHashMap<>();
    List<Expression> args = CollectionConverters.asJava(call.args());
    for (int i = 0; i < args.size(); i++) {
      Expression arg = args.get(i);
      String key;
      Expression value = arg;
      if (arg instanceof NamedArgumentExpression named) {
        key = named.key().toLowerCase(Locale.ROOT);
        value = named.value();
      } else if (i < ARGUMENTS.size()) {
        key = ARGUMENTS.get(i);
      } else {
        throw usage("too many arguments");
      }
      if (!ARGUMENTS.contains(key)) {
        throw usage("unknown argument " + key);
      }
      if (!(value instanceof Literal literal)) {
        throw usage("argument " + key + " must be a literal ('text', true or false)");
      }
      if (literal.value() != null) {
        options.put(key, literal.value().toString());
      }
    }
    return Optional.of(new ExternalCommandExecutor(this, COMMAND, scalaMap(options)));
  }

  private static scala.collection.immutable.Map<String, String> scalaMap(Map<String, String> map) {
    return scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(map));
  }

  private LakehouseException usage(String problem) {
    return new LakehouseException(
        "Cannot save the cohort: "
            + problem
            + ". Call CALL lakehouse.create_cohort(name => 'n', sql => 'SELECT eupi,"
            + " StudyInstanceUID FROM deidentified.study ...' [, level => 'study'] [, replace =>"
            + " true]). "
            + hint);
  }

  /** Whether {@code plan} is this server's cohort command (and no other runner). */
  boolean isCommand(LogicalPlan plan) {
    return plan instanceof ExternalCommandExecutor executor && executor.runner() == this;
  }

  @Override
  public String[] executeCommand(String command, CaseInsensitiveStringMap options) {
    SparkSession server = this.server;
    if (server == null) {
      throw new LakehouseException("lakehouse serve is starting: try again in a moment");
    }
    SparkSession client = SparkSession.active();
    String user = client == server ? null : ConnectSessions.userOf(client);
    if (user == null || !users.contains(user)) {
      throw new LakehouseException(
          "Refused: saving a cohort needs a per-user token (lakehouse serve --users-file), so the"
              + " cohort names who made it. "
              + hint);
    }
    String name = Cohorts.checkName(require(options, CohortCreateJob.OPTION_NAME));
    String sql = require(options, CohortCreateJob.OPTION_SQL);
    boolean replace =
        Boolean.parseBoolean(options.getOrDefault(CohortCreateJob.OPTION_REPLACE, "false"));
    synchronized (this) {
      checkSql(server, sql, user);
      if (replace) {
        Optional<Cohorts.Definition> existing =
            new Cohorts(server, ZoneLayout.from(config)).find(name);
        if (existing.isPresent() && !user.equals(existing.get().createdBy())) {
          throw new LakehouseException(
              "Refused: cohort '"
                  + name
                  + "' was made by someone else; you may replace only your own cohorts. Choose"
                  + " another name. "
                  + hint);
        }
      }
      Map<String, String> job = new LinkedHashMap<>();
      job.put(CohortCreateJob.OPTION_NAME, name);
      job.put(CohortCreateJob.OPTION_SQL, sql);
      job.put(CohortCreateJob.OPTION_LEVEL, options.get(CohortCreateJob.OPTION_LEVEL));
      job.put(CohortCreateJob.OPTION_REPLACE, Boolean.toString(replace));
      job.put(CohortCreateJob.OPTION_CREATED_BY, user);
      CohortResult result;
      try {
        result = CohortCreateJob.of(server, config, job).execute();
      } catch (LakehouseException e) {
        // The cohort rules refused the SQL (or the name): say so as the endpoint's refusals do.
        throw new LakehouseException("Refused: " + e.getMessage() + " " + hint, e);
      }
      Cohorts.Definition saved = new Cohorts(server, ZoneLayout.from(config)).require(name);
      ServeAudit log = audit;
      if (log != null) {
        log.tablesOfCurrentOperation(
            saved.tablesRead().stream().map(CohortSql.TableVersion::name).toList());
      }
      return new String[] {
        "cohort "
            + name
            + ": "
            + result.members()
            + " members, "
            + saved.patientCount()
            + " patients, level "
            + saved.level().id()
            + ", by "
            + user,
        "tables read: "
            + saved.tablesRead().stream()
                .map(t -> t.name() + " VERSION AS OF " + t.version())
                .collect(Collectors.joining(", ")),
        "rows without identifiers (not stored): " + result.count("rows_without_identifiers"),
        "run " + result.runId()
      };
    }
  }

  /**
   * The endpoint's rules on the cohort SQL, as the server's session resolves it (where the job runs
   * it): a single query, reading what this user may read, nothing hidden from clients (the audit
   * table), no client code. The job then applies the cohort rules (de-identified Delta tables
   * only).
   */
  private void checkSql(SparkSession server, String sql, String user) {
    LogicalPlan parsed;
    try {
      parsed = server.sessionState().sqlParser().parsePlan(sql);
    } catch (Exception e) {
      throw new LakehouseException(
          "Cannot parse the cohort SQL: " + e.getMessage().strip().lines().findFirst().orElse(""),
          e);
    }
    if (parsed instanceof Call || isCommand(parsed)) {
      throw new LakehouseException(
          "Cohort SQL must be a single query (SELECT/WITH ... SELECT), not a command. " + hint);
    }
    LogicalPlan analyzed;
    try {
      analyzed =
          ZoneReads.analyzeQuery(
              server, parsed, new ZoneReads.Policy("Cohort SQL", Map.of(), hint, false));
    } catch (LakehouseException e) {
      throw new LakehouseException("Refused: " + e.getMessage() + ". " + hint, e);
    }
    access.check(server, analyzed, user);
  }

  private String require(CaseInsensitiveStringMap options, String key) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      throw usage("argument " + key + " is missing");
    }
    return value;
  }
}
