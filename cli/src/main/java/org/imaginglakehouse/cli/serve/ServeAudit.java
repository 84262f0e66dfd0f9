package org.imaginglakehouse.cli.serve;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connect.service.SparkListenerConnectOperationAnalyzed;
import org.apache.spark.sql.connect.service.SparkListenerConnectOperationCanceled;
import org.apache.spark.sql.connect.service.SparkListenerConnectOperationFailed;
import org.apache.spark.sql.connect.service.SparkListenerConnectOperationFinished;
import org.apache.spark.sql.connect.service.SparkListenerConnectOperationStarted;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.spark.ZoneReads;

/**
 * The audit of {@code lakehouse serve}: one row per client operation (user, time, statement or plan
 * summary, tables read, outcome; kind {@code execute}), per plan-only request ({@code analyze},
 * from {@link AnalyzeAudit}) and per refused call ({@code call}: wrong token, another user's name),
 * appended in batches to a Delta table of the de-identified zone by a background thread, so queries
 * never wait for it. Operation rows come from Spark Connect's own operation events on the listener
 * bus; a command that reads tables itself (the cohort command) adds them to its row. Each batch is
 * an idempotent Delta append ({@code txnAppId} = this server run, {@code txnVersion} = batch
 * number), so a retried batch is written once. Clients cannot read the table ({@link ServeAccess}).
 */
final class ServeAudit extends SparkListener implements AutoCloseable {
  /** Table name in the de-identified zone. */
  static final String TABLE = "serve_audit";

  static final StructType SCHEMA =
      new StructType()
          .add("time", DataTypes.TimestampType, false)
          .add("user", DataTypes.StringType, false)
          .add("verified", DataTypes.BooleanType, false)
          .add("session_id", DataTypes.StringType, true)
          .add("operation_id", DataTypes.StringType, true)
          .add("statement", DataTypes.StringType, true)
          .add("tables", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("outcome", DataTypes.StringType, false)
          .add("error", DataTypes.StringType, true)
          .add("server_run", DataTypes.StringType, false)
          .add("kind", DataTypes.StringType, true);

  /** Kinds of rows: an operation (ExecutePlan), a plan-only request (AnalyzePlan), a gRPC call. */
  static final String EXECUTE = "execute";

  static final String ANALYZE = "analyze";
  static final String CALL = "call";

  /** Job tags of Spark Connect operations end with {@code _Operation_<operation id>}. */
  private static final String OPERATION_TAG = "SparkConnect_OperationTag_";

  private static final String OPERATION_ID = "_Operation_";

  /** Tables read by the plans analysed on this thread for a plan-only request, while one runs. */
  private static final ThreadLocal<java.util.Set<String>> ANALYZING = new ThreadLocal<>();

  /** Outcomes. */
  static final String OK = "ok";

  static final String REFUSED = "refused";
  static final String FAILED = "failed";
  static final String CANCELED = "canceled";

  /** Statements and errors are cut to this many characters (plans of local data can be large). */
  static final int MAX_TEXT = 4000;

  private final SparkSession root;
  private final String location;
  private final boolean verifiedUsers;
  private final String run = UUID.randomUUID().toString();
  private final Map<String, Operation> open = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Row> pending = new ConcurrentLinkedQueue<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final ScheduledExecutorService writer;
  private volatile String lastError;
  private List<Row> retry;
  private long retryVersion;

  /** An operation between its start and end events. */
  private static final class Operation {
    final long time;
    final String user;
    final String session;
    final String statement;
    final java.util.Set<String> tables = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Operation(long time, String user, String session, String statement) {
      this.time = time;
      this.user = user;
      this.session = session;
      this.statement = statement;
    }
  }

  /**
   * @param root the server's own session, which writes the table
   * @param location the audit table's location
   * @param verifiedUsers whether user names come from per-user tokens (else the client's claim)
   * @param flushMillis how often queued rows are appended
   */
  ServeAudit(SparkSession root, String location, boolean verifiedUsers, long flushMillis) {
    this.root = root;
    this.location = location;
    this.verifiedUsers = verifiedUsers;
    this.writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lakehouse-serve-audit");
              t.setDaemon(true);
              return t;
            });
    writer.scheduleWithFixedDelay(
        this::flushQuietly, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
  }

