package org.imaginglakehouse.ingest.testing;

import java.util.Map;
import org.imaginglakehouse.core.testing.S3ProxyServer;

/** The Hadoop S3A settings that reach an {@link S3ProxyServer} from the test's Spark session. */
public final class S3aSettings {
  private S3aSettings() {}

  /** Set them on the session's Hadoop configuration; unset them before the server stops. */
  public static Map<String, String> of(S3ProxyServer s3) {
    return Map.of(
        "fs.s3a.endpoint", s3.endpoint(),
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.access.key", S3ProxyServer.ACCESS_KEY,
        "fs.s3a.secret.key", S3ProxyServer.SECRET_KEY,
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.impl.disable.cache", "true");
  }
}
