package org.imaginglakehouse.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lower-case hex: the one form our tables, manifests and run logs store. */
public final class Sha256 {
  private Sha256() {}

  /** A new SHA-256 digest; every JVM has one, so its absence is a broken JVM. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** Of the UTF-8 bytes of {@code value}. */
  public static String hex(String value) {
    return hex(value.getBytes(StandardCharsets.UTF_8));
  }
}