  String location() {
    return location;
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof SparkListenerConnectOperationStarted started) {
      open.put(
          started.operationId(),
          new Operation(
              started.eventTime(),
              started.userId(),
              started.sessionId(),
              cut(started.statementText())));
    } else if (event instanceof SparkListenerConnectOperationAnalyzed analyzed) {
      Operation op = open.get(analyzed.operationId());
      if (op != null && analyzed.analyzedPlan().isDefined()) {
        op.tables.addAll(tablesRead(analyzed.analyzedPlan().get()));
      }
    } else if (event instanceof SparkListenerConnectOperationFinished finished) {
      end(finished.operationId(), OK, null);
    } else if (event instanceof SparkListenerConnectOperationFailed failed) {
      String error = failed.errorMessage();
      end(failed.operationId(), isRefusal(error) ? REFUSED : FAILED, error);
    } else if (event instanceof SparkListenerConnectOperationCanceled canceled) {
      end(canceled.operationId(), CANCELED, null);
    }
  }

  private void end(String operationId, String outcome, String error) {
    Operation op = open.remove(operationId);
    if (op != null) {
      pending.add(
          row(
              op.time,
              op.user,
              op.session,
              operationId,
              op.statement,
              new ArrayList<>(new TreeSet<>(op.tables)),
              outcome,
              firstLine(error),
              EXECUTE));
    }
  }

  /**
   * Adds tables to the audit row of the Spark Connect operation running on this thread (a command
   * that reads tables itself, such as the cohort command); nothing outside an operation.
   */
  void tablesOfCurrentOperation(List<String> tables) {
    for (String tag :
        scala.jdk.javaapi.CollectionConverters.asJava(root.sparkContext().getJobTags())) {
      int at = tag.lastIndexOf(OPERATION_ID);
      if (tag.startsWith(OPERATION_TAG) && at >= 0) {
        Operation op = open.get(tag.substring(at + OPERATION_ID.length()));
        if (op != null) {
          op.tables.addAll(tables);
        }
      }
    }
  }

  /** Starts collecting the tables of the plans analysed on this thread (a plan-only request). */
  static void beginAnalyze() {
    ANALYZING.set(new TreeSet<>());
  }

  /** Notes the tables an analysed plan of a client reads, while a plan-only request runs. */
  static void analysed(LogicalPlan plan) {
    java.util.Set<String> tables = ANALYZING.get();
    if (tables != null) {
      tables.addAll(tablesRead(plan));
    }
  }

  /** Queues the row of a plan-only request that ends on this thread, and stops collecting. */
  void endAnalyze(
      long time, String user, String session, String statement, String outcome, String error) {
    java.util.Set<String> tables = ANALYZING.get();
    ANALYZING.remove();
    pending.add(
        row(
            time,
            user,
            session,
            null,
            cut(statement),
            tables == null ? List.of() : new ArrayList<>(tables),
            outcome,
            firstLine(error),
            ANALYZE));
  }

  /** A call refused before it reached Spark Connect (token, user claim). */
  void refusedCall(String user, String method, String why) {
    pending.add(
        row(
            System.currentTimeMillis(),
            user,
            null,
            null,
            "(gRPC " + method + ")",
            List.of(),
            REFUSED,
            why,
            CALL));
  }

  private Row row(
      long time,
      String user,
      String session,
      String operation,
      String statement,
      List<String> tables,
      String outcome,
      String error,
      String kind) {
    return RowFactory.create(
        new Timestamp(time),
        user == null ? "" : user,
        verifiedUsers,
        session,
        operation,
        statement,
        scala.jdk.javaapi.CollectionConverters.asScala(tables).toSeq(),
        outcome,
        cut(error),
        run,
        kind);
  }

  /** Our plan check's refusals all end with the endpoint's hint. */
  static boolean isRefusal(String error) {
    return error != null
        && (error.contains("see docs/sql-endpoint.md") || error.contains("Refused: "));
  }

  /** Names of the tables (or {@code delta.`path`}) an analysed plan reads, sorted. */
  static List<String> tablesRead(LogicalPlan plan) {
    TreeSet<String> names = new TreeSet<>();
    collect(plan, names);
    return new ArrayList<>(names);
  }

  private static void collect(LogicalPlan plan, TreeSet<String> names) {
    if (plan instanceof LogicalRelation relation) {
      scala.Option<CatalogTable> table = relation.catalogTable();
      if (table.isDefined()) {
        names.add(table.get().identifier().unquotedString());
      } else if (relation.relation() instanceof HadoopFsRelation fs
          && fs.location() instanceof TahoeFileIndex delta) {
        names.add("delta.`" + delta.path() + "`");
      }
    }
    for (LogicalPlan child : ZoneReads.nested(plan)) {
      collect(child, names);
    }
  }

  /**
   * Appends the queued rows now (also on close). A batch that failed is retried first with the same
   * transaction version, so Delta skips it if the failed attempt had committed after all.
   */
  synchronized void flush() {
    if (retry == null) {
      List<Row> batch = new ArrayList<>();
      for (Row r; (r = pending.poll()) != null; ) {
        batch.add(r);
      }
      if (batch.isEmpty()) {
        return;
      }
      retry = batch;
      retryVersion = batches.incrementAndGet();
    }
    try {
      root.createDataFrame(retry, SCHEMA)
          .write()
          .format("delta")
          .mode("append")
          .option("mergeSchema", "true") // tables written before the kind column
          .option("txnAppId", "lakehouse-serve-" + run)
          .option("txnVersion", retryVersion)
          .save(location);
      written.addAndGet(retry.size());
      retry = null;
    } catch (RuntimeException e) {
      lastError = firstLine(e.getMessage());
      throw e;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      System.err.println(
          "lakehouse serve: cannot write the audit table " + location + ": " + lastError);
    }
  }

  /** Rows written so far. */
  long written() {
    return written.get();
  }

  /** Stops the writer and appends what is queued (operations still running are dropped). */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }

  private static String cut(String text) {
    if (text == null) {
      return null;
    }
    return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return null;
    }
    return message.strip().lines().findFirst().orElse("");
  }
}
