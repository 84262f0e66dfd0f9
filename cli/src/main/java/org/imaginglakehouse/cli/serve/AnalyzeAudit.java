package org.imaginglakehouse.cli.serve;

import java.util.Locale;
import org.apache.spark.connect.proto.AnalyzePlanRequest;
import org.apache.spark.sql.connect.common.ProtoUtils;
import org.sparkproject.connect.grpc.ForwardingServerCall;
import org.sparkproject.connect.grpc.ForwardingServerCallListener;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;

/**
 * Audits the plan-only requests of {@code lakehouse serve} ({@code AnalyzePlan}: what pyspark sends
 * for {@code df.schema}, {@code df.columns}, {@code df.explain()}, {@code isStreaming}, ...), which
 * Spark Connect runs without the operation events {@link ServeAudit} listens to: one row of kind
 * {@code analyze} per request, with the user, the request's plan (abbreviated), the tables the
 * plans analysed for it read (noted by the plan check on the request's thread) and the outcome. The
 * plans themselves go through the same plan check as queries ({@link ServeAccess}), since analysing
 * a plan in a client session runs the session's check rules.
 *
 * <p>Spark creates this class by name ({@code spark.connect.grpc.interceptor.classes}); it is
 * listed before {@link UserAuthInterceptor}, so it runs after the token check and sees the token's
 * user.
 */
public final class AnalyzeAudit implements ServerInterceptor {
  private static final String METHOD = "AnalyzePlan";

  /** Abbreviation of the plan text, as Spark Connect abbreviates the statements it reports. */
  private static final int MAX_STRING = 1000;

  /** Called by Spark Connect (by class name). */
  public AnalyzeAudit() {}

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServeAudit log = RefusingListener.audit();
    if (log == null || !METHOD.equals(call.getMethodDescriptor().getBareMethodName())) {
      return next.startCall(call, headers);
    }
    Recorded<Q, R> recorded = new Recorded<>(call, log);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(recorded, headers)) {
      @Override
      public void onMessage(Q message) {
        recorded.request = message;
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        recorded.begin();
        try {
          super.onHalfClose();
        } finally {
          recorded.end(null); // no answer on this thread: recorded without an outcome yet
        }
      }
    };
  }

  /** One AnalyzePlan call: recorded once, when Spark answers it (or when its handler returns). */
  private static final class Recorded<Q, R>
      extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final ServeAudit log;
    private volatile Object request;
    private long time;
    private boolean begun;
    private boolean done;

    Recorded(ServerCall<Q, R> call, ServeAudit log) {
      super(call);
      this.log = log;
    }

    void begin() {
      time = System.currentTimeMillis();
      begun = true;
      ServeAudit.beginAnalyze();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      end(status);
      super.close(status, trailers);
    }

    synchronized void end(Status status) {
      if (!begun || done) {
        return;
      }
      done = true;
      String user = "";
      String session = null;
      String statement = "analyze";
      if (request instanceof AnalyzePlanRequest r) {
        user = r.getUserContext().getUserId();
        session = r.getSessionId();
        AnalyzePlanRequest plan =
            r.toBuilder().clearUserContext().clearClientType().clearSessionId().build();
        statement =
            "analyze "
                + r.getAnalyzeCase().name().toLowerCase(Locale.ROOT)
                + ": "
                + ProtoUtils.abbreviate(plan, MAX_STRING, MAX_STRING).toString().strip();
      }
      String outcome;
      String error = null;
      if (status == null) {
        outcome = ServeAudit.FAILED;
        error = "no answer";
      } else if (status.isOk()) {
        outcome = ServeAudit.OK;
      } else {
        error = status.getCode() + ": " + status.getDescription();
        outcome = ServeAudit.isRefusal(error) ? ServeAudit.REFUSED : ServeAudit.FAILED;
      }
      log.endAnalyze(time, user, session, statement, outcome, error);
    }
  }
}
