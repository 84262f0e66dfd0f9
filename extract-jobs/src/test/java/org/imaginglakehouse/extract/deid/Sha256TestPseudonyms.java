package org.imaginglakehouse.extract.deid;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * TEST FIXTURE ONLY: a deterministic {@link ProjectPseudonyms} from SHA-256 of a fixed test salt
 * and the input. It is not keyed (anyone knowing the salt can recompute it) and must never be used
 * for a release; the project's HMAC implementation is the real one.
 */
final class Sha256TestPseudonyms implements ProjectPseudonyms {
  private final String salt;

  Sha256TestPseudonyms(String salt) {
    this.salt = salt;
  }

  private byte[] hash(String kind, String value) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return d.digest((salt + "|" + kind + "|" + value).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String keyId() {
    return "test-sha256-" + salt;
  }

  @Override
  public String patientId(String eupi) {
    return "TP" + HexFormat.of().formatHex(hash("patient", eupi), 0, 6).toUpperCase();
  }

  @Override
  public String uid(String originalUid) {
    byte[] h = hash("uid", originalUid);
    byte[] first16 = new byte[16];
    System.arraycopy(h, 0, first16, 0, 16);
    return "2.25." + new BigInteger(1, first16);
  }

  @Override
  public int dayShift(String eupi) {
    // 1..365 days, earlier or later; never 0 so that a missed shift shows in the tests
    int v = Math.floorMod(new BigInteger(1, hash("shift", eupi)).intValue(), 730);
    return v < 365 ? -(v + 1) : v - 364;
  }
}
