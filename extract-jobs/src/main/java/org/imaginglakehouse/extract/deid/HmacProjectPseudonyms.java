package org.imaginglakehouse.extract.deid;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.io.Serializable;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.Secret;

/**
 * {@link ProjectPseudonyms} from HMAC-SHA256 with a per-project key.
 *
 * <p>Every value is {@code HMAC(key, "imaging-lakehouse extract v1" 0x00 label 0x00 project 0x00
 * input)} with a distinct label per kind ({@code patient-id}, {@code uid}, {@code day-shift}), so
 * the three kinds are unrelated to each other, and the project name is bound in, so one key used
 * for two projects still gives unrelated values. Without the key nothing can be recomputed or
 * joined to the EUPI or to another project.
 *
 * <ul>
 *   <li>Patient ID: {@code <PROJECT>-} + 16 base32 characters (80 bits), at most 64 characters of
 *       {@code A-Z 0-9 - _}: valid as LO and as a PN (no {@code ^ = \}).
 *   <li>UID: {@code 2.25.} + the decimal of the first 128 bits (PS3.5 B.2: an integer UID derived
 *       from a UUID-sized number; at most 44 characters, no leading zero).
 *   <li>Day shift: uniform in {@code [minDays, maxDays]} (a range not containing 0), from 64 bits
 *       of the HMAC; the modulo bias is below 2<sup>-40</sup>.
 * </ul>
 *
 * <p>Serializable for Spark executors: it holds the key bytes and builds one {@link Mac} per thread
 * after deserialisation. {@link #toString()} shows only the project and the key id.
 */
public final class HmacProjectPseudonyms implements ProjectPseudonyms, Serializable {
  private static final long serialVersionUID = 1L;

  /** Default day-shift range: between ten years and one year back. */
  public static final int DEFAULT_MIN_DAYS = -3650;

  public static final int DEFAULT_MAX_DAYS = -365;

  private static final String ALGORITHM = "HmacSHA256";
  private static final String CONTEXT = "imaging-lakehouse extract v1";
  private static final int PATIENT_ID_BITS = 80;
  private static final int MAX_PREFIX = 64 - 1 - PATIENT_ID_BITS / 5;
  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final byte[] key;
  private final String project;
  private final String keyId;
  private final int minDays;
  private final int maxDays;
  private transient volatile ThreadLocal<Mac> macs;

  private HmacProjectPseudonyms(byte[] key, String project, int minDays, int maxDays) {
    ProjectKeys.checkProjectName(project);
    checkArgument(
        key.length >= ProjectKeys.MIN_KEY_BYTES,
        "Project key is too short (%d bytes): use at least %d, e.g. `openssl rand -hex 32`",
        key.length,
        ProjectKeys.MIN_KEY_BYTES);
    checkArgument(
        minDays <= maxDays && (maxDays < 0 || minDays > 0),
        "Invalid day-shift range [%d, %d]: it must not contain 0 (a zero shift keeps real dates)"
            + " and min must not exceed max",
        minDays,
        maxDays);
    this.key = key.clone();
    this.project = project;
    this.keyId = fingerprint(key);
    this.minDays = minDays;
    this.maxDays = maxDays;
  }

  /** Pseudonyms of {@code project} keyed by the UTF-8 text of {@code key}, default day shifts. */
  public static HmacProjectPseudonyms of(Secret key, String project) {
    return of(key, project, DEFAULT_MIN_DAYS, DEFAULT_MAX_DAYS);
  }

  /** Pseudonyms with day shifts uniform in {@code [minDays, maxDays]} (0 not in the range). */
  public static HmacProjectPseudonyms of(Secret key, String project, int minDays, int maxDays) {
    return ofBytes(key.reveal().getBytes(StandardCharsets.UTF_8), project, minDays, maxDays);
  }

  /** For tests and tools that hold the key bytes themselves. */
  public static HmacProjectPseudonyms ofBytes(
      byte[] key, String project, int minDays, int maxDays) {
    return new HmacProjectPseudonyms(key, project, minDays, maxDays);
  }

  @Override
  public String keyId() {
    return keyId;
  }

  public String project() {
    return project;
  }

  @Override
  public String patientId(String eupi) {
    byte[] h = hmac("patient-id", required(eupi, "EUPI"));
    String prefix = project.toUpperCase(Locale.ROOT);
    if (prefix.length() > MAX_PREFIX) {
      prefix = prefix.substring(0, MAX_PREFIX);
    }
    return prefix + '-' + base32(h, PATIENT_ID_BITS);
  }

  @Override
  public String uid(String originalUid) {
    byte[] h = hmac("uid", stripUidPadding(required(originalUid, "UID")));
    return "2.25." + new BigInteger(1, Arrays.copyOf(h, 16));
  }

  @Override
  public int dayShift(String eupi) {
    byte[] h = hmac("day-shift", required(eupi, "EUPI"));
    long span = (long) maxDays - minDays + 1;
    long r = Long.remainderUnsigned(ByteBuffer.wrap(h, 0, 8).getLong(), span);
    return (int) (minDays + r);
  }

  private byte[] hmac(String label, String input) {
    Mac mac = mac();
    mac.update((CONTEXT + '\0' + label + '\0' + project + '\0').getBytes(StandardCharsets.UTF_8));
    return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
  }

  private Mac mac() {
    ThreadLocal<Mac> local = macs;
    if (local == null) {
      synchronized (this) {
        if (macs == null) {
          macs = ThreadLocal.withInitial(this::newMac);
        }
        local = macs;
      }
    }
    return local.get();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new LakehouseException("HMAC-SHA256 is not available in this JVM", e);
    }
  }

  /** Identifiers are trimmed; a missing one is an error that does not echo anything. */
  private static String required(String value, String what) {
    checkArgument(value != null && !value.isBlank(), "No %s to pseudonymise (null or blank)", what);
    return value.trim();
  }

  /** UI values are padded with NUL (or space by some writers): the same UID either way. */
  private static String stripUidPadding(String uid) {
    int end = uid.length();
    while (end > 0 && (uid.charAt(end - 1) == '\0' || uid.charAt(end - 1) == ' ')) {
      end--;
    }
    return uid.substring(0, end);
  }

  private static String base32(byte[] bytes, int bits) {
    StringBuilder out = new StringBuilder(bits / 5);
    for (int bit = 0; bit < bits; bit += 5) {
      int value = 0;
      for (int i = 0; i < 5; i++) {
        int b = bit + i;
        value = value << 1 | (bytes[b >> 3] >> (7 - (b & 7)) & 1);
      }
      out.append(BASE32[value]);
    }
    return out.toString();
  }

  /** One-way fingerprint of the key (12 hex digits): record it with the run, never the key. */
  static String fingerprint(byte[] key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("imaging-lakehouse project key id v1\0".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(Arrays.copyOf(sha.digest(key), 6));
    } catch (GeneralSecurityException e) {
      throw new LakehouseException("SHA-256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "HmacProjectPseudonyms(project=" + project + ", keyId=" + keyId + ")";
  }
}
