package org.imaginglakehouse.cli.serve;

import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SessionHolder;
import org.apache.spark.sql.connect.service.SessionHolderInfo;
import org.apache.spark.sql.connect.service.SessionKey;
import org.apache.spark.sql.connect.service.SparkConnectService$;
import org.apache.spark.sql.connect.service.SparkConnectSessionManager;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Spark Connect user of a client's Spark session: Spark Connect keeps one session per (user id,
 * session id) and the user id of every request is the token's user ({@link UserAuthInterceptor}),
 * so the session's key names who sent its plans.
 */
final class ConnectSessions {
  private static final Map<SparkSession, String> KNOWN = new WeakHashMap<>();

  private ConnectSessions() {}

  /** The user whose Connect session this is; null for a session Spark Connect does not hold. */
  static String userOf(SparkSession session) {
    synchronized (KNOWN) {
      String known = KNOWN.get(session);
      if (known != null) {
        return known;
      }
    }
    SparkConnectSessionManager manager = SparkConnectService$.MODULE$.sessionManager();
    for (SessionHolderInfo info : CollectionConverters.asJava(manager.listActiveSessions())) {
      scala.Option<SessionHolder> holder =
          manager.getIsolatedSessionIfPresent(new SessionKey(info.userId(), info.sessionId()));
      if (holder.isDefined() && holder.get().session() == session) {
        synchronized (KNOWN) {
          KNOWN.put(session, info.userId());
        }
        return info.userId();
      }
    }
    return null;
  }
}
