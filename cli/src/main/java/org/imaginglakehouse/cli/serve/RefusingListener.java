package org.imaginglakehouse.cli.serve;

import org.sparkproject.connect.grpc.ForwardingServerCallListener;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.Status;

/**
 * The listener of a gRPC call whose request messages the serve interceptors check one by one: a
 * refused message closes the call (audited), and nothing of the call reaches Spark Connect after
 * it. The audit is installed by {@link SqlServer} for all interceptors.
 */
abstract class RefusingListener<Q>
    extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
  private static volatile ServeAudit audit;

  private final ServerCall<Q, ?> call;
  private boolean refused;

  RefusingListener(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call) {
    super(delegate);
    this.call = call;
  }

  static void install(ServeAudit auditLog) {
    audit = auditLog;
  }

  static void uninstall() {
    audit = null;
  }

  /** The audit rows are written to, or null before the server starts and after it stops. */
  static ServeAudit audit() {
    return audit;
  }

  /** Closes {@code call} with {@code status} and "Refused: why", audited as refused. */
  static void refuse(ServerCall<?, ?> call, Status status, String user, String why) {
    ServeAudit log = audit;
    if (log != null) {
      log.refusedCall(user, call.getMethodDescriptor().getBareMethodName(), why);
    }
    call.close(status.withDescription("Refused: " + why), new Metadata());
  }

  /** The message to pass on (possibly changed), or null once {@link #refuse} closed the call. */
  abstract Q check(Q message, ServerCall<Q, ?> call);

  @Override
  public void onMessage(Q message) {
    if (refused) {
      return;
    }
    Q checked = check(message, call);
    if (checked == null) {
      refused = true;
      return;
    }
    super.onMessage(checked);
  }

  @Override
  public void onHalfClose() {
    if (!refused) {
      super.onHalfClose();
    }
  }

  @Override
  public void onReady() {
    if (!refused) {
      super.onReady();
    }
  }
}
