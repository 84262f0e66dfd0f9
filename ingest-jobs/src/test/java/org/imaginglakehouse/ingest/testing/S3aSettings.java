package org.imaginglakehouse.ingest.testing;

import java.util.Map;
import org.imaginglakehouse.core.testing.S3ProxyServer;

/** The Hadoop S3A settings that reach an {@link S3ProxyServer} from the test's Spark session. */
public final class S3aSettings {
  private S3aSettings() {}

  /** Set them on the session's Hadoop configuration; unset them before the server stops. */
  public static Map<String, String> of(S3ProxyServer s3) {
    return s3.hadoopSettings();
  }
}
