package org.imaginglakehouse.core.job;

import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Run ids that sort by start time and do not collide: {@code 20261122T041408Z-3fa2c1}. */
public final class RunIds {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next() {
    byte[] suffix = new byte[3];
    RANDOM.nextBytes(suffix);
    return FORMAT.format(ZonedDateTime.now(ZoneOffset.UTC))
        + "-"
        + HexFormat.of().formatHex(suffix);
  }
}
