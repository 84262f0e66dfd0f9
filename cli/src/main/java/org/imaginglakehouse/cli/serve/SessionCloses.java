package org.imaginglakehouse.cli.serve;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.connect.service.SparkListenerConnectSessionClosed;

/**
 * Counts the Connect sessions whose close ran to its end: Spark Connect posts its session-closed
 * event as the last step of a session's clean-up (after its executions, listeners, artifacts and ML
 * cache are released), so a release or expiry that fails half-way is not counted. The health check
 * reports it next to the sessions still open, so a leak shows as open sessions that never close.
 */
final class SessionCloses extends SparkListener {
  private final AtomicLong closed = new AtomicLong();

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof SparkListenerConnectSessionClosed) {
      closed.incrementAndGet();
    }
  }

  /** Sessions closed to the end since the server started. */
  long closed() {
    return closed.get();
  }
}
